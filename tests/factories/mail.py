"""factory_boy factories for the outbox."""

import factory
from django.core.mail import make_msgid
from django.utils import timezone

from goedeburen.mail.enums import MailKind
from goedeburen.mail.models import OutgoingMail

from .registration import OpenEventFactory


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


def many_registrations(event, ticket_type, count: int, *, status=None, language="nl"):
    """Write `count` confirmed registrations with one attendee each, in a few INSERTs.

    Recipients are `person<n>@example.org`; the service is too slow for thousands in a test.
    """
    from goedeburen.registration import tokens
    from goedeburen.registration.enums import AttendingRole, RegistrationStatus
    from goedeburen.registration.models import Attendee, Registration

    registrations = Registration.objects.bulk_create(
        Registration(
            event=event,
            code=f"M{n:07d}",
            booker_name=f"Persoon {n}",
            email=f"person{n}@example.org",
            status=status or RegistrationStatus.CONFIRMED,
            language=language,
            manage_token_hash=tokens.new_manage_token()[1],
        )
        for n in range(count)
    )
    Attendee.objects.bulk_create(
        Attendee(
            registration=registration,
            ticket_type=ticket_type,
            given_name="Persoon",
            family_name=str(n),
            role=AttendingRole.OTHER,
            price=ticket_type.price,
            vat_rate=ticket_type.vat_rate,
            ticket_secret=tokens.new_ticket_secret(),
        )
        for n, registration in enumerate(registrations)
    )
    from .registration import sync_seat_counters

    sync_seat_counters([ticket_type.pk])
    return registrations
