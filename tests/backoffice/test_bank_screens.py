"""The bank statement screens: every import can be opened with every line's outcome;
unmatched lines get suggestions and are booked in one click; assigning never answers 500,
not even when two people assign the same line at once."""

import io
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from goedeburen.payments.camt import MAX_BYTES
from goedeburen.payments.enums import TransactionState
from goedeburen.payments.models import BankStatement, BankTransaction, Payment
from goedeburen.registration.enums import RegistrationStatus
from tests.backoffice.conftest import CONFIRM, _bank_line, url
from tests.clients import StaffClient
from tests.factories import OrganiserBillingFactory, RegistrationFactory
from tests.payments.test_bank_files import SAVINGS, archive, day
from tests.payments.test_bank_import import statement
from tests.payments.test_bank_import_invoices import camt, credit, returned, reversed_return
from tests.seams import without_bank_line_lock

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(world):
    return OrganiserBillingFactory(organiser=world.organiser)


def _upload(client, world, data: bytes, name: str = "statement.xml"):
    upload = io.BytesIO(data)
    upload.name = name
    return client.post(url("bank.list", world), {"file": upload}, follow=True)


def _pending(world):
    world.registration.status = RegistrationStatus.PENDING_PAYMENT
    world.registration.save()
    return world.registration


def test_an_import_opens_with_every_line_and_its_outcome(owner_client, world, account, english):
    registration = _pending(world)

    response = _upload(
        owner_client, world, statement("mixed_unusable_camt053_001_08.xml", {1: registration})
    )

    statement_row = BankStatement.objects.get()
    assert response.redirect_chain[-1][0] == _statement_path(world, statement_row.pk)
    html = response.content.decode()
    assert "6 new lines imported: 1 booked, 0 unmatched, 5 skipped, 0 returns" in html
    for outcome in [
        "Skipped: the amount is zero",
        "Skipped: the amount is not in euros",
        "Skipped: the amount has more than two decimals",
        "Skipped: not booked yet by the bank (pending)",
        "Skipped: the reversal of money out, not a payment",
        f'Booked for registration <a class="utrecht-link" href="/en/backoffice/'
        f'{world.event.slug}/registrations/{registration.code}/payments/">{registration.code}</a>',
    ]:
        assert outcome in html
    assert "USD 150.00" in html
    # And it can be opened again later from the list of imports.
    listing = owner_client.get(url("bank.list", world)).content.decode()
    assert f"/bank/{statement_row.pk}/" in listing


def test_an_account_that_is_not_an_iban_is_shown(owner_client, world, account, english):
    registration = _pending(world)
    data = statement("other_accounts_camt053_001_02.xml", {1: registration, 2: registration})
    data = data.replace(registration.code.encode(), b"")  # both wait for a person

    response = _upload(owner_client, world, data)

    html = response.content.decode()
    assert "Kees van Dijk<br>0123456789" in html
    assert "Gemeente Houten<br>NL39RABO0300065264" in html
    unmatched = owner_client.get(url("bank.unmatched", world)).content.decode()
    assert "<dd>0123456789</dd>" in unmatched


def test_a_return_that_waits_for_a_person_can_only_be_dismissed(owner_client, world, english):
    line = _bank_line(world)
    BankTransaction.objects.filter(pk=line.pk).update(kind="return", amount="62.50")

    page = owner_client.get(url("bank.unmatched", world)).content.decode()
    booked = owner_client.post(
        url("bank.assign", world), {"code": world.registration.code, **CONFIRM}, follow=True
    )

    assert "The bank sent this money back (a return)." in page
    assert "−€ 62,50 back to" in page
    assert "Book for this registration" not in page
    assert "Split the line" not in page
    assert "Dismiss" in page
    assert "This line is money the bank sent back, not a payment" in booked.content.decode()
    line.refresh_from_db()
    assert (line.state, line.paid_for) == (TransactionState.UNMATCHED, [])


def test_the_reversal_of_a_return_is_shown_for_a_person_with_its_registration(
    owner_client, world, account, english
):
    registration = _pending(world)
    code = registration.code
    _upload(owner_client, world, camt(credit("125.00", text=code)))
    _upload(owner_client, world, camt(returned("125.00"), day="2027-01-25", seq="2"))

    response = _upload(
        owner_client, world, camt(reversed_return("125.00"), day="2027-01-27", seq="3")
    )

    assert "Unmatched: waits for you" in response.content.decode()
    page = owner_client.get(url("bank.unmatched", world)).content.decode()
    assert "The bank undid its own return" in page
    assert 'The return undid the payment of: <a class="utrecht-link"' in page
    assert f'/payments/">{code}</a> (€ 125,00)' in page
    assert "Book for this registration" in page
    returns = owner_client.get(_statement_path(world, BankStatement.objects.order_by("pk")[1].pk))
    assert "undone by the bank later" in returns.content.decode()


def _statement_path(world, pk: int) -> str:
    return reverse("backoffice:bank.statement", kwargs={"event": world.event.slug, "pk": pk})


def _refund_path(world, payment) -> str:
    return reverse(
        "backoffice:registration.refund",
        kwargs={"event": world.event.slug, "code": world.registration.code, "payment": payment.pk},
    )


def test_a_statement_of_another_account_is_refused_on_screen(owner_client, world, account, english):
    data = statement("rabobank_twice_camt053_001_02.xml", {}, ACCOUNT="NL69INGB0123456789")

    response = _upload(owner_client, world, data)

    assert response.status_code == 200
    assert "This statement is for account NL69 INGB 0123 4567 89" in response.content.decode()
    assert not BankStatement.objects.exists()


def _booked_line(world, statement, n: int, registrations) -> BankTransaction:
    """A matched line of € 1,00 a registration, with a payment for each (two: a split line)."""
    line = BankTransaction.objects.create(
        statement=statement,
        organiser=world.organiser,
        fingerprint=f"more-{n}",
        amount=Decimal(len(registrations)),
        booking_date="2026-11-23",
        state=TransactionState.MATCHED,
        position=n + 1,
    )
    for registration in registrations:
        Payment.objects.create(
            registration=registration,
            bank_transaction=line,
            provider="bank_transfer",
            amount="1.00",
            state="paid",
        )
    return line


def test_the_statement_screen_costs_the_same_queries_for_one_and_three_lines(owner_client, world):
    statement_row = _bank_line(world).statement
    path = url("bank.statement", world)
    _booked_line(world, statement_row, 0, [world.registration])

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert owner_client.get(path).status_code == 200
        return len(captured)

    one = count()
    other = RegistrationFactory(event=world.event)
    _booked_line(world, statement_row, 1, [world.registration, other])  # a split line
    _booked_line(world, statement_row, 2, [other])

    assert count() == one


def test_another_organisers_statement_is_not_found(owner_client, world, other_world):
    theirs = _bank_line(other_world).statement

    response = owner_client.get(_statement_path(world, theirs.pk))

    assert response.status_code == 404


def test_an_unmatched_line_suggests_the_registration_and_books_it_in_one_click(
    owner_client, world, english
):
    registration = _pending(world)
    line = _bank_line(world)
    typo = ("Z" if registration.code[0] != "Z" else "Y") + registration.code[1:]
    BankTransaction.objects.filter(pk=line.pk).update(
        remittance=f"Deelname {typo}", debtor_name="Iemand Anders"
    )

    html = owner_client.get(url("bank.unmatched", world)).content.decode()

    assert f"Book for {registration.code}" in html
    assert "a code in the description is nearly this one" in html
    response = owner_client.post(url("bank.assign", world), {"code": registration.code, **CONFIRM})
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.state, line.registrations) == (TransactionState.MATCHED, [registration])


def test_a_payer_name_close_to_the_booker_is_suggested(owner_client, world, english):
    registration = _pending(world)
    line = _bank_line(world)
    BankTransaction.objects.filter(pk=line.pk).update(debtor_name="B. Boeker", remittance="")
    registration.booker_name = "B Boeker"
    registration.save()

    html = owner_client.get(url("bank.unmatched", world)).content.decode()

    assert f"Book for {registration.code}" in html
    assert "name is close" in html


@pytest.mark.parametrize(
    ("remittance", "suggested"),
    [
        ("J. DE VRIES INSCHRIJVING GOEDE BUREN", True),
        ("INSCHRIJVING J. DE VRIES GOEDE BUREN", False),  # the name must open it
    ],
)
def test_a_description_opening_with_the_bookers_name_is_suggested_without_a_payer_name(
    owner_client, world, english, remittance, suggested
):
    # Triodos's MT940 does not mark where the payer's name ends: it opens the description.
    registration = _pending(world)
    line = _bank_line(world)
    BankTransaction.objects.filter(pk=line.pk).update(debtor_name="", remittance=remittance)
    registration.booker_name = "Jan de Vries"
    registration.save()

    html = owner_client.get(url("bank.unmatched", world)).content.decode()

    assert (f"Book for {registration.code}" in html) is suggested
    assert ("name is close" in html) is suggested


def test_no_suggestion_for_another_amount(owner_client, world, english):
    registration = _pending(world)
    line = _bank_line(world)
    BankTransaction.objects.filter(pk=line.pk).update(
        amount=Decimal("99.00"), remittance=f"Deelname {registration.code[:-1]}X"
    )

    html = owner_client.get(url("bank.unmatched", world)).content.decode()

    assert f"Book for {registration.code}" not in html


MESSAGES = [
    "The line is booked for registration {code}.",
    "This bank statement line was already handled.",
]
SPLIT_MESSAGES = [
    "The line is split: {code} € 62,50, {other} € 62,50.",
    "This bank statement line was already handled.",
]


def _split(world, other) -> dict:
    return {"shares": f"{world.registration.code} 62,50\n{other.code} 62,50"}


def _assign_twice_at_once(world, *, split=False) -> tuple[list[int], list[str]]:
    line = _bank_line(world)
    code = world.registration.code
    other = RegistrationFactory(event=world.event, status=RegistrationStatus.PENDING_PAYMENT)
    form, messages = (_split(world, other), SPLIT_MESSAGES) if split else ({"code": code}, MESSAGES)
    path = url("bank.assign", world)
    barrier = threading.Barrier(2)
    codes, said = [], []

    def assign():
        try:
            client = StaffClient()
            client.force_login(world.owner)
            barrier.wait()
            response = client.post(path, {**form, **CONFIRM}, follow=True)
            codes.append(response.redirect_chain[0][1] if response.redirect_chain else 200)
            # The page, not response.context: the test client's context capture is not
            # thread-safe.
            html = response.content.decode()
            said.extend(
                text for text in messages if text.format(code=code, other=other.code) in html
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=assign) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    line.refresh_from_db()
    return codes, said


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("split", [False, True], ids=["assign", "split"])
def test_two_people_assigning_one_line_at_once_book_it_once_without_a_500(
    on_postgresql, world, english, split
):
    _pending(world)

    codes, said = _assign_twice_at_once(world, split=split)

    assert codes == [302, 302]
    assert Payment.objects.filter(registration=world.registration).count() == 1
    assert Payment.objects.filter(bank_transaction__isnull=False).count() == (2 if split else 1)
    assert sorted(said) == sorted(SPLIT_MESSAGES if split else MESSAGES)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("split", [False, True], ids=["assign", "split"])
def test_negative_control_without_the_line_lock_the_line_is_booked_twice(
    on_postgresql, world, monkeypatch, english, split
):
    _pending(world)
    without_bank_line_lock(monkeypatch.setattr)

    codes, _said = _assign_twice_at_once(world, split=split)

    assert codes == [302, 302]
    assert Payment.objects.filter(registration=world.registration).count() == 2


def test_an_unmatched_line_is_split_by_hand_in_dutch_amounts(owner_client, world, english):
    _pending(world)
    line = _bank_line(world)
    other = RegistrationFactory(event=world.event, status=RegistrationStatus.PENDING_PAYMENT)

    screen = owner_client.get(url("bank.unmatched", world)).content.decode()
    asked = owner_client.post(url("bank.assign", world), _split(world, other))
    response = owner_client.post(
        url("bank.assign", world), {**_split(world, other), **CONFIRM}, follow=True
    )

    assert "Or split it over several registrations" in screen
    assert "Together exactly € 125,00." in screen
    assert (
        f"The line is split into a payment for each of these registrations, each counting "
        f"towards what it owes: {world.registration.code} € 62,50, {other.code} € 62,50."
    ) in asked.content.decode()
    line.refresh_from_db()
    assert line.state == TransactionState.MATCHED
    assert [(p.registration, p.amount) for p in line.paid_for] == [
        (world.registration, Decimal("62.50")),
        (other, Decimal("62.50")),
    ]
    assert (
        f"The line is split: {world.registration.code} € 62,50, {other.code} € 62,50."
        in response.content.decode()
    )
    statement_html = owner_client.get(url("bank.statement", world)).content.decode()
    assert "Split over these registrations:" in statement_html
    for code in (world.registration.code, other.code):
        assert f"/registrations/{code}/payments/" in statement_html


@pytest.mark.parametrize(
    ("shares", "message"),
    [
        (
            "{a} 62,50\n{b} 60,00",
            "De bedragen zijn samen € 122,50, maar de bankregel is € 125,00. Die moeten gelijk "
            "zijn. Er is niets geboekt.",
        ),
        ("{a} 62,50\n{a} 62,50", "Een aanmeldcode staat er twee keer in."),
        ("{a} 62,50\nZZZZ2345 62,50", "Er is geen aanmelding met de code “ZZZZ2345” gevonden."),
        ("{a} 62,50\n{b} 62,505", "het bedrag is geen bedrag in euro’s"),
        ("{a} 62,50\n{b} 1.062,50.00", "het bedrag is geen bedrag in euro’s"),
        ("hallo daar", "“hallo daar” is geen code met een bedrag"),
        ("", "Vul één aanmeldcode in, of de aanmeldingen en bedragen om over te verdelen."),
    ],
    ids=["sum", "twice", "unknown", "decimals", "garbage_amount", "garbage", "empty"],
)
def test_a_wrong_split_gets_a_dutch_message_and_changes_nothing(
    owner_client, world, shares, message
):
    _pending(world)
    line = _bank_line(world)
    other = RegistrationFactory(event=world.event, status=RegistrationStatus.PENDING_PAYMENT)
    shares = shares.format(a=world.registration.code, b=other.code)

    response = owner_client.post(
        url("bank.assign", world), {"shares": shares, **CONFIRM}, follow=True
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    line.refresh_from_db()
    assert (line.state, line.paid_for) == (TransactionState.UNMATCHED, [])
    assert not Payment.objects.exists()


@pytest.mark.parametrize("sent", ["code", "shares"])
def test_an_unknown_code_is_refused_before_asking_to_book_onto_it(
    owner_client, world, english, sent
):
    # Not "Book this bank line? … as a payment of registration INFINITY", then a refusal.
    _pending(world)
    line = _bank_line(world)
    data = {"code": "ZZZZ2345"} if sent == "code" else {"shares": "ZZZZ2345 62,50\nYYYY2345 62,50"}

    response = owner_client.post(url("bank.assign", world), data, follow=True)

    html = response.content.decode()
    assert "Book this bank line?" not in html
    assert "No registration with the code “ZZZZ2345” was found." in html
    assert BankTransaction.objects.get(pk=line.pk).state == TransactionState.UNMATCHED
    assert not Payment.objects.exists()


def test_a_split_onto_another_organisers_registration_reads_as_unknown(
    owner_client, world, other_world, english
):
    _pending(world)
    line = _bank_line(world)
    theirs = other_world.registration.code

    response = owner_client.post(
        url("bank.assign", world),
        {"shares": f"{world.registration.code} 62,50\n{theirs} 62,50", **CONFIRM},
        follow=True,
    )

    assert f"No registration with the code “{theirs}” was found." in response.content.decode()
    assert BankTransaction.objects.get(pk=line.pk).state == TransactionState.UNMATCHED
    assert not Payment.objects.exists()


def test_manual_payment_of_more_than_is_owed_needs_a_confirmation(owner_client, world, english):
    registration = _pending(world)
    path = url("registration.record_payment", world)

    refused = owner_client.post(path, {"amount": "200,00", "note": "kas", "submission": "a1"})

    assert refused.status_code == 200
    assert "€200.00 is more than the €125.00 this registration still owes" in (
        refused.content.decode()
    )
    assert not Payment.objects.exists()
    confirmed = owner_client.post(
        path,
        {"amount": "200,00", "note": "kas", "submission": "a1", "confirm_overpayment": "on"},
    )
    assert confirmed.status_code == 302
    assert Payment.objects.get(registration=registration).amount == Decimal("200.00")


def test_the_same_payment_form_sent_twice_records_once(owner_client, world):
    _pending(world)
    path = url("registration.record_payment", world)
    form = {"amount": "125.00", "note": "kas", "submission": "f00d"}

    first = owner_client.post(path, form)
    again = owner_client.post(path, form)  # the back button, or a double click

    assert (first.status_code, again.status_code) == (302, 302)
    assert Payment.objects.filter(registration=world.registration).count() == 1


def test_the_payment_form_carries_a_fresh_token(owner_client, world):
    html = owner_client.get(url("registration.payments", world)).content.decode()

    assert 'type="hidden" name="submission"' in html


def test_refund_accepts_the_dutch_decimal_comma_it_prefills(owner_client, world):
    payment = Payment.objects.create(
        registration=world.registration, provider="manual", amount="125.00", state="paid"
    )
    page = owner_client.get(url("registration.payments", world)).content.decode()
    assert 'value="125,00"' in page  # what a Dutch organiser sees in the field
    path = _refund_path(world, payment)

    response = owner_client.post(
        path, {"amount": "125,00", "reason": "geannuleerd", "confirm": "yes"}
    )

    assert response.status_code == 302
    assert payment.refunds.get().amount == Decimal("125.00")


def test_the_same_refund_form_sent_twice_refunds_once(owner_client, world):
    payment = Payment.objects.create(
        registration=world.registration, provider="manual", amount="125.00", state="paid"
    )
    path = _refund_path(world, payment)
    form = {"amount": "25,00", "reason": "geen lunch", "submission": "beef-1", "confirm": "yes"}

    owner_client.post(path, form)
    owner_client.post(path, form)

    assert [r.amount for r in payment.refunds.all()] == [Decimal("25.00")]


@pytest.mark.parametrize("amount", ["1,250", "12,345", "abc", "-5", "1e999", ""])
def test_a_refund_of_an_unreadable_amount_changes_nothing(owner_client, world, amount):
    payment = Payment.objects.create(
        registration=world.registration, provider="manual", amount="125.00", state="paid"
    )
    path = _refund_path(world, payment)

    response = owner_client.post(path, {"amount": amount, "reason": "x", "confirm": "yes"})

    assert response.status_code == 302
    assert not payment.refunds.exists()


def test_a_zip_archive_of_statements_is_imported_on_screen(owner_client, world, account, english):
    registration = _pending(world)
    first = statement("ing_accounts_camt053_001_02.xml", {1: registration}, SAVINGS=SAVINGS)
    second = day(2, registration)

    response = _upload(owner_client, world, archive(("a.xml", first), ("b.xml", second)), "x.zip")

    assert response.redirect_chain[-1][0] == reverse(
        "backoffice:bank.list", kwargs={"event": world.event.slug}
    )
    html = response.content.decode()
    assert "2 statement files imported, 4 new lines: 2 booked, 2 unmatched" in html
    assert "The file also holds statements of account NL69 INGB 0123 4567 89, which is" in html
    assert [s.filename for s in BankStatement.objects.order_by("pk")] == [
        "x.zip/a.xml",
        "x.zip/b.xml",
    ]


def test_an_mt940_file_is_imported_on_screen(owner_client, world, account, english):
    registration = _pending(world)
    data = statement("ing_mt940_structured.sta", {1: registration}, CODE2_HEAD="ZZZ")
    data = data.replace(b"{{CODE2_TAIL}}", b"ZZZZZ").replace(b"{{RF3}}", b"NOTPROVIDED")

    response = _upload(owner_client, world, data, "ing.sta")

    statement_row = BankStatement.objects.get()
    assert response.redirect_chain[-1][0] == _statement_path(world, statement_row.pk)
    html = response.content.decode()
    assert "5 new lines imported: 1 booked, 3 unmatched, 1 skipped, 0 returns" in html
    assert (statement_row.filename, statement_row.statement_id) == ("ing.sta", "P261124000000001")
    assert Payment.objects.get(registration=registration).amount == Decimal("125.00")


def test_an_mt942_file_is_refused_on_screen_in_dutch(owner_client, world, account):
    response = owner_client.post(
        reverse("backoffice:bank.list", kwargs={"event": world.event.slug}).replace("/en/", "/"),
        {"file": _named(statement("ing_mt942.sta", {}), "ing.sta")},
        HTTP_ACCEPT_LANGUAGE="nl",
    )

    assert response.status_code == 200
    assert "het is een tussentijds rapport (MT942); de betalingen daarin komen terug" in (
        response.content.decode()
    )
    assert not BankStatement.objects.exists()


def _named(data: bytes, name: str):
    upload = io.BytesIO(data)
    upload.name = name
    return upload


MT940_POINT = (
    b":20:X\n:25:NL91ABNA0417164300EUR\n:28C:00000\n:60F:C261123EUR0,00\n"
    b":61:2611241124C125.50NTRFNONREF\n:86:/REMI/USTD//Deelname/\n:62F:C261124EUR125,50\n"
)


@pytest.mark.parametrize(
    ("damage", "name", "reason"),
    [
        (
            lambda good: good[: len(good) // 2],
            "afschrift.xml",
            "het is een CAMT.053-bestand, maar het is beschadigd of afgebroken",
        ),
        (
            lambda good: archive(("a.xml", good), ("b.sta", MT940_POINT)),
            "afschriften.zip",
            "het bestand “b.sta” in het ZIP-bestand: het bedrag “125.50” is geen geldig bedrag",
        ),
    ],
    ids=["cut_off", "archive_with_a_bad_file"],
)
def test_a_bad_statement_upload_says_why_in_dutch_and_books_nothing(
    owner_client, world, account, damage, name, reason
):
    registration = _pending(world)
    good = day(1, registration)

    response = _upload(owner_client, world, damage(good), name)

    assert response.status_code == 200
    assert not response.redirect_chain
    html = response.content.decode()
    assert "Dit bestand is geen leesbaar bankafschrift (CAMT.053 of MT940): " in html
    assert reason in html
    assert not BankStatement.objects.exists()
    assert not BankTransaction.objects.exists()
    assert not Payment.objects.filter(registration=registration).exists()
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.PENDING_PAYMENT


def test_a_statement_of_ten_megabytes_is_imported_and_one_byte_more_refused(
    owner_client, world, account
):
    """10 MB is the limit (`camt.MAX_BYTES`): an import runs in the request, and a 50 MB
    file took longer than the web server waits. The file is padded with XML's own
    whitespace to the limit, then one byte past it; so is a ZIP's content."""
    registration = _pending(world)
    good = day(1, registration)
    at_limit = good + b" " * (MAX_BYTES - len(good))
    nl = reverse("backoffice:bank.list", kwargs={"event": world.event.slug}).replace("/en/", "/")

    def upload(data: bytes, name: str):
        return owner_client.post(nl, {"file": _named(data, name)}, HTTP_ACCEPT_LANGUAGE="nl")

    too_large = upload(at_limit + b" ", "afschrift.xml")
    zipped = upload(archive(("a.xml", at_limit[:-1]), ("b.xml", b"  ")), "afschriften.zip")

    assert "Het bestand is groter dan 10 MB." in too_large.content.decode()
    assert "het ZIP-bestand is uitgepakt groter dan 10 MB" in zipped.content.decode()
    assert not BankStatement.objects.exists()
    assert upload(at_limit, "afschrift.xml").status_code == 302
    assert Payment.objects.filter(registration=registration).exists()
