"""The secretariat's actions on one registration sent 20 times at once through gunicorn's
sync workers (production's shape) by one signed-in user (session cookie and CSRF): approve,
reject, cancel. One request does it; the others are told the registration is no longer in
that state. Afterwards the database holds one log entry, one mail and (for a free
cancellation of an invoiced registration) one credit note, and no worker logged a server
error (the `gunicorn` fixture fails the test on a traceback). Likewise one bank statement
uploaded 10 times at once by finance: imported once, the others refused as a duplicate."""

from collections import Counter
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import translation

from goedeburen.common.audit import history
from goedeburen.events.models import Role
from goedeburen.mail.enums import MailKind
from goedeburen.mail.models import OutgoingMail
from goedeburen.payments import services as payment_services
from goedeburen.payments.enums import ProviderName
from goedeburen.payments.models import BankStatement, BankTransaction, Payment
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.models import Registration
from tests.concurrency.test_checkin_http import CSRF, signed_in
from tests.concurrency.test_payment_http import assert_cancelled_and_credited_once
from tests.concurrency.test_registration_http import _request, gunicorn  # noqa: F401
from tests.factories import QuotaFactory, TeamMemberFactory, TicketTypeFactory, UserFactory
from tests.payments.conftest import billing_defaults, drain, event, ticket  # noqa: F401
from tests.payments.test_bank_import import six, statement  # noqa: F401
from tests.threads import all_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CLIENTS = 20
AWAITING = "Only a registration that awaits approval can be approved or rejected"
CANCELLED = "This registration is already cancelled."


@pytest.fixture
def secretariat(on_postgresql, event):  # noqa: F811
    """The headers of a signed-in secretariat member's browser."""
    user = UserFactory()
    TeamMemberFactory(organiser=event.organiser, user=user, role=Role.REGISTRATIONS, event=event)
    return {**signed_in(user), "Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def awaiting(event, register):  # noqa: F811
    """A registration awaiting approval, on a free ticket that needs it."""
    resident = TicketTypeFactory(event=event, price=Decimal("0"), needs_approval=True)
    QuotaFactory(event=event, size=10, ticket_types=[resident])
    registration = register(resident)
    assert registration.status == RegistrationStatus.AWAITING_APPROVAL
    return registration


def _act_at_once(
    port: int, headers: dict, registration, action: str, refusal: str, **fields
) -> Counter:
    """POST the confirm page of `action` on `registration` CLIENTS times at once; count the
    answers: "done" (sent back to the registration), "refused" (the page again, saying
    `refusal`) or the status."""
    with translation.override("en"):
        path = reverse(
            f"backoffice:registration.{action}",
            kwargs={"event": registration.event.slug, "code": registration.code},
        )
    body = urlencode({"csrfmiddlewaretoken": CSRF, "confirm": "yes", **fields})

    def client(n: int) -> str:
        status, answer, text = _request(
            port, "POST", path, body=body, headers={**headers, "Accept-Language": "en"}
        )
        if status == 302 and f"/{registration.code}/" in answer["Location"]:
            return "done"
        if status == 200 and refusal in text:
            return "refused"
        return f"http_{status}"

    return Counter(all_at_once(CLIENTS, client))


@pytest.mark.parametrize(
    "action, status, logged, mail",
    [
        ("approve", RegistrationStatus.CONFIRMED, "registration.approved", MailKind.APPROVED),
        ("reject", RegistrationStatus.CANCELLED, "registration.rejected", MailKind.REJECTED),
    ],
)
def test_approving_or_rejecting_one_registration_20_times_at_once_does_it_once(
    gunicorn,  # noqa: F811
    secretariat,
    awaiting,
    action,
    status,
    logged,
    mail,
):
    server = gunicorn(sync=True)

    answers = _act_at_once(server.port, secretariat, awaiting, action, AWAITING, message="Welkom")

    assert answers == Counter(done=1, refused=CLIENTS - 1)
    assert Registration.objects.get(pk=awaiting.pk).status == status
    assert history(awaiting).filter(action=logged).count() == 1
    assert OutgoingMail.objects.filter(registration=awaiting, kind=mail).count() == 1


def test_cancelling_one_invoiced_registration_20_times_at_once_credits_it_once(
    gunicorn,  # noqa: F811
    secretariat,
    register,
    drain,  # noqa: F811
):
    registration = register()
    payment_services.choose_provider(registration, provider=ProviderName.INVOICE)
    server = gunicorn(sync=True)

    answers = _act_at_once(
        server.port, secretariat, registration, "cancel", CANCELLED, reason="Ziek"
    )

    assert answers == Counter(done=1, refused=CLIENTS - 1)
    assert_cancelled_and_credited_once(registration, drain)


def test_one_bank_statement_uploaded_10_times_at_once_is_imported_once(
    gunicorn,  # noqa: F811
    event,  # noqa: F811
    six,  # noqa: F811
):
    user = UserFactory()
    TeamMemberFactory(organiser=event.organiser, user=user, role=Role.FINANCE, event=None)
    boundary = "----goedeburen-race"
    headers = {
        **signed_in(user),
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "Accept-Language": "en",
    }
    data = statement("ing_camt053_001_02.xml", six).decode()
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
        f"{CSRF}\r\n--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="ing.xml"\r\n'
        f"Content-Type: application/xml\r\n\r\n{data}\r\n--{boundary}--\r\n"
    )
    with translation.override("en"):
        path = reverse("backoffice:bank.list", kwargs={"event": event.slug})
    server = gunicorn(sync=True)

    def client(n: int) -> str:
        status, answer, text = _request(server.port, "POST", path, body=body, headers=headers)
        if status == 302 and "/bank/" in answer["Location"]:
            return "imported"
        if status == 200 and "This statement was imported before, on " in text:
            return "duplicate"
        return f"http_{status}"

    answers = Counter(all_at_once(10, client))

    assert answers == Counter(imported=1, duplicate=9)
    assert BankStatement.objects.count() == 1
    assert BankTransaction.objects.count() == 4
    assert Payment.objects.filter(provider=ProviderName.BANK_TRANSFER).count() == 2
