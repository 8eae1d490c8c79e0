"""Bank lines that pay by invoice number, and one line that pays for several registrations.

Accounts-payable systems of municipalities and housing corporations quote our invoice number
("Factuur 2027-0012") rather than the RF reference, and pay several invoices with one
transfer. Such a line is booked only when the amount confirms it: what the one registration
still owes, or exactly what all the named registrations owe together (one payment each).
"""

from decimal import Decimal

import pytest

from goedeburen.common.audit import history
from goedeburen.payments import queries, services
from goedeburen.payments.enums import PaymentState, ProviderName, TransactionState
from goedeburen.payments.exceptions import PaymentError
from goedeburen.payments.models import BankTransaction, Payment
from goedeburen.payments.reference import creditor_reference
from goedeburen.registration.enums import RegistrationStatus
from tests.factories import TicketTypeFactory

from .test_bank_import import ACCOUNT, by_transfer

pytestmark = pytest.mark.django_db

BANK = {"provider": ProviderName.BANK_TRANSFER}


def camt(*entries: str, day: str = "2027-01-22", seq: str = "1") -> bytes:
    """Return a camt.053.001.02 statement of the organiser's account holding `entries`."""
    return (
        "<?xml version='1.0' encoding='UTF-8'?>"
        "<Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.053.001.02'><BkToCstmrStmt>"
        f"<GrpHdr><MsgId>TEST-{day}-{seq}</MsgId></GrpHdr><Stmt><Id>TEST-{day}-{seq}</Id>"
        f"<ElctrncSeqNb>{seq}</ElctrncSeqNb><CreDtTm>{day}T06:00:00</CreDtTm>"
        f"<Acct><Id><IBAN>{ACCOUNT}</IBAN></Id></Acct>" + "".join(entries) + "</Stmt>"
        "</BkToCstmrStmt></Document>"
    ).encode()


def credit(amount: str, *, text: str = "", reference: str = "", key: str = "K1") -> str:
    """Return one incoming transfer of `amount` with free `text` and/or a structured
    `reference`, from the payer's account NL02BNGH0285000000."""
    remittance = f"<Ustrd>{text}</Ustrd>" if text else ""
    if reference:
        remittance += f"<Strd><CdtrRefInf><Ref>{reference}</Ref></CdtrRefInf></Strd>"
    return (
        f"<Ntry><Amt Ccy='EUR'>{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>"
        f"<BookgDt><Dt>2027-01-22</Dt></BookgDt><AcctSvcrRef>{key}</AcctSvcrRef><NtryDtls>"
        f"<TxDtls><Refs><EndToEndId>E2E-{key}</EndToEndId></Refs>"
        f"<AmtDtls><TxAmt><Amt Ccy='EUR'>{amount}</Amt></TxAmt></AmtDtls>"
        "<RltdPties><Dbtr><Nm>Gemeente Zeist</Nm></Dbtr>"
        "<DbtrAcct><Id><IBAN>NL02BNGH0285000000</IBAN></Id></DbtrAcct></RltdPties>"
        f"<RmtInf>{remittance}</RmtInf></TxDtls></NtryDtls></Ntry>"
    )


def returned(amount: str, *, key: str = "K1") -> str:
    """Return the bank's return of the transfer `key` (account closed)."""
    return (
        f"<Ntry><Amt Ccy='EUR'>{amount}</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>"
        f"<BookgDt><Dt>2027-01-25</Dt></BookgDt><AcctSvcrRef>{key}</AcctSvcrRef>"
        "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>RRTN</SubFmlyCd></Fmly>"
        "</Domn></BkTxCd><NtryDtls><TxDtls>"
        f"<Refs><EndToEndId>E2E-{key}</EndToEndId></Refs>"
        f"<AmtDtls><TxAmt><Amt Ccy='EUR'>{amount}</Amt></TxAmt></AmtDtls>"
        "<RltdPties><Dbtr><Nm>Gemeente Zeist</Nm></Dbtr>"
        "<DbtrAcct><Id><IBAN>NL02BNGH0285000000</IBAN></Id></DbtrAcct></RltdPties>"
        "<RtrInf><Rsn><Cd>AC04</Cd></Rsn></RtrInf></TxDtls></NtryDtls></Ntry>"
    )


def number(registration) -> str:
    return queries.current_invoice(registration).number


@pytest.fixture
def two(register):
    """Two registrations pending payment, each with its invoice of € 125,00."""
    return [by_transfer(register, n) for n in (1, 2)]


def _line() -> BankTransaction:
    return BankTransaction.objects.get(kind="credit")


def _paid(line) -> list[tuple]:
    return [(payment.registration, payment.amount) for payment in line.paid_for]


@pytest.mark.parametrize(
    "text",
    [
        "Factuur {number}",
        "factuurnr {number} Goede buren",
        "INV {compact}",
        "Factuurnummer: {compact} / debiteur 4711",
        "uw factuur {number}.",
    ],
)
def test_an_invoice_number_with_the_amount_owed_books_its_registration(two, book, text):
    invoice = number(two[0])
    text = text.format(number=invoice, compact=invoice.replace("-", ""))

    result = book(camt(credit("125.00", text=text)))

    assert (result.lines_matched, result.lines_unmatched) == (1, 0)
    assert _paid(_line()) == [(two[0], Decimal("125.00"))]
    two[0].refresh_from_db()
    assert two[0].status == RegistrationStatus.CONFIRMED


def test_an_invoice_number_with_another_amount_waits_for_a_person(two, book):
    result = book(camt(credit("100.00", text=f"Factuur {number(two[0])}")))

    assert (result.lines_matched, result.lines_unmatched) == (0, 1)
    assert not Payment.objects.filter(**BANK).exists()


@pytest.mark.parametrize(
    "text",
    [
        "Betaling 2027-01-22",  # a date
        "NL91ABNA0417164300",  # an IBAN
        "PO-{number}",  # the payer's own reference that ends like ours
        "{number}-2",
        "{compact}",  # eight digits without a word that says invoice
        "1{number}",
    ],
)
def test_a_number_that_only_looks_like_an_invoice_number_books_nothing(two, book, text):
    invoice = number(two[0])
    text = text.format(number=invoice, compact=invoice.replace("-", ""))

    result = book(camt(credit("125.00", text=text)))

    assert (result.lines_matched, result.lines_unmatched) == (0, 1)
    assert not Payment.objects.filter(**BANK).exists()


def test_a_credit_note_number_never_books_a_payment(two, book):
    invoice = queries.current_invoice(two[0])
    note, new = services.reissue_invoice(invoice, reason="new address")
    assert (note.is_credit_note, queries.balance(two[0]).open) == (True, Decimal("125.00"))

    result = book(camt(credit("125.00", text=f"Creditnota {note.number}")))

    assert (result.lines_matched, result.lines_unmatched) == (0, 1)
    assert not Payment.objects.filter(**BANK).exists()


def test_a_credited_invoice_still_names_its_registration(two, book):
    invoice = queries.current_invoice(two[0])
    services.reissue_invoice(invoice, reason="new address")

    result = book(camt(credit("125.00", text=f"Factuur {invoice.number}")))

    assert result.lines_matched == 1
    assert _paid(_line()) == [(two[0], Decimal("125.00"))]


def test_another_organisers_invoice_number_books_nothing(two, book, register):
    from tests.factories import OpenEventFactory, OrganiserBillingFactory, QuotaFactory

    other_event = OpenEventFactory()
    OrganiserBillingFactory(organiser=other_event.organiser)
    other_ticket = TicketTypeFactory(event=other_event, price=Decimal("125.00"))
    QuotaFactory(event=other_event, size=10, ticket_types=[other_ticket])
    theirs = [services.issue_invoice(register(other_ticket, event=other_event)) for _n in range(3)]
    # Their third number is in no series of ours.
    assert theirs[2].number not in {number(two[0]), number(two[1])}

    result = book(camt(credit("125.00", text=f"Factuur {theirs[2].number}")))

    assert (result.lines_matched, result.lines_unmatched) == (0, 1)


@pytest.mark.parametrize(
    "text",
    [
        "Facturen {n1} en {n2}",
        "Facturen {n1}/{n2}",
        "{code1} {code2}",
        "{rf1} factuur {n2}",
    ],
)
def test_one_line_for_two_registrations_books_a_payment_for_each(two, book, text):
    text = text.format(
        n1=number(two[0]),
        n2=number(two[1]),
        code1=two[0].code,
        code2=two[1].code,
        rf1=creditor_reference(two[0].code),
    )

    result = book(camt(credit("250.00", text=text)))

    assert (result.lines_new, result.lines_matched, result.lines_unmatched) == (1, 1, 0)
    line = _line()
    assert line.state == TransactionState.MATCHED
    assert _paid(line) == [(two[0], Decimal("125.00")), (two[1], Decimal("125.00"))]
    for registration in two:
        registration.refresh_from_db()
        assert registration.status == RegistrationStatus.CONFIRMED
        assert queries.balance(registration).open == Decimal("0.00")
        assert history(registration).filter(action="payment.paid").count() == 1


def test_a_structured_reference_and_a_second_invoice_number_split_by_what_each_owes(two, book):
    services.record_manual_payment(two[1], amount=Decimal("25.00"), note="kas", by=None)

    result = book(
        camt(
            credit(
                "225.00",
                reference=creditor_reference(two[0].code),
                text=f"en factuur {number(two[1])}",
            )
        )
    )

    assert result.lines_matched == 1
    assert _paid(_line()) == [(two[0], Decimal("125.00")), (two[1], Decimal("100.00"))]


@pytest.mark.parametrize("amount", ["125.00", "200.00", "300.00"])
def test_two_registrations_that_do_not_add_up_to_the_amount_book_nothing(two, book, amount):
    # Before, a structured reference took the whole line, whatever else it named: the
    # second registration stayed unpaid, and its follow-up could cancel someone who paid.
    result = book(
        camt(
            credit(
                amount,
                reference=creditor_reference(two[0].code),
                text=f"ook voor {two[1].code}",
            )
        )
    )

    assert (result.lines_matched, result.lines_unmatched) == (0, 1)
    assert not Payment.objects.filter(**BANK).exists()


@pytest.mark.parametrize("amount", ["125.00", "200.00"])
def test_invoice_numbers_joined_by_a_slash_that_do_not_add_up_book_nothing(two, book, amount):
    result = book(camt(credit(amount, text=f"Facturen {number(two[0])}/{number(two[1])}")))

    assert (result.lines_matched, result.lines_unmatched) == (0, 1)
    assert not Payment.objects.filter(**BANK).exists()


def test_a_named_registration_with_nothing_left_to_pay_keeps_the_line_for_a_person(two, book):
    services.record_manual_payment(two[1], amount=Decimal("125.00"), note="kas", by=None)

    result = book(camt(credit("125.00", text=f"{number(two[0])} {number(two[1])}")))

    assert (result.lines_matched, result.lines_unmatched) == (0, 1)


def test_two_lines_for_the_same_registrations_in_one_file_book_the_second_nowhere(two, book):
    text = f"{two[0].code} {two[1].code}"

    result = book(camt(credit("250.00", text=text, key="A"), credit("250.00", text=text, key="B")))

    assert (result.lines_matched, result.lines_unmatched) == (1, 1)
    assert Payment.objects.filter(**BANK).count() == 2


def test_the_return_of_a_split_line_returns_every_payment(event, two, book):
    book(camt(credit("250.00", text=f"{two[0].code} {two[1].code}")))

    result = book(camt(returned("250.00"), day="2027-01-25", seq="2"))

    assert result.lines_returned == 1
    payments = Payment.objects.filter(**BANK).order_by("pk")
    assert [payment.state for payment in payments] == [PaymentState.RETURNED] * 2
    back = BankTransaction.objects.get(kind="return")
    assert back.registrations == two
    for registration in two:
        assert queries.balance(registration).open == Decimal("125.00")
        assert history(registration).filter(action="payment.returned").count() == 1
    assert list(queries.returned_payments(event)) == list(payments.reverse())


def test_the_return_of_one_share_of_a_split_line_undoes_that_payment_only(event, two, book):
    services.record_manual_payment(two[1], amount=Decimal("25.00"), note="kas", by=None)
    book(camt(credit("225.00", text=f"{two[0].code} {two[1].code}")))

    result = book(camt(returned("100.00"), day="2027-01-25", seq="2"))

    assert (result.lines_returned, result.lines_unmatched) == (1, 0)
    back = BankTransaction.objects.get(kind="return")
    assert (back.state, back.reverses) == (TransactionState.RETURNED, _line())
    assert [(p.registration, p.amount) for p in back.paid_for] == [(two[1], Decimal("100.00"))]
    assert [(p.registration, p.state) for p in _line().paid_for] == [
        (two[0], PaymentState.PAID),
        (two[1], PaymentState.RETURNED),
    ]
    assert queries.balance(two[0]).open == Decimal("0.00")
    assert queries.balance(two[1]).open == Decimal("100.00")
    assert history(two[1]).filter(action="payment.returned").count() == 1
    assert not history(two[0]).filter(action="payment.returned").exists()


def test_what_returns_undid_is_read_with_the_lines_for_exports(
    event, two, book, django_assert_num_queries
):
    services.record_manual_payment(two[1], amount=Decimal("25.00"), note="kas", by=None)
    book(camt(credit("225.00", text=f"{two[0].code} {two[1].code}")))
    book(camt(returned("100.00"), day="2027-01-25", seq="2"))
    lines = list(queries.bank_lines(event.organiser))

    with django_assert_num_queries(0):
        paid_for = [[payment.registration for payment in line.paid_for] for line in lines]

    assert paid_for == [two, [two[1]]]


@pytest.mark.parametrize(
    ("paid", "back"),
    [
        ("250.00", "125.00"),  # two shares of € 125,00: which one?
        ("225.00", "50.00"),  # no share of € 50,00
    ],
    ids=["two_fit", "none_fits"],
)
def test_a_part_of_a_split_line_that_fits_no_one_share_waits_for_a_person(
    event, two, book, paid, back
):
    if paid == "225.00":
        services.record_manual_payment(two[1], amount=Decimal("25.00"), note="kas", by=None)
    book(camt(credit(paid, text=f"{two[0].code} {two[1].code}")))

    result = book(camt(returned(back), day="2027-01-25", seq="2"))

    assert (result.lines_returned, result.lines_unmatched) == (0, 1)
    line = BankTransaction.objects.get(kind="return")
    assert (line.state, line.reverses, line.skip_reason) == (TransactionState.UNMATCHED, None, "")
    assert {p.state for p in Payment.objects.filter(**BANK)} == {PaymentState.PAID}
    # Money out is never booked as a registration's payment; a person dismisses it.
    with pytest.raises(PaymentError) as refused:
        services.assign_transaction(line, code=two[0].code, by=None)
    assert refused.value.code == "not_a_payment"
    services.dismiss_transaction(line, note="terugbetaald aan de gemeente", by=None)
    line.refresh_from_db()
    assert line.state == TransactionState.DISMISSED


def reversed_return(amount: str, *, key: str = "K1") -> str:
    """Return the bank's reversal of its return of the transfer `key`: money in again."""
    entry = returned(amount, key=key).replace("<CdtDbtInd>DBIT</CdtDbtInd>", "")
    return entry.replace(
        "<Sts>BOOK</Sts>", "<CdtDbtInd>CRDT</CdtDbtInd><RvslInd>true</RvslInd><Sts>BOOK</Sts>"
    ).replace("2027-01-25", "2027-01-27")


def test_the_reversal_of_a_return_waits_for_a_person_who_may_book_it(event, two, book):
    book(camt(credit("125.00", text=two[0].code)))
    book(camt(returned("125.00"), day="2027-01-25", seq="2"))
    back = BankTransaction.objects.get(kind="return")

    result = book(camt(reversed_return("125.00"), day="2027-01-27", seq="3"))

    assert (result.lines_unmatched, result.lines_skipped, result.lines_matched) == (1, 0, 0)
    line = BankTransaction.objects.get(kind="debit_reversal")
    assert (line.state, line.skip_reason, line.reverses) == (TransactionState.UNMATCHED, "", back)
    assert line.reverses.registrations == [two[0]]
    assert queries.balance(two[0]).open == Decimal("125.00")  # nothing booked by itself
    payment = services.assign_transaction(line, code=two[0].code, by=None)
    assert (payment.amount, payment.state) == (Decimal("125.00"), PaymentState.PAID)
    assert queries.balance(two[0]).open == Decimal("0.00")
    line.refresh_from_db()
    assert line.paid_for == [payment]


def test_money_in_that_undoes_no_return_of_ours_stays_skipped(event, two, book):
    book(camt(credit("125.00", text=two[0].code)))
    book(camt(returned("125.00"), day="2027-01-25", seq="2"))

    result = book(camt(reversed_return("100.00"), day="2027-01-27", seq="3"))

    assert (result.lines_unmatched, result.lines_skipped) == (0, 1)
    line = BankTransaction.objects.get(kind="debit_reversal")
    assert (line.state, line.skip_reason) == (TransactionState.SKIPPED, "debit_reversal")


def _unmatched(book, amount: str = "250.00") -> BankTransaction:
    book(camt(credit(amount, text="Bijdrage congres")))
    return _line()


def test_a_line_split_by_hand_books_a_payment_for_each(two, book, immediate_tasks):
    line = _unmatched(book)

    payments = services.split_transaction(
        line,
        shares=[(two[0].code.lower(), Decimal("125.00")), (two[1].code, Decimal("125.00"))],
        by=None,
    )

    line.refresh_from_db()
    assert line.state == TransactionState.MATCHED
    assert [p.bank_transaction_id for p in payments] == [line.pk, line.pk]
    assert _paid(line) == [(two[0], Decimal("125.00")), (two[1], Decimal("125.00"))]
    assert history(line).get().action == "bank_transaction.split"
    for registration in two:
        registration.refresh_from_db()
        assert registration.status == RegistrationStatus.CONFIRMED


@pytest.mark.parametrize(
    ("shares", "code"),
    [
        ([(0, "125.00"), (1, "100.00")], "split_sum"),
        ([(0, "125.00"), (1, "125.01")], "split_sum"),
        ([(0, "125.00"), (0, "125.00")], "split_twice"),
        ([(0, "250.00"), (1, "0.00")], "amount_invalid"),
        ([(0, "125.00"), ("ZZZZ2345", "125.00")], "not_found"),
    ],
    ids=["short", "a_cent_over", "twice", "zero", "unknown"],
)
def test_a_split_that_is_wrong_books_nothing(two, book, shares, code):
    line = _unmatched(book)
    shares = [
        (two[who].code if isinstance(who, int) else who, Decimal(amount)) for who, amount in shares
    ]

    with pytest.raises(PaymentError) as refused:
        services.split_transaction(line, shares=shares, by=None)

    assert refused.value.code == code
    line.refresh_from_db()
    assert (line.state, line.paid_for) == (TransactionState.UNMATCHED, [])
    assert not Payment.objects.filter(**BANK).exists()


def test_a_split_line_cannot_be_split_again(two, book):
    line = _unmatched(book)
    shares = [(two[0].code, Decimal("125.00")), (two[1].code, Decimal("125.00"))]
    services.split_transaction(line, shares=shares, by=None)

    with pytest.raises(PaymentError) as refused:
        services.split_transaction(line, shares=shares, by=None)

    assert refused.value.code == "wrong_state"
    assert Payment.objects.filter(**BANK).count() == 2
