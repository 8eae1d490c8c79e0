"""Actions with consequences are never done in one click: a POST without the confirm
page's field (`confirm=yes`) changes nothing and shows that page instead.

`ConfirmFirstMixin` goes after the permission mixin in a view's bases, so that only those
who may act are asked. The confirm page says what will happen (`confirm_text`) and sends
the same fields again with `confirm=yes`; Cancel goes back where the user came from.
Screens with a confirm page of their own (deletes, registration decisions) carry the
field in their form (`forms.base.ConfirmationForm`).
"""

from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

# Fields that are not the action's own: they are not sent again from the confirm page.
_NOT_REPEATED = {"csrfmiddlewaretoken", "confirm"}


class ConfirmFirstMixin:
    confirm_title = _("Are you sure?")
    confirm_text = ""
    confirm_button = _("Yes, go ahead")

    def needs_confirmation(self, request) -> bool:
        """Return whether this POST has consequences (some views do several things)."""
        return True

    def confirmation_text(self, request) -> str:
        return str(self.confirm_text)

    def check_target(self) -> None:
        """Raise `Http404` when the object in the URL is not there (or not this event's),
        so that asking never tells more than acting would."""

    def dispatch(self, request, *args, **kwargs):
        if (
            request.method == "POST"
            and request.POST.get("confirm") != "yes"
            and self.needs_confirmation(request)
        ):
            self.args, self.kwargs = args, kwargs
            self.check_target()
            return self.ask_first(request)
        return super().dispatch(request, *args, **kwargs)

    def ask_first(self, request):
        back = request.META.get("HTTP_REFERER", "")
        if not back or not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            back = reverse("backoffice:dashboard")
        event = getattr(self, "event", None)
        return TemplateResponse(
            request,
            "backoffice/confirm.html",
            {
                "event": event,
                "base_template": "backoffice/event_base.html" if event else "backoffice/base.html",
                "title": self.confirm_title,
                "text": self.confirmation_text(request),
                "button": self.confirm_button,
                "fields": [
                    (name, value)
                    for name, values in request.POST.lists()
                    if name not in _NOT_REPEATED
                    for value in values
                ],
                "action": request.get_full_path(),
                "back": back,
            },
        )
