"""What the Dutch banks' real (anonymised) MT940 files hold, beyond what `test_bank_mt940`
books: de Volksbank's files with the check digits of their accounts changed by
anonymisation, accounts that are not IBANs, ABN AMRO's returns (/RTYP/) and Rabobank's
second /REMI/.

The sample (data/volksbank_mt940.sta) has the shape of those files with invented names,
accounts and amounts."""

from decimal import Decimal

import pytest

from goedeburen.payments import bank_files, mt940_statements

from .test_bank_import import DATA


def _read(data: str) -> list:
    return bank_files.read_statement(data.encode()).lines


def _one(details: str, *, second_line: str = "", account: str = "NL91ABNA0417164300"):
    """Return the one line of a statement whose :86: is `details`."""
    second = f"\n{second_line}" if second_line else ""
    (line,) = _read(
        f":20:X\n:25:{account}\n:28C:1\n:60F:C261123EUR0,00\n"
        f":61:2611241124C125,00N541NONREF{second}\n:86:{details}\n:62F:C261124EUR0,00\n"
    )
    return line


def test_a_volksbank_file_whose_check_digits_anonymisation_changed_is_read():
    text = (DATA / "volksbank_mt940.sta").read_text()
    text = text.replace("{{ACCOUNT}}", "NL00SNSB0123456789").replace("{{CODE2}}", "M4RT8ZPA")

    read = bank_files.read_statement(text.encode())

    assert read.iban == "NL00SNSB0123456789"
    credit, card = read.lines
    assert (credit.counterparty_name, credit.counterparty_iban, credit.remittance) == (
        "p. de boer",
        "NL00INGB0001234567",
        "Aanmelding M4RT8ZPA Goede buren",
    )
    assert (credit.amount, card.amount, card.kind) == (Decimal("125.00"), Decimal("12.95"), "debit")


@pytest.mark.parametrize(
    ("account", "read"),
    [
        ("NL00INGB0001234567EUR", "NL00INGB0001234567"),  # ING's currency after it
        ("NL12RABO0123456789 EUR", "NL12RABO0123456789"),
        ("TRIODOSBANK/0123456789", "0123456789"),  # the old number, the organiser's IBAN's
    ],
)
def test_the_statements_account_as_the_banks_write_it(account, read):
    line = _one("/REMI/USTD//Deelname/", account=account)

    assert line.account == read


@pytest.mark.parametrize(
    ("details", "second_line", "read"),
    [
        # ING: the customer's own savings account, an account number from before the IBAN
        ("/CNTP/0001234567/////REMI/USTD//VAN SPAARREKENING/", "", ("", "0001234567")),
        ("/TRTP/OVERBOEKING/IBAN/123/BIC/SXPYDEHHXXX/NAME/X/REMI/Y", "", ("", "123")),
        ("/ORDP//NAME/J. DE VRIES/REMI/Deelname/ISDT/2026-11-24", "0123456789", ("", "0123456789")),
        ("/ORDP//NAME/J. DE VRIES/REMI/Deelname/ISDT/2026-11-24", "NL00INGB0001234567", None),
        ("/CNTP/NL00INGB0001234567/INGBNL2A/J. DE VRIES///REMI/USTD//Deelname/", "", None),
    ],
    ids=["ing_old_account", "not_an_iban", "rabobank_old_account", "rabobank", "ing"],
)
def test_an_account_that_is_not_an_iban_is_kept_apart(details, second_line, read):
    line = _one(details, second_line=second_line)

    # An IBAN whose check digits anonymisation changed is an IBAN where a layout puts one.
    assert (line.counterparty_iban, line.counterparty_account) == (
        read or ("NL00INGB0001234567", "")
    )


def test_rabobanks_second_remi_and_abn_amros_returns_are_read():
    twice = _one("/EREF/2026-11/ORDP//NAME/Stichting Buurtkracht/REMI//REMI/Bijdrage diner")
    returned = _read(
        ":20:X\n:25:NL91ABNA0417164300\n:28C:1\n:60F:C261123EUR0,00\n"
        ":61:2611241124D125,00N245NONREF\n"
        ":86:/RTYP/SEPA Incasso Terugboeking/MARF/M-1/RTRN/\nAC01/IBAN/ NL20INGB0001234567"
        "/NAME/P. de Boer/REMI/Deelname/EREF/E-1\n:62F:C261124EUR0,00\n"
    )[0]

    assert twice.remittance == "Bijdrage diner"
    assert (returned.kind, returned.return_reason, returned.counterparty_iban) == (
        "return",
        "AC01",
        "NL20INGB0001234567",
    )
    assert (returned.counterparty_name, returned.remittance) == ("P. de Boer", "Deelname")


def test_ings_older_layout_names_no_one_rather_than_the_bic_and_description():
    line = _one(
        "NL86INGB0002445588 INGBNL2A BELASTINGDIENST BTW 2E KWARTAAL\nSCOR/CUR/8850426741301240"
    )

    assert (line.counterparty_iban, line.counterparty_name) == ("NL86INGB0002445588", "")
    assert line.remittance == (
        "NL86INGB0002445588 INGBNL2A BELASTINGDIENST BTW 2E KWARTAAL SCOR/CUR/8850426741301240"
    )


FIXED = {
    "{{ACCOUNT}}": "NL91ABNA0417164300",
    "{{CODE1_HEAD}}": "K7Q",
    "{{CODE1_TAIL}}": "W3XPA",
    "{{CODE2}}": "M4RT8ZPA",
    "{{RF6}}": "RF06K7QW3XPA",
    "{{RF3}}": "RF79M4RT8ZPA",
}


@pytest.mark.parametrize(
    ("name", "account", "prints"),
    [
        ("volksbank_mt940.sta", "NL12SNSB0123456789", ["27b70207a1c00892", "efcd3edd38703e01"]),
    ],
)
def test_what_is_read_since_leaves_the_fingerprints_as_they_were(name, account, prints):
    # Hashes of these lines as read before these layouts and accounts were: an overlapping
    # statement imported after the upgrade must find its lines imported before, or book
    # them twice.
    text = (DATA / name).read_text()
    for key, value in {**FIXED, **({"{{ACCOUNT}}": account} if account else {})}.items():
        text = text.replace(key, value)

    lines = mt940_statements.parse_statement(text.encode()).lines

    assert [line.fingerprint[:16] for line in lines] == prints
