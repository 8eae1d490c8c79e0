"""Change the details of a registration and its attendees (the back office's edit screen).

Apart from `services` for now: that module is being split into a package, and this use
case needs nothing of its internals.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from goedeburen.common.audit import log_action

from . import exceptions, signals
from .exceptions import RegistrationError
from .models import Attendee, Question, Registration
from .services import questions

REGISTRATION_FIELDS = (
    "booker_name",
    "email",
    "billing_organisation",
    "billing_address",
    "po_number",
    "billing_reference",
    "invoice_email",
)
ATTENDEE_FIELDS = (
    "given_name",
    "family_name",
    "email",
    "organisation",
    "function",
    "role",
    "badge_name",
    "photo_consent",
    "attendee_list_consent",
    "special_category_consent",
    "dietary_wishes",
    "accessibility_needs",
)
# Changes to these are logged without their values: the log is shown to roles that may not
# see them, and the retention job erases the values, not the log (DESIGN.md invariant 5).
SENSITIVE_FIELDS = frozenset(
    {"role", "special_category_consent", "dietary_wishes", "accessibility_needs"}
)
# A paid booking cannot lose these (the invoice needs them).
BILLING_NEEDED_FIELDS = ("billing_organisation", "billing_address")
UNKNOWN_ATTENDEE = _("This attendee is not part of the registration.")


def update_registration_details(
    registration: Registration,
    *,
    by,
    details: Mapping[str, Any] | None = None,
    attendees: Mapping[int, Mapping[str, Any]] | None = None,
    answers: Mapping[int, Mapping[int, object]] | None = None,
    asked: Sequence[Question] = (),
) -> list[dict]:
    """Change booker and billing `details` and, per attendee id, `attendees`' details.

    Only the fields given change; the names allowed are `REGISTRATION_FIELDS` and
    `ATTENDEE_FIELDS`. Every value is checked as the registration form checks it (lengths,
    email syntax, choices, consent for special-category data, billing for a paid booking);
    on a refusal `RegistrationError` is raised and nothing changes. Per attendee id,
    `answers` replace the answers to the `asked` questions (those the editor sees; see
    `questions.replace_answers`). Return the changes made, as logged (empty when the
    values were already so).

    Side effects, only when something changed: one log entry `registration.changed` with
    each field's value before and after (sensitive fields without values); the signal
    `registration_changed`.
    """
    details = dict(details or {})
    attendees = {int(pk): dict(values) for pk, values in (attendees or {}).items()}
    answers = {int(pk): dict(values) for pk, values in (answers or {}).items()}
    _check_names(details, REGISTRATION_FIELDS)
    for values in attendees.values():
        _check_names(values, ATTENDEE_FIELDS)

    with transaction.atomic():
        locked = Registration.objects.select_for_update().get(pk=registration.pk)
        stored = {a.pk: a for a in Attendee.objects.filter(registration=locked).order_by("pk")}
        if (set(attendees) | set(answers)) - set(stored):
            raise RegistrationError(UNKNOWN_ATTENDEE, code="invalid")

        changes = _apply(locked, details, attendee=None)
        changed_attendees = []
        found_fields: dict[int, list[dict]] = {}
        for pk, values in attendees.items():
            attendee = stored[pk]
            found = _apply(attendee, values, attendee=attendee)
            found_fields[pk] = found
            if found:
                changes.extend(found)
                changed_attendees.append(attendee)
        new_answers = []
        for pk in sorted(set(answers) | {a.pk for a in changed_attendees}):
            attendee = stored[pk]
            found, changed = questions.replace_answers(
                attendee,
                answers=answers.get(pk),
                asked=asked,
                special_category_consent=attendee.special_category_consent,
            )
            new_answers.extend(found)
            changes.extend(
                {
                    "attendee": pk,
                    "name": attendee.full_name,
                    "field": label,
                    **({} if before == questions.HIDDEN else {"before": before, "after": after}),
                }
                for label, before, after in changed
            )
        if not changes:
            return []

        _validate(locked, exclude=["event", "form_token"])
        for attendee in changed_attendees:
            _validate(attendee, exclude=["registration", "ticket_type"])
            _check_consent(attendee)
        if any(change["field"] in BILLING_NEEDED_FIELDS for change in changes):
            _check_billing(locked, stored.values())

        registration_fields = [c["field"] for c in changes if c["attendee"] is None]
        if registration_fields:
            locked.save(update_fields=[*registration_fields, "updated"])
        for attendee in changed_attendees:
            attendee.save(update_fields=[c["field"] for c in found_fields[attendee.pk]])
        questions.store_answers(new_answers)
        log_action(locked, action="registration.changed", by=by, data={"changes": changes})
        signals.registration_changed.send(sender=Registration, registration=locked, by=by)

    # The caller's object shows the stored state from now on.
    for field in registration_fields:
        setattr(registration, field, getattr(locked, field))
    return changes


def _check_names(values: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(values) - set(allowed)
    if unknown:
        raise ValueError(f"Not an editable field: {', '.join(sorted(unknown))}")


def _apply(instance, values: Mapping[str, Any], *, attendee: Attendee | None) -> list[dict]:
    """Set the changed values on `instance`; return one change record per changed field."""
    changes = []
    name = attendee.full_name if attendee else None
    for field, after in values.items():
        if isinstance(after, str):
            after = after.strip()
            _refuse_null_characters(instance, field, after)
        before = getattr(instance, field)
        if before == after:
            continue
        setattr(instance, field, after)
        change = {
            "attendee": attendee.pk if attendee else None,
            "name": name,
            "field": field,
        }
        if field not in SENSITIVE_FIELDS:
            change.update(before=before, after=after)
        changes.append(change)
    return changes


def _refuse_null_characters(instance, field: str, value: str) -> None:
    # PostgreSQL cannot store them, and `clean_fields` does not look for them.
    try:
        ProhibitNullCharactersValidator()(value)
    except ValidationError as invalid:
        label = instance._meta.get_field(field).verbose_name
        raise RegistrationError(f"{label}: {invalid.messages[0]}", code="invalid") from invalid


def _validate(instance, *, exclude: list[str]) -> None:
    """Check field rules (lengths, choices, email syntax) whoever calls the service."""
    try:
        instance.clean_fields(exclude=exclude)
    except ValidationError as invalid:
        field, messages = next(iter(invalid.message_dict.items()))
        label = instance._meta.get_field(field).verbose_name
        raise RegistrationError(f"{label}: {messages[0]}", code="invalid") from invalid


def _check_consent(attendee: Attendee) -> None:
    has_needs = attendee.dietary_wishes or attendee.accessibility_needs
    if has_needs and not attendee.special_category_consent:
        raise RegistrationError(exceptions.CONSENT_MISSING, code="consent_missing")


def _check_billing(registration: Registration, attendees) -> None:
    if not any(attendee.price for attendee in attendees):
        return
    if not (registration.billing_organisation and registration.billing_address):
        raise RegistrationError(exceptions.BILLING_MISSING, code="billing_missing")
