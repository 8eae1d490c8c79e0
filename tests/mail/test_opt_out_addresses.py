"""An opt-out holds for every spelling of its address: `jan@bücher.nl` and
`jan@xn--bcher-kva.nl` (the form mail is sent to) are one mailbox, in storage, in every
lookup and in the worker's check just before sending."""

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from goedeburen.mail import queries, services
from goedeburen.mail.addresses import opt_out_address
from goedeburen.mail.enums import MailKind, MailState
from goedeburen.mail.models import Mailing, OptOut, OutgoingMail
from goedeburen.registration.enums import RegistrationStatus
from tests.factories import AttendeeFactory, OpenEventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

UNICODE, ASCII = "jan@bücher.nl", "jan@xn--bcher-kva.nl"
BOTH_WAYS = pytest.mark.parametrize(
    ("stored", "asked"),
    [(UNICODE, ASCII), (ASCII, UNICODE), ("Jan@BÜCHER.nl", "JAN@XN--BCHER-KVA.NL")],
    ids=["unicode-then-ascii", "ascii-then-unicode", "capitals"],
)

migration = importlib.import_module("goedeburen.mail.migrations.0009_opt_out_address_form")


@pytest.mark.parametrize(
    ("email", "form"),
    [
        (UNICODE, ASCII),
        (ASCII, ASCII),
        (" Jan@Bücher.NL ", ASCII),
        ("Ann@Example.org", "ann@example.org"),
        ("no-at-sign", "no-at-sign"),
        ("a@b..nl", "a@b..nl"),  # no valid domain name: as it is, lower-case
    ],
)
def test_one_form_of_an_address(email, form):
    assert opt_out_address(email) == form


@BOTH_WAYS
def test_an_opt_out_is_found_in_either_form(event, stored, asked):
    services.set_opt_out(event, email=stored, opted_out=True)

    assert list(OptOut.objects.values_list("email", flat=True)) == [ASCII]
    assert queries.is_opted_out(event, asked) is True
    assert asked in queries.opted_out_addresses(event)
    services.set_opt_out(event, email=asked, opted_out=True)
    assert OptOut.objects.count() == 1
    services.set_opt_out(event, email=asked, opted_out=False)
    assert not OptOut.objects.exists()


@BOTH_WAYS
def test_the_worker_cancels_a_mail_to_the_other_form_of_an_opted_out_address(
    event, smtp, stored, asked
):
    mail = services.queue_mail(
        event,
        kind=MailKind.THANK_YOU,
        recipient=asked,
        language="nl",
        subject="Dank",
        body_text="Dank voor uw komst.\n",
    )
    services.set_opt_out(event, email=stored, opted_out=True)

    assert services.deliver(mail) is False

    assert OutgoingMail.objects.get(pk=mail.pk).state == MailState.CANCELLED
    assert smtp.messages == []


@BOTH_WAYS
def test_a_mailing_skips_the_other_form_of_an_opted_out_address(event, ticket, stored, asked):
    for email in (asked, "piet@example.org"):
        registration = RegistrationFactory(
            event=event, email=email, status=RegistrationStatus.CONFIRMED
        )
        AttendeeFactory(registration=registration, ticket_type=ticket, email="")
    services.set_opt_out(event, email=stored, opted_out=True)
    mailing = services.save_mailing(Mailing(subject_nl="Nieuws", body_nl="x"), event=event)

    recipients, skipped = services.audience(mailing)

    assert ([r.email for r in recipients], skipped) == (["piet@example.org"], 1)


def test_migration_stores_every_opt_out_in_one_form_and_keeps_the_first_of_two():
    event, other = OpenEventFactory(), OpenEventFactory()
    earlier = timezone.now() - dt.timedelta(days=2)
    first = OptOut.objects.create(event=event, email=UNICODE)
    OptOut.objects.filter(pk=first.pk).update(created=earlier)
    OptOut.objects.create(event=event, email=ASCII)
    OptOut.objects.create(event=other, email="Jan@Bücher.nl")
    OptOut.objects.create(event=other, email="piet@example.org")

    migration.normalise_opt_outs(apps, None)

    assert sorted(OptOut.objects.values_list("event_id", "email", "created")) == sorted(
        [
            (event.pk, ASCII, earlier),
            (other.pk, ASCII, OptOut.objects.get(event=other, email=ASCII).created),
            (other.pk, "piet@example.org", OptOut.objects.get(email="piet@example.org").created),
        ]
    )
    assert OptOut.objects.get(event=event).pk == first.pk
