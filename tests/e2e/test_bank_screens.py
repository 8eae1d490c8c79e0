"""The organiser's bank and payment screens in Chromium, on a phone and a desktop screen:
the import list, one statement with every line's outcome, the unmatched lines with their
suggestions, and a registration's payments; axe-core checks each. Among the lines: a
return of one share of a split line, a return and the bank's reversal of a return that
wait for a person, and a payer's account that is not an IBAN."""

import itertools

import pytest
from django.test.utils import override_settings

from goedeburen.accounts.models import AppDevice
from tests.clients import current_code
from tests.payments.test_bank_import import statement

from .site import axe_violations, describe_violations

pytestmark = pytest.mark.e2e
PASSWORD = "correct horse battery"
_SIGN_INS = itertools.count()
LONG_ACCOUNT = "0123456789012345678901234567890123"  # Othr/Id: up to 34 characters, no spaces


@pytest.fixture(scope="module")
def books(site, django_db_blocker):
    """The demo with one statement imported: booked, skipped, returned and unmatched lines."""
    from goedeburen.events.demo import load_demo
    from goedeburen.events.models import Role, TeamMember
    from goedeburen.payments import services
    from goedeburen.payments.models import BankTransaction, Payment
    from goedeburen.registration.models import TicketType
    from tests.factories import AttendeeFactory, RegistrationFactory, UserFactory

    # Tasks go nowhere: the booked payment stays unsettled, and no worker of a later test
    # module finds work (mails, invoices) that this module left behind.
    nowhere = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with django_db_blocker.unblock(), override_settings(TASKS=nowhere):
        event, _ = load_demo(upcoming=True)
        user = UserFactory(username="penningmeester")
        user.set_password(PASSWORD)
        user.save()
        TeamMember.objects.create(organiser=event.organiser, user=user, role=Role.OWNER)
        # An organiser's owner signs in with a second factor.
        app = AppDevice.objects.create(user=user, name="app", confirmed=True)
        ticket = TicketType.objects.get(event=event, name_nl="Deelname")
        registrations = {}
        for n in range(1, 5):
            registration = RegistrationFactory(
                event=event, status="pending_payment", booker_name=f"Boeker {n}"
            )
            AttendeeFactory(registration=registration, ticket_type=ticket)
            registrations[n] = registration
        imported = services.import_statement(
            event,
            filename="mixed.xml",
            data=statement("mixed_unusable_camt053_001_08.xml", registrations),
        )
        # One line waits, with a code that is nearly registration 2's.
        code = registrations[2].code
        BankTransaction.objects.filter(statement=imported, skip_reason="zero").update(
            state="unmatched",
            skip_reason="",
            amount=ticket.price,
            remittance=f"Deelname {'Z' if code[0] != 'Z' else 'Y'}{code[1:]}",
        )
        # One line booked for two registrations (a transfer split over them).
        split = BankTransaction.objects.get(statement=imported, skip_reason="currency")
        BankTransaction.objects.filter(pk=split.pk).update(
            state="matched", skip_reason="", currency="EUR", amount=2 * ticket.price
        )
        for n in (3, 4):
            Payment.objects.create(
                registration=registrations[n],
                bank_transaction=split,
                provider="bank_transfer",
                amount=ticket.price,
                state="paid",
            )
        # The states of today's returns, made as the import leaves them.
        waiting = BankTransaction.objects.get(statement=imported, state="unmatched")

        def line(key, **fields):
            fields = {"amount": ticket.price, "debtor_name": "Gemeente Zeist", **fields}
            return BankTransaction.objects.create(
                statement=imported,
                organiser=event.organiser,
                account=waiting.account,
                fingerprint=f"e2e-{key}",
                position=100 + len(key),
                booking_date=waiting.booking_date,
                **fields,
            )

        # The bank sent back registration 4's share of the split line: that payment only.
        share_back = line("share", kind="return", state="returned", reverses=split)
        Payment.objects.filter(registration=registrations[4], bank_transaction=split).update(
            state="returned", returned_by_line=share_back
        )
        # A return that matches no share: it waits for a person, who can only dismiss it.
        line("unclear", kind="return", state="unmatched", amount=ticket.price / 2)
        # The bank undid its return of registration 4's share: money in, waiting too.
        line("reversal", kind="debit_reversal", state="unmatched", reverses=share_back)
        # A payer outside SEPA: an account number that is not an IBAN, as long as it may be.
        BankTransaction.objects.filter(pk=waiting.pk).update(debtor_account=LONG_ACCOUNT)
        line(
            "abroad",
            kind="credit",
            state="matched",
            overpaid=True,
            debtor_name="",
            debtor_account=LONG_ACCOUNT,
        )
        overpaid = BankTransaction.objects.get(fingerprint="e2e-abroad")
        Payment.objects.create(
            registration=registrations[3],
            bank_transaction=overpaid,
            provider="bank_transfer",
            amount=ticket.price,
            state="paid",
        )
    yield {
        "event": event,
        "statement": imported,
        "registration": registrations[1],
        "returned": registrations[4],
        "app": app,
    }


def _signed_in(visit, viewport, app):
    tab = visit("/en/backoffice/login/", viewport=viewport)
    if tab.get_by_label("User name").count():
        tab.get_by_label("User name").fill("penningmeester")
        tab.get_by_label("Password").fill(PASSWORD)
        tab.get_by_role("button", name="Sign in").click()
        tab.wait_for_load_state()
        # A code is accepted once: a second sign-in (the other viewport) takes the next one.
        tab.get_by_label("Code").fill(current_code(app, steps_ahead=next(_SIGN_INS)))
        tab.get_by_role("button", name="Continue").click()
        tab.wait_for_load_state()
    return tab


@pytest.mark.parametrize("viewport", ["360px", "1280px"])
def test_bank_and_payment_screens_have_no_wcag_violations(visit, books, viewport):
    _signed_in(visit, viewport, books["app"])
    slug = books["event"].slug
    pages = {
        "imports": f"/en/backoffice/{slug}/bank/",
        "statement": f"/en/backoffice/{slug}/bank/{books['statement'].pk}/",
        "unmatched": f"/en/backoffice/{slug}/bank/unmatched/",
        "payments": f"/en/backoffice/{slug}/registrations/{books['registration'].code}/payments/",
        "returned share": (
            f"/en/backoffice/{slug}/registrations/{books['returned'].code}/payments/"
        ),
        "overview": f"/en/backoffice/{slug}/payments/",
    }
    for name, path in pages.items():
        tab = visit(path, viewport=viewport)
        violations = axe_violations(tab)
        if violations:
            pytest.fail(f"{name}: {describe_violations(violations)}", pytrace=False)
        width = tab.evaluate("document.documentElement.scrollWidth")
        if viewport == "360px" and name != "statement":  # the statement's table scrolls
            assert width <= 360, name
    unmatched = visit(pages["unmatched"], viewport=viewport).locator("main").inner_text()
    assert "Perhaps it pays for" in unmatched
    assert "Or split it over several registrations" in unmatched
    assert "The bank sent this money back (a return)." in unmatched
    assert "The bank undid its own return" in unmatched
    assert f"The return undid the payment of: {books['returned'].code}" in unmatched
    assert unmatched.count(LONG_ACCOUNT) == 1
    statement = visit(pages["statement"], viewport=viewport).locator("main").inner_text()
    assert "Split over these registrations:" in statement
    assert f"Return of the payment booked for {books['returned'].code}: undone" in statement
    assert "undone by the bank later" in statement
    assert statement.count(LONG_ACCOUNT) == 2
    overview = visit(pages["overview"], viewport=viewport).locator("main").inner_text()
    assert f"({LONG_ACCOUNT})" in overview
