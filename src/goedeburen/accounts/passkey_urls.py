"""django-otp-webauthn's endpoints, under its namespace and URL names, each refusing a body
that JSON cannot read as the package refuses JSON that is not well formed (400, its
translated "not parsable"). The package catches only `JSONDecodeError`: bytes that are no
text (a UTF-16 byte-order mark, then half a character) and nesting deeper than Python reads
went past its handler, a 500."""

from django.urls import path
from django_otp_webauthn import exceptions
from django_otp_webauthn import urls as package_urls
from django_otp_webauthn.views import BaseWebAuthnView


class _RefusesUnreadableBodies:
    def _parse_request_data(self, request):
        try:
            return super()._parse_request_data(request)
        # UnicodeDecodeError is a ValueError; RecursionError: "[[[[…" a million deep.
        except (ValueError, RecursionError) as unreadable:
            raise exceptions.MalformedRequest() from unreadable


def _refusing(pattern):
    view_class = getattr(pattern.callback, "view_class", None)
    if view_class is None or not issubclass(view_class, BaseWebAuthnView):
        return pattern
    view = type(view_class.__name__, (_RefusesUnreadableBodies, view_class), {})
    return path(str(pattern.pattern), view.as_view(), name=pattern.name)


app_name = package_urls.app_name
urlpatterns = [_refusing(pattern) for pattern in package_urls.urlpatterns]
