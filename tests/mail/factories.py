"""factory_boy factories for the outbox."""

import factory
from django.core.mail import make_msgid
from django.utils import timezone

from goedeburen.mail.enums import MailKind
from goedeburen.mail.models import OutgoingMail
from tests.registration.factories import OpenEventFactory


class OutgoingMailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutgoingMail

    event = factory.SubFactory(OpenEventFactory)
    kind = MailKind.CONFIRMATION
    recipient = factory.Sequence(lambda n: f"booker{n}@example.org")
    language = "nl"
    subject = "Je aanmelding"
    body_text = "Beste Bea,"
    body_html = "<p>Beste Bea,</p>"
    rendered_at = factory.LazyFunction(timezone.now)
    message_id = factory.LazyFunction(lambda: make_msgid(domain="example.org"))
