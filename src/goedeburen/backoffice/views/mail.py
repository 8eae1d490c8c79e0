"""The event's outbox: every mail, its state and last error; retry or cancel one."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import ListView

from goedeburen.backoffice.permissions import EventPermissionMixin
from goedeburen.mail import queries, services
from goedeburen.mail.enums import MailState
from goedeburen.mail.exceptions import MailError
from goedeburen.mail.models import OutgoingMail


def _list_url(event, state: str) -> str:
    url = reverse("backoffice:mail.list", kwargs={"event": event.slug})
    return f"{url}?{urlencode({'state': state})}" if state in MailState.values else url


class MailListView(EventPermissionMixin, ListView):
    """The outbox, newest first, filtered by state with `?state=failed`."""

    permission_required = "events.change_event"
    template_name = "backoffice/mail/list.html"
    paginate_by = 50

    def get_queryset(self):
        return queries.outbox(self.event, state=self.request.GET.get("state", ""))

    def get_context_data(self, **kwargs):
        state = self.request.GET.get("state", "")
        kwargs.update(
            section="mail",
            state=state if state in MailState.values else "",
            states=MailState.choices,
            retryable=[MailState.FAILED, MailState.CANCELLED],
            cancellable=[MailState.QUEUED, MailState.FAILED],
        )
        return super().get_context_data(**kwargs)


class MailActionView(EventPermissionMixin, View):
    """Apply `action` (a service) to one mail of the event, then go back to the list."""

    permission_required = "events.change_event"
    http_method_names = ["post"]
    action = None
    done_message = ""

    def post(self, request, *args, **kwargs):
        mail = get_object_or_404(OutgoingMail, pk=kwargs["pk"], event=self.event)
        try:
            self.action(mail, by=request.user)
        except MailError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, self.done_message % {"recipient": mail.recipient})
        return HttpResponseRedirect(_list_url(self.event, request.POST.get("state", "")))


class MailRetryView(MailActionView):
    action = staticmethod(services.retry_mail)
    done_message = _("The mail to %(recipient)s is queued again.")


class MailCancelView(MailActionView):
    action = staticmethod(services.cancel_mail)
    done_message = _("The mail to %(recipient)s is cancelled.")
