"""The refund-made mail: the booker hears that money went back, how much and how, once,
through the real worker and SMTP server (drain, then count)."""

from decimal import Decimal

import pytest

from goedeburen.mail.enums import MailKind
from goedeburen.mail.models import OutgoingMail
from goedeburen.payments import services, tasks
from goedeburen.payments.enums import ProviderName, RefundState
from goedeburen.payments.models import Payment, Refund
from goedeburen.registration import services as registration_services
from tests.factories import UserFactory
from tests.mail.conftest import part
from tests.payments.conftest import TEST_KEY
from tests.payments.test_bank_import import statement
from tests.payments.test_mollie import WEBHOOK, start

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _refund_messages(smtp, registration) -> list:
    subjects = (
        f"Money paid back for registration {registration.code}",
        f"Geld terugbetaald voor aanmelding {registration.code}",
    )
    return [m for m in smtp.messages if m["Subject"] in subjects]


def test_a_mollie_refund_mails_the_booker_once_however_often_webhook_and_task_come(
    mollie, register, client, smtp, drain, event
):
    # Paid online, then cancelled free of charge: the worker settles the cancellation and
    # refunds through Mollie. Then Mollie's webhook comes again and the refund task is tried
    # again (a worker that died before it reported back).
    mollie_env = {
        "MOLLIE_API_KEYS": f"{event.organiser.slug}={TEST_KEY}",
        "MOLLIE_API_ENDPOINT": mollie.url,
    }
    registration = register(language="en")
    payment = start(registration)
    mollie.set_status(payment.provider_reference, "paid")
    client.post(WEBHOOK, {"id": payment.provider_reference})
    registration_services.cancel_registration(registration, by=None, reason="booker")
    drain(**mollie_env)
    refund = Refund.objects.get(payment=payment)
    assert refund.state == RefundState.REFUNDED

    client.post(WEBHOOK, {"id": payment.provider_reference})
    tasks.refund.enqueue(refund.pk)
    drain(**mollie_env)

    [message] = _refund_messages(smtp, registration)
    assert message["Subject"] == f"Money paid back for registration {registration.code}"
    assert message["To"] == registration.email
    text = part(message, "text/plain").replace("\r\n", "\n")
    assert text.startswith(
        "Dear Bea Boeker,\n\n"
        f"We have paid you back € 125,00 for your registration {registration.code} for "
    )
    assert (
        "The money goes back the way you paid online: to the same bank account or card.\n"
        "It can take a few days before you see the money in your account.\n"
    ) in text
    assert "€ 125,00" in part(message, "text/html")
    assert OutgoingMail.objects.filter(kind=MailKind.REFUND_MADE).count() == 1


def test_a_bank_pay_back_the_organiser_records_mails_the_booker_once(register, smtp, drain, event):
    # Paid by transfer after a free cancellation: nobody owed it, so the organiser transfers
    # it back and records that, with the form sent twice (a double click), and the refund
    # task comes once more besides.
    registration = register(email="booker1@example.org")
    services.choose_provider(registration, provider=ProviderName.BANK_TRANSFER)
    registration_services.cancel_registration(registration, by=None, reason="booker")
    drain()
    services.import_statement(
        event, filename="statement.xml", data=statement("ing_camt053_001_02.xml", {1: registration})
    )
    drain()
    payment = Payment.objects.get(registration=registration)
    assert payment.payer_iban
    organiser = UserFactory()

    for _twice in range(2):
        refund = services.refund_payment(
            payment,
            amount=Decimal("125.00"),
            reason="niet verschuldigd",
            by=organiser,
            submission="refund-form-1",
        )
    tasks.refund.enqueue(refund.pk)
    drain()

    [message] = _refund_messages(smtp, registration)
    assert message["Subject"] == f"Geld terugbetaald voor aanmelding {registration.code}"
    text = part(message, "text/plain").replace("\r\n", "\n")
    assert (
        f"We hebben € 125,00 aan u terugbetaald voor uw aanmelding {registration.code} voor "
    ) in text
    assert (
        "We hebben het overgemaakt naar de bankrekening die eindigt op "
        f"{payment.payer_iban[-4:]}.\n"
    ) in text
    assert payment.payer_iban not in text
    assert OutgoingMail.objects.filter(kind=MailKind.REFUND_MADE).count() == 1
    assert Refund.objects.get().state == RefundState.REFUNDED
