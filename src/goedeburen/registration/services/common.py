"""Small helpers that several use cases share."""

from django.core.exceptions import ValidationError

from goedeburen.common.addresses import address_problem

from .. import exceptions, queries
from ..billing import einvoice_problem
from ..exceptions import RegistrationError
from ..models import Registration, lacks_consent


def locked(registration: Registration) -> Registration:
    """Return `registration` fresh from the database, its row locked until the transaction ends.

    Every change of state re-reads the status under this lock, so two changes that race
    (an organiser approving while the hold runs out) happen one after the other. Only the
    registration's row: the event comes along unlocked, so changes to different
    registrations of one event never wait for each other.
    """
    return queries.locked_registration(registration)[0]


def validate_fields(instance, *, exclude: list[str]) -> None:
    """Check field rules (lengths, choices, email syntax) whoever calls a service.

    Raise `RegistrationError` naming the first field that breaks one.
    """
    try:
        instance.clean_fields(exclude=exclude)
    except ValidationError as invalid:
        field, messages = next(iter(invalid.message_dict.items()))
        label = instance._meta.get_field(field).verbose_name
        raise RegistrationError(f"{label}: {messages[0]}", code="invalid") from invalid


def check_consent(
    *, dietary_wishes: str, accessibility_needs: str, special_category_consent: bool
) -> None:
    """Raise `RegistrationError` (code "consent_missing", at `special_category_consent`) for
    special-category data given without consent (`models.lacks_consent`)."""
    if lacks_consent(
        dietary_wishes=dietary_wishes,
        accessibility_needs=accessibility_needs,
        special_category_consent=special_category_consent,
    ):
        raise RegistrationError(
            exceptions.CONSENT_MISSING, code="consent_missing", fields=("special_category_consent",)
        )


def check_billing(event, billing, *, settings=None) -> None:
    """Raise `RegistrationError` (code "billing_missing") unless `billing` (a `Billing`) has
    what an invoice for `event` needs: organisation, an address the invoice can name (a
    country, and for a Dutch one street, postcode and town: `common.addresses`), when the
    event asks for one a purchase order number, and when the e-invoice is asked for an OIN,
    KvK number or Peppol ID to send it to (`billing.einvoice_problem`). `settings`: the
    event's registration settings, when the caller has them at hand.

    The numbers' own form (`models.ORGANISATION_ID`, `models.PEPPOL_ID`, the VAT number's
    `models.VAT_NUMBER`) is checked with the other fields (`validate_fields`).

    The error's `fields` name the `Billing` fields at fault: the empty ones of organisation
    and address, the address, the purchase order number, or `org_id` for the e-invoice
    (where `einvoice_problem` puts its message)."""
    named = {"organisation": billing.organisation, "address": billing.address}
    empty = tuple(name for name, value in named.items() if not value.strip())
    if empty:
        raise RegistrationError(exceptions.BILLING_MISSING, code="billing_missing", fields=empty)
    problem = address_problem(billing.address)
    if problem:
        raise RegistrationError(problem, code="billing_missing", fields=("address",))
    settings = settings or queries.registration_settings(event)
    if settings.po_number_required and not billing.po_number.strip():
        raise RegistrationError(
            exceptions.PO_NUMBER_MISSING, code="billing_missing", fields=("po_number",)
        )
    problem = einvoice_problem(
        org_id=billing.org_id, peppol_id=billing.peppol_id, einvoice=billing.einvoice
    )
    if problem:
        raise RegistrationError(problem, code="billing_missing", fields=("org_id",))
