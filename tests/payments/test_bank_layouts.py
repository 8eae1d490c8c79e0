"""Layouts of real bank files beyond the first samples: batches without amounts per
transaction, payments in another currency, returned refunds, zoned dates, exports that reuse
a statement id, namespace prefixes and amounts written without cents. Each is booked as a
careful secretariat would: the right registration, the right amount, never twice."""

import re
from decimal import Decimal

import pytest

from goedeburen.payments import camt, mt940_statements, queries
from goedeburen.payments.enums import PaymentState, ProviderName, TransactionState
from goedeburen.payments.exceptions import PaymentError
from goedeburen.payments.models import BankStatement, BankTransaction, Payment
from goedeburen.payments.reference import creditor_reference
from goedeburen.payments.services.retention import purge_invoices
from goedeburen.registration.enums import RegistrationStatus

from .test_bank_import import DATA, by_transfer, statement

BANK_PAYMENTS = {"provider": ProviderName.BANK_TRANSFER}


@pytest.fixture
def two(register):
    return {n: by_transfer(register, n) for n in (1, 2)}


def test_a_batch_without_amounts_per_transaction_is_one_line_split_over_its_references(
    event, two, book
):
    data = statement("rabobank_batch_no_amounts_camt053_001_02.xml", two)

    result = book(data, "rabo-batch.xml")

    # Not two lines of € 250,00 each, both booked (€ 500,00 for € 250,00 received): one
    # line of € 250,00 that names two registrations owing € 125,00 each, so one payment each.
    (line,) = BankTransaction.objects.filter(statement=result)
    assert (line.amount, line.state) == (Decimal("250.00"), TransactionState.MATCHED)
    assert [(p.registration, p.amount) for p in line.paid_for] == [
        (two[1], Decimal("125.00")),
        (two[2], Decimal("125.00")),
    ]
    assert line.remittance == "; ".join(creditor_reference(two[n].code) for n in (1, 2))
    assert Payment.objects.filter(**BANK_PAYMENTS).count() == 2


def test_a_batch_total_that_is_not_what_its_references_owe_waits_for_a_person(event, two, book):
    data = statement("rabobank_batch_no_amounts_camt053_001_02.xml", two).replace(
        b'<Amt Ccy="EUR">250.00</Amt>', b'<Amt Ccy="EUR">240.00</Amt>', 1
    )

    result = book(data, "rabo-batch.xml")

    (line,) = BankTransaction.objects.filter(statement=result)
    assert (line.amount, line.state, line.paid_for) == (
        Decimal("240.00"),
        TransactionState.UNMATCHED,
        [],
    )
    assert not Payment.objects.filter(**BANK_PAYMENTS).exists()


def _batch_with(amounts: list[tuple[bytes, bytes]], two) -> bytes:
    """Return Rabobank's batch sample with each transaction's (indicator, amount) stated;
    no indicator element for b""."""
    data = statement("rabobank_batch_no_amounts_camt053_001_02.xml", two)
    for end_to_end, (indicator, amount) in zip(
        (b"WSL-2026-0001", b"WSL-2026-0002"), amounts, strict=True
    ):
        data = data.replace(
            b"<Refs><EndToEndId>" + end_to_end + b"</EndToEndId></Refs>",
            b"<Refs><EndToEndId>" + end_to_end + b"</EndToEndId></Refs>"
            b'<AmtDtls><TxAmt><Amt Ccy="EUR">'
            + amount
            + b"</Amt></TxAmt></AmtDtls>"
            + (b"<CdtDbtInd>" + indicator + b"</CdtDbtInd>" if indicator else b""),
        )
    return data


def test_a_batch_with_amounts_per_transaction_books_each(event, two, book):
    data = _batch_with([(b"", b"100.00"), (b"", b"150.00")], two)

    result = book(data, "rabo-batch.xml")

    lines = BankTransaction.objects.filter(statement=result).order_by("position")
    assert [(line.amount, line.registrations) for line in lines] == [
        (Decimal("100.00"), [two[1]]),
        (Decimal("150.00"), [two[2]]),
    ]


def test_a_batch_whose_amounts_do_not_add_up_is_one_line_of_what_was_booked(event, two, book):
    # € 200,00 stated for a batch the bank booked as € 250,00: not two payments of € 100,00.
    data = _batch_with([(b"CRDT", b"100.00"), (b"CRDT", b"100.00")], two)

    result = book(data, "rabo-batch.xml")

    (line,) = BankTransaction.objects.filter(statement=result)
    assert (line.amount, line.state) == (Decimal("250.00"), TransactionState.MATCHED)
    assert [(p.registration, p.amount) for p in line.paid_for] == [
        (two[1], Decimal("125.00")),
        (two[2], Decimal("125.00")),
    ]


def test_a_batch_with_a_debit_among_its_credits_adds_up_and_books_each(event, two, book):
    data = _batch_with([(b"CRDT", b"125.00"), (b"CRDT", b"125.50")], two).replace(
        b"</TxDtls>\n        </NtryDtls>",
        b"</TxDtls><TxDtls><Refs><EndToEndId>FEE</EndToEndId></Refs><AmtDtls><TxAmt>"
        b'<Amt Ccy="EUR">0.50</Amt></TxAmt></AmtDtls><CdtDbtInd>DBIT</CdtDbtInd></TxDtls>'
        b"\n        </NtryDtls>",
    )

    result = book(data, "rabo-batch.xml")

    lines = BankTransaction.objects.filter(statement=result).order_by("position")
    assert [(line.kind, line.amount, line.registrations) for line in lines] == [
        ("credit", Decimal("125.00"), [two[1]]),
        ("credit", Decimal("125.50"), [two[2]]),
        ("debit", Decimal("0.50"), []),
    ]


def test_a_payment_sent_in_dollars_books_the_euros_credited(event, two, book):
    data = statement("cbpr_foreign_currency_camt053_001_08.xml", two)

    result = book(data, "swift.xml")

    line = BankTransaction.objects.get(statement=result)
    assert (line.state, line.registrations, line.currency) == (
        TransactionState.MATCHED,
        [two[1]],
        "EUR",
    )
    assert line.amount == Decimal("118.40")
    assert Payment.objects.get(registration=two[1]).amount == Decimal("118.40")
    assert queries.balance(two[1]).open == Decimal("6.60")


def test_a_returned_refund_is_not_a_payment(event, two, book):
    data = statement("ing_refund_returned_camt053_001_02.xml", two)

    result = book(data, "ing.xml")

    lines = BankTransaction.objects.filter(statement=result).order_by("position")
    assert [(line.kind, line.state, line.skip_reason) for line in lines] == [
        ("debit", "skipped", "debit"),
        ("debit_reversal", "skipped", "debit_reversal"),
    ]
    assert not Payment.objects.filter(**BANK_PAYMENTS).exists()
    two[1].refresh_from_db()
    assert two[1].status == RegistrationStatus.PENDING_PAYMENT


def test_a_booking_date_with_a_time_zone_is_read(event, two, book):
    data = statement("ing_camt053_001_02.xml", two).replace(
        b"<BookgDt><Dt>2026-11-23</Dt></BookgDt>", b"<BookgDt><Dt>2026-11-23+01:00</Dt></BookgDt>"
    )

    result = book(data, "ing.xml")

    assert (result.lines_new, result.lines_matched) == (4, 2)
    dates = BankTransaction.objects.filter(statement=result).values_list("booking_date", flat=True)
    assert {str(day) for day in dates} == {"2026-11-23"}


def export(day: str, registration, name: str = "P. de Boer") -> bytes:
    return statement(
        "export_same_id_camt053_001_08.xml", {}, DAY=day, CODE=registration.code, NAME=name
    )


def test_exports_that_reuse_a_statement_id_are_each_booked(event, two, book):
    book(export("2026-12-01", two[1]), "export-1.xml")

    result = book(export("2026-12-02", two[2]), "export-2.xml")

    assert (result.lines_new, result.lines_matched) == (1, 1)
    assert Payment.objects.filter(**BANK_PAYMENTS).count() == 2
    # The same period exported again is still recognised, whatever its message id.
    again = export("2026-12-02", two[2]).replace(b"EXPORT-2026-12-02", b"EXPORT-AGAIN")
    with pytest.raises(PaymentError) as refused:
        book(again, "export-2 (1).xml")
    assert refused.value.code == "camt_duplicate"
    assert BankStatement.objects.count() == 2


def test_a_reversal_by_the_bank_undoes_the_payment(event, two, book):
    paid = statement("ing_camt053_001_02.xml", two)
    book(paid, "ing.xml")
    # The next day the bank reverses the first entry: the same entry as a debit, RvslInd.
    entry = paid.decode().split("<Ntry>")[1].split("</Ntry>")[0]
    reversal = entry.replace("<CdtDbtInd>CRDT</CdtDbtInd>", "<CdtDbtInd>DBIT</CdtDbtInd>")
    reversal = reversal.replace("<Sts>BOOK</Sts>", "<RvslInd>true</RvslInd><Sts>BOOK</Sts>")
    reversal = reversal.replace("2026-11-23", "2026-11-24")
    data = paid.decode().split("<Ntry>")[0].replace("0000000123", "0000000124")
    data = data.replace("CAMT053ING20261124080102", "CAMT053ING20261125080102")
    data = data.replace("2026-11-23T", "2026-11-24T")
    data += f"<Ntry>{reversal}</Ntry></Stmt></BkToCstmrStmt></Document>"

    result = book(data.encode(), "ing-24.xml")

    assert (result.lines_new, result.lines_returned, result.lines_matched) == (1, 1, 0)
    payment = Payment.objects.get(registration=two[1])
    assert payment.state == PaymentState.RETURNED
    assert queries.balance(two[1]).open == Decimal("125.00")
    assert Payment.objects.get(registration=two[2]).state == PaymentState.PAID


def test_namespace_prefixes_are_read_as_the_default_namespace(event, two, book):
    data = statement("ing_camt053_001_02.xml", two).decode()
    data = data.replace('xmlns="urn:', 'xmlns:ns2="urn:')
    data = re.sub(r"<(/?)(?!\?)([A-Z][A-Za-z]*)", r"<\1ns2:\2", data)

    result = book(data.encode(), "prefixed.xml")

    assert (result.lines_new, result.lines_matched) == (4, 2)


@pytest.mark.parametrize("written", ["125", "125.0", "125.00", "0125.00"])
def test_an_amount_however_written_books_the_same(event, two, book, written):
    data = statement("ing_camt053_001_02.xml", two).replace(
        b'<Amt Ccy="EUR">125.00</Amt>', f'<Amt Ccy="EUR">{written}</Amt>'.encode()
    )

    result = book(data)

    assert (result.lines_new, result.lines_matched) == (4, 2)
    assert {p.amount for p in Payment.objects.filter(**BANK_PAYMENTS)} == {Decimal("125.00")}


def test_a_line_exported_again_with_its_amount_written_otherwise_is_booked_once(event, two, book):
    day = statement("ing_camt053_001_02.xml", two).replace(
        b'<Amt Ccy="EUR">125.00</Amt>', b'<Amt Ccy="EUR">125</Amt>'
    )
    book(day, "ing-day.xml")
    # The month's statement from another channel of the bank, amounts with their cents.
    month = statement("ing_camt053_001_02.xml", two)
    month = month.replace(b"CAMT053ING20261124080102", b"CAMT053ING20261201080000")
    month = month.replace(b"<Id>0000000123</Id>", b"<Id>0000000130</Id>")

    result = book(month, "ing-november.xml")

    assert (result.lines_new, result.lines_known, result.lines_matched) == (0, 4, 0)
    assert Payment.objects.filter(**BANK_PAYMENTS).count() == 2


def test_texts_and_references_of_structured_blocks_are_read(event, two, book):
    data = statement("structured_texts_camt053_001_08.xml", two)

    result = book(data, "strd.xml")

    lines = BankTransaction.objects.filter(statement=result).order_by("position")
    assert [(line.state, line.registrations) for line in lines] == [
        (TransactionState.MATCHED, [two[1]]),  # its code in AddtlRmtInf, the amount owed
        (TransactionState.MATCHED, [two[2]]),  # our RF reference in the second block
        (TransactionState.UNMATCHED, []),
    ]
    assert [(line.reference, line.remittance) for line in lines] == [
        ("", f"Deelname Goede buren reg {two[1].code} P. Jansen"),
        (creditor_reference(two[2].code), "5000012345678901"),
        ("", "Bijdrage koffie 1234567890123456"),  # a betalingskenmerk is not our reference
    ]
    assert queries.balance(two[2]).open == Decimal("25.00")


def test_a_code_cut_over_two_structured_texts_is_read(event, two, book):
    code = two[1].code
    data = statement("structured_texts_camt053_001_08.xml", two).replace(
        f"reg</AddtlRmtInf>\n                <AddtlRmtInf>{code}".encode(),
        f"reg {code[:3]}</AddtlRmtInf><AddtlRmtInf>{code[3:]}".encode(),
    )

    result = book(data, "strd.xml")

    line = BankTransaction.objects.filter(statement=result).order_by("position").first()
    assert line.registrations == [two[1]]


def _fixed(name: str) -> bytes:
    text = (DATA / name).read_text().replace("{{ACCOUNT}}", "NL91ABNA0417164300")
    text = text.replace("{{CODE1}}", "K7QW3XPA").replace("{{RF3}}", "5000012345678901")
    text = re.sub(r"\{\{CODE\d\}\}", "K7QW3XPA", text)
    return re.sub(r"\{\{RF\d\}\}", "RF18539007547034", text).encode()


def test_what_is_read_since_leaves_the_fingerprints_of_lines_as_they_were():
    # Hashes of these lines as read before structured texts, a reference in a second block
    # and betalingskenmerken were read: an overlapping statement imported after the upgrade
    # must find its lines imported before, or book them twice.
    camt_lines = camt.parse_statement(_fixed("structured_texts_camt053_001_08.xml")).lines
    mt940_lines = mt940_statements.parse_statement(_fixed("rabobank_mt940_structured.sta")).lines

    assert [line.fingerprint[:16] for line in camt_lines] == [
        "562e2415892f3b73",
        "34440e84e68cf0e9",
        "73fa802c52dc0b64",
    ]
    assert [line.fingerprint[:16] for line in mt940_lines] == [
        "95e3ef64cb219d5f",
        "cd319255e582a7ff",
        "1ce68db9c2634847",
        "1ce68db9c2634847",
        "a114bcd046035bed",
    ]
    assert (mt940_lines[0].reference, mt940_lines[0].remittance) == ("", "5000012345678901")


def test_an_account_that_is_not_an_iban_and_the_ultimate_debtors_name_are_kept(event, two, book):
    data = statement("other_accounts_camt053_001_02.xml", two)

    result = book(data, "othr.xml")

    lines = BankTransaction.objects.filter(statement=result).order_by("position")
    assert [
        (line.registrations, line.debtor_name, line.debtor_iban, line.debtor_account)
        for line in lines
    ] == [
        ([two[1]], "Kees van Dijk", "", "0123456789"),  # never put where an IBAN goes
        ([two[2]], "Gemeente Houten", "NL39RABO0300065264", ""),  # a valid IBAN as Othr
    ]
    assert [line.account_shown for line in lines] == ["0123456789", "NL39RABO0300065264"]
    assert Payment.objects.get(registration=two[1]).payer_iban == ""


def test_accounts_and_names_read_since_leave_the_fingerprints_as_they_were():
    text = (DATA / "other_accounts_camt053_001_02.xml").read_text()
    text = text.replace("{{ACCOUNT}}", "NL91ABNA0417164300")
    text = text.replace("{{CODE1}}", "K7QW3XPA").replace("{{CODE2}}", "K7QW3XPB")

    lines = camt.parse_statement(text.encode()).lines

    assert [line.fingerprint[:16] for line in lines] == ["e827a167c40d7a61", "204adc7f46b05c06"]


def test_the_payers_other_account_is_erased_with_the_rest_of_their_details(event, two, book):
    book(statement("other_accounts_camt053_001_02.xml", two), "othr.xml")

    purge_invoices(kept_from_year=2100)

    assert set(
        BankTransaction.objects.values_list("debtor_name", "debtor_iban", "debtor_account")
    ) == {("", "", "")}


def test_details_only_in_the_additional_information_laid_out_as_in_mt940_are_read(event, two, book):
    data = statement("abnamro_details_camt053_001_02.xml", two).replace(
        b"{{INV1}}", queries.current_invoice(two[1]).number.encode()
    )

    result = book(data, "abn.xml")

    lines = BankTransaction.objects.filter(statement=result).order_by("position")
    assert [
        (line.state, line.registrations, line.debtor_name, line.debtor_iban) for line in lines
    ] == [
        (TransactionState.MATCHED, [two[1]], "Buurtcentrum De Kern", "NL39RABO0300065264"),
        (TransactionState.MATCHED, [two[2]], "H. Öztürk", "NL20INGB0001234567"),
        (TransactionState.SKIPPED, [], "", ""),
    ]
    assert [(line.reference, line.remittance, line.end_to_end_id) for line in lines] == [
        ("", f"Factuur {queries.current_invoice(two[1]).number}", "20270122-77"),
        (creditor_reference(two[2].code), "", ""),
        ("", "Kosten betalingsverkeer", ""),
    ]


def test_details_read_from_the_additional_information_leave_the_fingerprints_as_they_were():
    text = (DATA / "abnamro_details_camt053_001_02.xml").read_text()
    text = text.replace("{{ACCOUNT}}", "NL91ABNA0417164300").replace("{{INV1}}", "2027-0012")
    text = text.replace("{{RF2}}", "RF18539007547034")

    lines = camt.parse_statement(text.encode()).lines

    assert [line.fingerprint[:16] for line in lines] == [
        "aa13f933d3f70d6f",
        "cc86f93176918bed",
        "aeac172b8b3f352f",
    ]
