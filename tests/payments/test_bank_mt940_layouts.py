"""The MT940 layouts found in the Dutch banks' real (anonymised) files, beyond the ones
`test_bank_mt940` books: Triodos's subfields (`>20` … `>31`), ABN AMRO's labels
(`IBAN: … NAAM: … OMSCHRIJVING: …`) and its structured reference in `/REMI/`, Knab's
older `REK: …/NAAM: …`, the code words of ING's InsideBusiness Payments and the reason
first in its unstructured layout's returns, de Volksbank's
files with the check digits of their accounts changed by anonymisation, the accounts
that are not IBANs, and the banks' layouts until 2014 (SEPA) with an account number from
before the IBAN first.

The samples (data/triodos_mt940.sta, triodos_card_mt940.sta, abnamro_mt940_labels.sta,
knab_mt940.sta, ing_insidebusiness_mt940.sta, ing_insidebusiness_unstructured_mt940.sta,
volksbank_mt940.sta and the banks' layouts
until 2014, data/*_before_sepa.sta) have the shapes of those files with invented names,
accounts and amounts; `{{…}}` are filled in as in
`test_bank_mt940.sample`."""

from decimal import Decimal

import pytest

from goedeburen.payments import bank_files, camt, mt940_statements
from goedeburen.payments.enums import TransactionState
from goedeburen.payments.models import OrganiserBilling, Payment
from goedeburen.payments.reference import creditor_reference

from .test_bank_import import ACCOUNT, DATA, by_transfer
from .test_bank_mt940 import lines_of, paid, sample

TRIODOS_ACCOUNT = "NL70TRIO0123456789"  # :25:TRIODOSBANK/0123456789


@pytest.fixture
def six(register):
    return {n: by_transfer(register, n) for n in range(1, 7)}


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


def test_triodos_subfields_give_the_iban_and_the_description_cut_in_pieces(event, six, book):
    OrganiserBilling.objects.filter(organiser=event.organiser).update(iban=TRIODOS_ACCOUNT)

    result = book(sample("triodos_mt940.sta", six), "triodos.sta")

    assert result.iban == TRIODOS_ACCOUNT  # its old account number is the organiser's IBAN
    lines = lines_of(result)
    assert [(line.state, paid(line)) for line in lines] == [
        (TransactionState.MATCHED, six[1]),  # the code cut between two pieces of 27
        (TransactionState.UNMATCHED, None),
        (TransactionState.SKIPPED, None),
    ]
    code = six[1].code
    # Where the name ends is not marked: it stays the start of the description.
    assert [(line.debtor_name, line.debtor_iban, line.debtor_account) for line in lines] == [
        ("", "NL20INGB0001234567", ""),
        ("", "NL39RABO0300065264", ""),
        ("", "", "0123498765"),  # an account number from before the IBAN
    ]
    assert [line.remittance for line in lines] == [
        f"P. DE BOER DEELNAME REG {code} GOEDE BUREN UTRECHT",
        # a piece that ended in a space at the line's end, the space taken away in the file
        "STICHTING BUURTKRACHT HOUTEN, BIJDRAGE VOOR HET DINER 2026 SPREKERS",
        "KOSTEN BETAALREKENING",
    ]


def test_triodos_names_the_shop_of_a_card_payment_and_keeps_its_bic_and_account_apart(
    event, six, book
):
    # Triodos's layout (its format description, and its files of 2026): `>20` the BIC and
    # `>21` the account each on a line of their own, also an account that is not an IBAN
    # (the bank's own example has `>21AA99BBBB0555555555`); a card payment has no BIC: its
    # text starts with the shop, then ` - TERMINAL`.
    OrganiserBilling.objects.filter(organiser=event.organiser).update(iban=TRIODOS_ACCOUNT)

    result = book(sample("triodos_card_mt940.sta", six), "triodos.sta")

    lines = lines_of(result)
    assert [(line.state, paid(line)) for line in lines] == [
        (TransactionState.SKIPPED, None),
        (TransactionState.MATCHED, six[1]),
        (TransactionState.UNMATCHED, None),
    ]
    assert [(line.debtor_name, line.debtor_iban, line.debtor_account) for line in lines] == [
        ("BOEKHANDEL DE ZWALUW - UTRECHT", "", ""),
        ("", "", "AA99BBBB0555555555"),  # not the start of the description
        ("", "NL36TRIO0212345678", ""),  # a transfer's name: its end is not marked
    ]
    assert [line.remittance for line in lines] == [
        "TERMINAL 7QX2LP - 24-11-2026 10:41 - PASNR. *0427 - CONTACTLOOS",
        f"J DE VRIES INSCHRIJVING {six[1].code} GOEDE BUREN",
        "R.F.B. KUIPERS EN/OF I. VERREKENEN DINER SPREKERS",
    ]


@pytest.mark.parametrize(
    ("name", "read"),
    [
        (
            # ABN AMRO until 2014: rows of 32, the name in the first after the account (GIRO
            # and the giro number, or the bank account with dots), or in the second.
            "abnamro_mt940_before_sepa.sta",
            [
                ("J. JANSEN", "P1234567", "DEELNAME K7QW3XPA GOEDE BUREN"),
                ("STICHTING DE LINDE", "123456789", "BIJDRAGE DINER SPREKERS"),
                (
                    "VERENIGING BUURTHUIS",
                    "456789012",
                    "BETALINGSKENM. 0000000120357271 HUUR ZAAL NOVEMBER",
                ),
                ("", "", "BEA NR:XXX1234 21.05.13/12.54 BAKKERIJ FIL2500 UTRECHT,PAS999"),
            ],
        ),
        (
            # ING until 2014: the account and the name on the first line, the description
            # on the next; on one line, where the name ends is not known.
            "ing_mt940_before_sepa.sta",
            [
                ("J. JANSEN", "0111111111", "DEELNAME K7QW3XPA GOEDE BUREN"),
                ("", "", "0222222222 P. DE BOER BIJDRAGE DINER"),
                (
                    "",
                    "",
                    "RC AFREKENING BETALINGSVERKEER BETREFT REKENING 1234567 PERIODE: "
                    "01-04-2013 / 30-06-2013",
                ),
            ],
        ),
        # SNS (de Volksbank) until 2014: as its later layout with the IBAN first.
        (
            "sns_mt940_before_sepa.sta",
            [("j. jansen", "0987654321", "deelname K7QW3XPA goede buren")],
        ),
        (
            # Rabobank until 2014: the account and the name on :61:, after the code N…
            "rabobank_mt940_before_sepa.sta",
            [
                ("J. JANSEN", "0987654321", "DEELNAME K7QW3XPA GOEDE BUREN"),
                ("STICHTING DE LINDE", "P000123456", "BIJDRAGE DINER SPREKERS"),
                ("", "", "Periode 01-01-2013 t/m 31-03-2013"),  # NONREF: the bank's costs
            ],
        ),
    ],
)
def test_an_account_from_before_the_iban_first_gives_the_name_where_the_layout_ends_it(name, read):
    text = (DATA / name).read_text().replace("{{CODE1}}", "K7QW3XPA")

    lines = mt940_statements.parse_statement(text.encode()).lines

    assert [
        (line.counterparty_name, line.counterparty_account, line.remittance) for line in lines
    ] == read
    assert not any(line.counterparty_iban for line in lines)


def test_triodos_structured_card_payment_names_the_shop():
    line = _one(
        "/REMI/USTD//Boekhandel de Zwaluw - Utrecht - Terminal 05683709 - 24-11-2026 1\n"
        "0:41 - PASNR.  0427 - CONTACTLOOS/",
        account="NL55TRIO0123456789",
    )

    assert (line.counterparty_name, line.remittance) == (
        "Boekhandel de Zwaluw - Utrecht",
        "Terminal 05683709 - 24-11-2026 10:41 - PASNR. 0427 - CONTACTLOOS",
    )
    assert line.fingerprint[:16] == "82b48069d496c9ad"  # as before


def test_what_is_read_as_the_name_before_sepa_is_still_read_for_a_code(event, six, book):
    # Rabobank's :86: before SEPA is the payer's own text: a first line of ten digits and
    # a code reads as an ING account and name, and the code must still find its
    # registration (matching reads `remittance_joined`, which keeps it).
    data = (
        f":20:X\n:25:{ACCOUNT}\n:28C:1\n:60F:C261123EUR0,00\n"
        f":61:2611241124C125,00N541NONREF\n:86:0123456789 {six[1].code}\nGOEDE BUREN\n"
        ":62F:C261124EUR125,00\n"
    ).encode()

    (line,) = lines_of(book(data, "rabo.sta"))

    assert (line.debtor_name, line.remittance) == (six[1].code, "GOEDE BUREN")
    assert (line.state, paid(line)) == (TransactionState.MATCHED, six[1])


def test_an_old_abn_amro_account_on_a_line_not_in_rows_of_32_gives_no_name():
    # As some public samples have it, edited by hand: where the name ends is not known.
    line = _one("52.89.39.882 MYCOM DEN HAAG  S-GRAVEN,PAS999")

    assert (line.counterparty_name, line.counterparty_account, line.remittance) == (
        "",
        "528939882",
        "MYCOM DEN HAAG S-GRAVEN,PAS999",
    )


def test_abn_amro_labels_and_its_structured_references_book_registrations(event, six, book):
    result = book(sample("abnamro_mt940_labels.sta", six), "abn.sta")

    lines = lines_of(result)
    assert [(line.state, paid(line)) for line in lines] == [
        (TransactionState.MATCHED, six[1]),  # the code cut where a row of 32 ends
        (TransactionState.MATCHED, six[6]),  # BETALINGSKENM.: our RF reference, any amount
        (TransactionState.MATCHED, six[3]),  # /REMI/ISSUER: ISO REF: RF…
        (TransactionState.SKIPPED, None),
    ]
    assert [(line.debtor_name, line.debtor_iban) for line in lines] == [
        ("P. DE BOER", "NL20INGB0001234567"),
        ("GEMEENTE ZEIST", "NL69INGB0123456789"),
        ("ZORGGROEP HET ANKER", "NL44RABO0123456789"),
        ("", ""),
    ]
    assert [line.reference for line in lines] == [
        "",
        creditor_reference(six[6].code),
        creditor_reference(six[3].code),
        "",
    ]
    assert (lines[0].remittance, lines[0].end_to_end_id) == (
        f"DEELNAME BUREN {six[1].code} UTRECHT NOV 2026",
        "2026-0417-CREDITOR",
    )


def test_knabs_older_layout_and_an_account_that_is_not_an_iban(event, six, book):
    result = book(sample("knab_mt940.sta", six), "knab.sta")

    lines = lines_of(result)
    assert [(line.state, paid(line)) for line in lines] == [
        (TransactionState.MATCHED, six[2]),
        (TransactionState.SKIPPED, None),
        (TransactionState.UNMATCHED, None),
    ]
    assert [
        (line.debtor_name, line.debtor_iban, line.debtor_account, line.remittance) for line in lines
    ] == [
        ("P. DE BOER", "NL20INGB0001234567", "", f"AANMELDING {six[2].code} GOEDE BUREN"),
        ("BAKKERIJ DE KORENBLOEM", "", "", "24-11-2026 15:58 PAS: 1122"),
        ("SPAARREKENING STICHTING", "", "12345678", "OPNAME"),  # /BBAN/
    ]


def test_ings_insidebusiness_payments_code_words_old_and_new(event, six, book):
    result = book(sample("ing_insidebusiness_mt940.sta", six), "ing-ibp.sta")

    lines = lines_of(result)
    assert [(line.state, paid(line)) for line in lines] == [
        (TransactionState.MATCHED, six[1]),  # /REMI/SCOR/CUR/RF…/ (until 2014)
        (TransactionState.MATCHED, six[2]),  # after /BUSP/ and /IREF/
        (TransactionState.SKIPPED, None),
    ]
    assert [(line.debtor_name, line.debtor_iban) for line in lines] == [
        ("P. de Boer", "NL20INGB0001234567"),  # /ORDP/account/BIC/name/city/ (until 2014)
        ("Stichting Buurtkracht", "NL39RABO0300065264"),  # its IBAN cut over two lines
        ("Drukkerij Utrecht", "NL86INGB0002445588"),  # /BENM/ (until 2014)
    ]
    assert (lines[0].reference, lines[1].remittance, lines[2].remittance) == (
        creditor_reference(six[1].code),
        f"Deelname {six[2].code}",
        "Naambadges",
    )


def test_ings_unstructured_return_with_its_reason_first_is_no_payment(event, six, book):
    result = book(sample("ing_insidebusiness_unstructured_mt940.sta", six), "ing-ibp.sta")

    lines = lines_of(result)
    # A refund to the payer of registration 2, sent back by the payee's bank: money in
    # that names the registration, but pays for nothing.
    assert [(line.kind, line.state, paid(line)) for line in lines] == [
        ("credit", TransactionState.MATCHED, six[1]),
        ("debit", TransactionState.SKIPPED, None),
        ("debit_reversal", TransactionState.SKIPPED, None),
    ]
    assert (lines[2].return_reason, lines[2].debtor_iban) == ("AC04", "NL39RABO0300065264")
    assert lines[2].remittance == (
        f"RABONL2U Gemeente Zeist Terugbetaling deel name {six[2].code} geannuleerd"
    )
    assert not Payment.objects.filter(registration=six[2]).exists()


def test_another_banks_benm_without_a_bic_is_not_read_as_ings():
    line = _one("/BENM/300000000000133\n/KOMERCIJALNA BANKA AD SKOPJE\n/Mesecna provizija/")

    assert (line.counterparty_name, line.counterparty_account) == ("", "")


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


def test_volksbanks_bank_reference_after_the_iban_is_the_banks_not_part_of_the_iban():
    # :61: as SWIFT lays it out: the customer reference (de Volksbank: the payer's IBAN,
    # longer than SWIFT's 16), then `//` and the bank's reference. The fingerprints stay
    # those of the lines imported before, when all of it was the customer reference.
    text = (
        ":20:0000000000\n:25:NL12SNSB0123456789\n:28C:42/1\n:60F:C261123EUR100,00\n"
        ":61:2611241124C125,00NOVBNL20INGB0001234567//78901234\nP. de Boer\n"
        ":86:Aanmelding AB12CD Goede buren\n"
        ":61:2611241124D12,95NBEA//228ohu/972795\n:86: Hema\n"
        ":61:2611241124C5,00NOVBNL20INGB0001234567\n:86:NL20INGB0001234567 P. de Boer\nGift\n"
        ":62F:C261124EUR217,05\n"
    )

    lines = bank_files.read_statement(text.encode()).lines

    assert [(line.bank_reference, line.counterparty_iban) for line in lines] == [
        ("78901234", "NL20INGB0001234567"),
        ("228ohu/972795", ""),
        ("", "NL20INGB0001234567"),
    ]
    assert [line.fingerprint[:16] for line in lines] == [
        "edb1b88e5db1368c",
        "6ab10d87fb03098b",
        "17df3172530fa716",
    ]


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


def test_rabobanks_layout_until_2014_with_accw_gives_the_name_and_description():
    # `/ACCW/IBAN,BIC/ORDP//NAME/…/REMI/…`: read as free text before, the name not read.
    line = _one(
        "/ACCW/NL20INGB0001234567,INGBNL2A/ORDP//NAME/P. de Boer en/of\n"
        " M. de Boer-Jansen/REMI/Aanmelding K7Q2M4PX",
        second_line="NL20INGB0001234567",
    )

    assert (line.counterparty_name, line.counterparty_iban, line.remittance) == (
        "P. de Boer en/of M. de Boer-Jansen",
        "NL20INGB0001234567",
        "Aanmelding K7Q2M4PX",
    )
    assert line.fingerprint[:16] == "9fe2c883c18a45fa"  # as before


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
    "{{RF1}}": "RF06K7QW3XPA",
    "{{CODE1}}": "K7QW3XPA",
}


@pytest.mark.parametrize(
    ("name", "account", "prints"),
    [
        (
            "ing_insidebusiness_mt940.sta",
            "",
            ["19851aa3a5060070", "1b41366c259852e0", "25c8db1c37ad3073"],
        ),
        ("triodos_mt940.sta", "", ["8fb6ee998289cb3a", "27115bb007eaa855", "dd54e467d7d02974"]),
        (
            "abnamro_mt940_labels.sta",
            "",
            ["fd9842d3ab72f922", "5b5c3670cab8c2b9", "a795874a7d106c62", "03d1e418718bd3ac"],
        ),
        ("knab_mt940.sta", "", ["9925162324232ef5", "548888d4088fde48", "265696689ec3b183"]),
        ("volksbank_mt940.sta", "NL12SNSB0123456789", ["27b70207a1c00892", "efcd3edd38703e01"]),
        (
            "triodos_card_mt940.sta",
            "",
            ["a022598ae04733fe", "06b0d054afe51246", "49b4b85c302e28c9"],
        ),
        (
            "abnamro_mt940_before_sepa.sta",
            "",
            ["355bf2e564f15234", "8c3633b6ca1721e9", "70d9188af46e8650", "24250763fa23269d"],
        ),
        (
            "ing_mt940_before_sepa.sta",
            "",
            ["254c5ab2890971a7", "52403fc737e828b4", "6541fb29621e082c"],
        ),
        ("sns_mt940_before_sepa.sta", "", ["2d6d9cc01938fd88"]),
        (
            "ing_insidebusiness_unstructured_mt940.sta",
            "",
            ["c3b17809fd5e27fd", "f2ddecbcd294195b", "ba2c63b857dcd2c2"],
        ),
        (
            "rabobank_mt940_before_sepa.sta",
            "",
            ["b73ccb6adf1ea427", "a02906d910bd3522", "e52b73bd1abdbf6c"],
        ),
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


SNS_ACCOUNT = "NL12SNSB0123456789"


def test_volksbank_last_day_without_closing_balance_in_a_closed_envelope_is_booked(
    event, six, book
):
    # De Volksbank (SNS) wraps each day in SWIFT's envelope and may leave out the last
    # day's :62F:; the envelope's end (`-}`) says the bank wrote the day whole.
    OrganiserBilling.objects.filter(organiser=event.organiser).update(iban=SNS_ACCOUNT)

    data = sample("sns_swift_mt940.940", six, ACCOUNT=SNS_ACCOUNT)

    result = book(data, "sns.940")

    assert (str(result.period_start), str(result.period_end)) == ("2026-11-24", "2026-11-25")
    lines = lines_of(result)
    assert [(line.amount, str(line.booking_date), line.state, paid(line)) for line in lines] == [
        (Decimal("125.00"), "2026-11-24", TransactionState.MATCHED, six[1]),
        (Decimal("10.18"), "2026-11-24", TransactionState.SKIPPED, None),
        (Decimal("125.00"), "2026-11-25", TransactionState.MATCHED, six[2]),
        (Decimal("60.00"), "2026-11-25", TransactionState.UNMATCHED, None),
    ]
    # `{1:…}` in a description is the payer's text, not SWIFT's header.
    assert lines[2].remittance == f"deelname {six[2].code} {{1:dag 2}} goede buren"
    assert (lines[3].debtor_name, lines[3].debtor_iban) == (
        "stichting de buurt",
        "NL91RABO0123456789",
    )

    # The bank's next export of that day, with its closing balance: its lines are booked.
    complete = data[: data.rindex(b"-}")] + b":62F:C261125EUR1299,82\n-}{5:}\n"

    again = book(complete, "sns (2).940")

    assert (again.lines_new, again.lines_matched) == (0, 0)
    assert Payment.objects.filter(bank_transaction__isnull=False).count() == 2


@pytest.mark.parametrize(
    ("cut", "reason"),
    [
        ("-}{5:}", "statement 2 of 2 in it has no closing balance (:62F:)"),
        ("bijdrage diner", "statement 2 of 2 in it has no closing balance (:62F:)"),
        (":61:2611251125C60", "statement 2 of 2 in it has no closing balance (:62F:)"),
    ],
    ids=["envelope_end", "inside_the_last_description", "inside_a_line"],
)
def test_a_volksbank_file_cut_off_before_its_envelope_ends_is_still_refused(six, cut, reason):
    data = sample("sns_swift_mt940.940", six, ACCOUNT=SNS_ACCOUNT).decode()
    cut_off = data[: data.rindex(cut)].encode()

    with pytest.raises(camt.CamtError) as refused:
        bank_files.read_statement(cut_off)

    assert reason in refused.value.reason


def test_swift_headers_are_cut_only_where_the_envelope_has_them():
    envelope = "{1:F01INGBNL2AXXXX00001}\n{2:I940INGBNL2AXXXN}\n{3:{108:MT940}}\n{4:\n"
    (line,) = _read(
        envelope + ":20:X\n:25:NL91ABNA0417164300\n:28C:1\n:60F:C261123EUR0,00\n"
        ":61:2611241124C125,00NTRFNONREF\n:86:/REMI/USTD//Deelname {1:GB} en {4: en {2:x}/\n"
        ":62F:C261124EUR125,00\n-}{5:{CHK:123456789ABC}}\n"
    )

    assert line.remittance == "Deelname {1:GB} en {4: en {2:x}"
    # The line's fingerprint is the one it had when the envelope was cut anywhere.
    assert line.fingerprint[:16] == "24a6fc5ff3f6e42f"


@pytest.mark.parametrize(
    ("details", "read"),
    [
        (
            # ING 2012-13: its account number, then the IBAN and BIC, then the name.
            "0987654321 NL57ABNA0987654321 ABNANL2A J AAP\nkilometervergoeding",
            ("J AAP", "NL57ABNA0987654321", "kilometervergoeding"),
        ),
        (
            # ING's older layout with a foreign account: the BIC is of the IBAN's country.
            "DE89370400440532013000 COBADEFFXXX J AAP NOTPROVIDED kilometer\nvergoeding",
            (
                "",
                "DE89370400440532013000",
                "DE89370400440532013000 COBADEFFXXX J AAP NOTPROVIDED kilometer vergoeding",
            ),
        ),
        (
            # ... or the kind of payment before the IBAN and BIC, the name on the next line.
            "0123456789 Europese Incasso doorlopend NL69INGB0123456789 INGBNL2A \n"
            "J. Jansen NL32ZZZ999999991234 MND-120123 CONTRIB\nUTIE MEI 2012",
            (
                "",
                "NL69INGB0123456789",
                "Europese Incasso doorlopend J. Jansen NL32ZZZ999999991234 MND-120123 CONTRIB "
                "UTIE MEI 2012",
            ),
        ),
    ],
    ids=["account_iban_bic_name", "foreign_iban_and_bic", "kind_iban_bic"],
)
def test_ing_transitional_layout_keeps_iban_and_bic_out_of_the_name(details, read):
    line = _one(details)

    assert (line.counterparty_name, line.counterparty_iban, line.remittance) == read


@pytest.mark.parametrize(
    "between",
    ["-}{5:}\n", "-}\n{5:{CHK:0123456789AB}}\n", "-}\n$\n", "-}$", "-}\x03\x01"],
    ids=["trailer", "trailer_on_its_line", "dollar_line", "dollar", "etx_soh"],
)
def test_each_day_in_its_own_envelope_without_the_last_closing_balance_is_read(between):
    # SWIFT's file formats put `$` or SOH/ETX between messages; the last day has no :62F:.
    envelope = "{1:F01SNSBNL2AXXXX0000000000}{2:O940SNSBNL2AXXXXN}{3:}{4:\n"
    day = (
        ":20:0000000000\n:25:NL12SNSB0123456789\n:28C:{n}/1\n:60F:C2611{n}EUR0,00\n"
        ":61:2611{n}11{n}C125,00NOVBNL20INGB0001234567\n:86:NL20INGB0001234567 j. jansen\n"
        "deelname {n}\n"
    )
    text = (
        envelope
        + day.format(n=24)
        + ":62F:C261124EUR125,00\n"
        + between
        + envelope
        + day.format(n=25)
        + between
    )

    lines = _read(text)

    assert [(line.booking_date, line.remittance) for line in lines] == [
        ("2026-11-24", "deelname 24"),
        ("2026-11-25", "deelname 25"),
    ]
