"""Tell an organiser's owners that a webhook endpoint was switched off."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from goedeburen.common.links import absolute_url
from goedeburen.events.models import Role, TeamMember
from goedeburen.mail.enums import MailKind
from goedeburen.mail.services import queue_mail

from .models import WebhookEndpoint


def mail_owners_endpoint_off(endpoint: WebhookEndpoint, *, reason: str) -> int:
    """Queue a notice to each owner of the organiser; return how many were queued.

    An outbox mail belongs to an event: the endpoint's, else the organiser's latest.
    """
    event = endpoint.event or endpoint.organiser.events.order_by("-date").first()
    if event is None:
        return 0
    owners = (
        TeamMember.objects.filter(organiser_id=endpoint.organiser_id, role=Role.OWNER)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
        .distinct()
    )
    link = absolute_url(
        reverse("backoffice:api.webhooks", kwargs={"organiser": endpoint.organiser.slug})
    )
    count = 0
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Webhook switched off: %(url)s") % {"url": endpoint.url}
        text = _(
            "The webhook to %(url)s was switched off (%(reason)s). Deliveries to it are kept "
            "for 30 days. Check the receiving system, then switch the webhook on again at "
            "%(link)s"
        ) % {"url": endpoint.url, "reason": reason, "link": link}
        for email in owners:
            queue_mail(
                event,
                kind=MailKind.NOTICE,
                recipient=email,
                language=settings.LANGUAGE_CODE,
                subject=subject,
                body_text=text + "\n",
            )
            count += 1
    return count
