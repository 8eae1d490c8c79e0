"""Django answers a request in a method a page does not take (a bookmarked or reloaded
address of a form's button, such as the mail preference behind the manage link) with an
empty page; this turns that answer into the site's own page, in its look and language."""

from .views import errors


class MethodNotAllowedPageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # The API answers by its own document; a page that says something is left alone.
        if response.status_code != 405 or response.content or request.path.startswith("/api/"):
            return response
        page = errors.method_not_allowed(request)
        # What the inner middleware said about the answer (Allow, the back office's
        # Cache-Control: no-store, Vary, cookies) holds for the page that replaces it.
        for header, value in response.items():
            if header.lower() not in ("content-type", "content-length"):
                page[header] = value
        page.cookies = response.cookies
        return page
