"""The site's own error pages (400, 403, 404, 405, 500, and the 403 of a form whose CSRF
check failed): in its look and language, with a way on.

A 404 on a participant's address (a manage link, an offer, the confirmation page, the
participant's files) offers the page that sends the link again, for the event in the URL.
"""

import logging
import re

from django.http import HttpResponse
from django.template import loader
from django.urls import reverse
from django.utils.translation import gettext as _

from goedeburen.events import queries

logger = logging.getLogger(__name__)

# /<event>/register/(manage|offer|done)/… and /<event>/participant/…, with or without /en/.
_PARTICIPANT_PATH = re.compile(
    r"^/(?:[a-z]{2}/)?(?P<event>[-a-zA-Z0-9_]+)/(?:register/(?:manage|offer|done)|participant)/"
)


def link_request_url(path: str) -> str:
    """Return the link-request page of the event a participant's address names, or ""."""
    found = _PARTICIPANT_PATH.match(path)
    if not found or queries.public_event_version(found["event"]) is None:
        return ""
    return reverse("public:registration.link", kwargs={"event": found["event"]})


def _page(request, status: int, title: str, text: str, *, link_url: str = "") -> HttpResponse:
    context = {"status": status, "title": title, "text": text, "link_url": link_url}
    try:
        content = loader.render_to_string("public/error.html", context, request=request)
    except Exception:  # the error page must not fail in its turn
        logger.exception("The %s page could not be rendered", status)
        content = f"<!DOCTYPE html><title>{status}</title><h1>{status}</h1>"
    return HttpResponse(content, status=status)


def bad_request(request, exception=None):
    return _page(
        request,
        400,
        _("This address is not right"),
        _(
            "The address or the form holds something we cannot read. "
            "Check the address, or go to the start page."
        ),
    )


def permission_denied(request, exception=None):
    return _page(
        request,
        403,
        _("You cannot open this page"),
        _(
            "This page is not open to you. Did you send a form from an old page? "
            "Then load the page again and send it once more."
        ),
    )


def csrf_failure(request, reason=""):
    """The `CSRF_FAILURE_VIEW`: a form sent without its token or cookie (an old tab, a
    browser that blocks cookies, another site's form). Django's own page is in neither the
    site's look nor plain language."""
    return _page(
        request,
        403,
        _("This form could not be sent"),
        _(
            "We could not check that this form came from our site. Load the page again and "
            "send the form once more. Forms on this site need cookies: allow them for this site."
        ),
    )


def page_not_found(request, exception=None):
    return _page(
        request,
        404,
        _("We cannot find this page"),
        _("The address may be old or not complete."),
        link_url=link_request_url(request.path),
    )


def method_not_allowed(request):
    """The 405 page (`public.middleware`): an address only a form's button sends to."""
    return _page(
        request,
        405,
        _("This page cannot be opened on its own"),
        _(
            "This address belongs to a button on another page. "
            "Go back to that page and press the button there."
        ),
    )


def server_error(request):
    return _page(
        request,
        500,
        _("Something went wrong on our side"),
        _("Please try again in a few minutes. If it goes wrong again, mail the organisers."),
    )
