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
        page["Allow"] = response["Allow"]
        return page
