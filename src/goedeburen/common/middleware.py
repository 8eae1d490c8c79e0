"""What every request goes through before routing: input no view can use is refused here.

A NUL byte or another C0 control character in the path or the query string is never part of
a URL this site makes; PostgreSQL refuses NUL in a text value, so such a part reaching a
query would answer 500. It is answered 400 (the site's friendly page) before any view runs.
"""

import re
from urllib.parse import unquote

from django.core.exceptions import BadRequest

# C0 controls but tab/newline/carriage return are refused; those three are stripped by
# browsers from URLs anyway, and NUL is the one PostgreSQL cannot store.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class RefuseControlCharactersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            # The API answers by its own document: no object has such a name (404, problem
            # details); its query parameters it checks itself.
            if _CONTROL.search(request.path):
                from goedeburen.api.views import not_found

                return not_found(request)
            return self.get_response(request)
        if _CONTROL.search(request.path) or _CONTROL.search(
            unquote(request.META.get("QUERY_STRING", ""))
        ):
            raise BadRequest("control character in the URL")
        return self.get_response(request)
