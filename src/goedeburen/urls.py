from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from goedeburen.public.views.pages import without_dutch_prefix

urlpatterns = [
    # Staff convenience only; the organiser's UI is the back office.
    path("django-admin/", admin.site.urls),
    # Not translated: programs read the API; texts come in both languages.
    path("api/v1/", include("goedeburen.api.urls")),
    # Dutch has no prefix; an address under /nl/ goes to the page without it.
    re_path(r"^nl/(?P<rest>[\s\S]*)$", without_dutch_prefix),
]
urlpatterns += i18n_patterns(
    # Passkeys' own endpoints (django-otp-webauthn's), under the back office's address.
    path("backoffice/account/passkeys/", include("goedeburen.accounts.passkey_urls")),
    path("backoffice/", include("goedeburen.backoffice.urls")),
    path("", include("goedeburen.public.urls")),
    prefix_default_language=False,
)
if settings.DEBUG:
    urlpatterns.insert(0, path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}))

# The site's own error pages, in its look and language (`public.views.errors`).
handler400 = "goedeburen.public.views.errors.bad_request"
handler403 = "goedeburen.public.views.errors.permission_denied"
handler404 = "goedeburen.public.views.errors.page_not_found"
handler500 = "goedeburen.public.views.errors.server_error"
