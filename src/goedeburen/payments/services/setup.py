"""The organiser's invoice details and an event's payment settings."""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from stdnum import iban as iban_number

from goedeburen.common.audit import log_action
from goedeburen.events.models import Event, Organiser
from goedeburen.registration.billing import tidy_vat_number, vat_number_problem

from ..models import OrganiserBilling, PaymentSettings


def clean_billing_numbers(*, kvk_number: str, vat_number: str, iban: str) -> dict[str, str]:
    """Return the numbers in their standard form, or raise `ValidationError` per field."""
    errors, cleaned = {}, {}
    kvk = re.sub(r"\s", "", kvk_number or "")
    if not re.fullmatch(r"\d{8}", kvk):
        errors["kvk_number"] = _("A KvK number has 8 digits.")
    cleaned["kvk_number"] = kvk
    # The seller's VAT number, checked and stored as the buyer's is (BT-31 and BT-48 share
    # the rule BR-CO-09); an empty one has no country code either.
    cleaned["vat_number"] = tidy_vat_number(vat_number)
    problem = vat_number_problem(cleaned["vat_number"])
    if problem:
        errors["vat_number"] = problem
    try:
        cleaned["iban"] = iban_number.validate(iban or "")
    except Exception:
        errors["iban"] = _("This is not a valid IBAN.")
    if errors:
        raise ValidationError(errors)
    return cleaned


def save_organiser_billing(organiser: Organiser, *, values: dict, by=None) -> OrganiserBilling:
    """Create or change the organiser's invoice details; raise `ValidationError` if wrong.

    Issued invoices keep the details they were issued with. Side effects: log entry.
    """
    numbers = clean_billing_numbers(
        kvk_number=values.get("kvk_number", ""),
        vat_number=values.get("vat_number", ""),
        iban=values.get("iban", ""),
    )
    with transaction.atomic():
        billing, _created = OrganiserBilling.objects.update_or_create(
            organiser=organiser, defaults={**values, **numbers}
        )
        billing.full_clean()
        log_action(
            organiser,
            action="organiser.billing_saved",
            by=by,
            data={"fields": sorted(values)},
        )
    return billing


def save_payment_settings(event: Event, *, values: dict, by=None) -> PaymentSettings:
    """Create or change the event's payment settings. Side effects: log entry."""
    with transaction.atomic():
        found, _created = PaymentSettings.objects.update_or_create(event=event, defaults=values)
        found.full_clean()
        log_action(event, action="event.payment_settings", by=by, data={"fields": sorted(values)})
    return found
