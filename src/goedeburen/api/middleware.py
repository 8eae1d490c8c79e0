"""The API answers in the language its client asks for.

The site's pages take their language from the path (`/en/…`; Dutch without a prefix), so
`LocaleMiddleware` gives every address without a prefix Dutch, the API's included. An API
client says what it reads in `Accept-Language`; without a language the site offers, the
answer is in Dutch, the site's language. `LocaleMiddleware` then names the language in
`Content-Language` and adds `Vary: Accept-Language`.
"""

from django.conf import settings
from django.utils import translation

API_PREFIX = "/api/"


class ApiLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(API_PREFIX):
            header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
            language = _asked(header) or settings.LANGUAGE_CODE
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


def _asked(header: str) -> str | None:
    """Return the site's language that `header` (an Accept-Language value) prefers most,
    None when it names none of them."""
    from django.utils.translation.trans_real import parse_accept_lang_header

    for code, _quality in parse_accept_lang_header(header[:255]):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return None
