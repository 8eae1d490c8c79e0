"""Change a registration's details: the one use case, whoever edits.

The booker (through the manage link, `update_registration`), the organiser (the back
office's edit screen, `change_registration`) and later the privacy work all go through
`change_registration`: one list of editable fields, one list of sensitive ones, the same
checks as booking (`common.check_consent`, `common.check_billing`) and one change-set in
the log (`registration.logtypes`): `{field: [before, after]}`, a sensitive field only as
`["changed"]` (`common.logtypes.CHANGED`), never with its values.
"""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import transaction
from django.utils import formats, timezone

from goedeburen.common.audit import log_action
from goedeburen.common.logtypes import CHANGED

from .. import exceptions, queries, signals
from ..enums import BadgeName, RegistrationStatus
from ..exceptions import RegistrationError
from ..models import Attendee, Question, Registration
from . import questions
from .booking import Billing, Booker
from .common import check_billing, check_consent, locked, validate_fields

REGISTRATION_FIELDS = (
    "booker_name",
    "email",
    "billing_organisation",
    "billing_address",
    "po_number",
    "billing_reference",
    "invoice_email",
    "billing_org_id",
    "billing_peppol_id",
    "billing_einvoice",
    "billing_vat_number",
)
BILLING_FIELDS = REGISTRATION_FIELDS[2:]
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
# see them (the role marks a resident; the others are special-category data), and the
# retention job erases the values, not the log (DESIGN.md invariants 5 and 10).
SENSITIVE_FIELDS = frozenset(
    {"role", "special_category_consent", "dietary_wishes", "accessibility_needs"}
)
# What the privacy work erases through `change_registration(erasure=…)`: everything personal
# (a request, or the retention period's end), or the special-category data only.
# "consent" is a consent withdrawn: it takes effect at once, whatever the deadline.
ERASURES = ("all", "special_category", "consent")


@dataclass(frozen=True, kw_only=True)
class AttendeeChanges:
    """An attendee's details as the booker may change them (not the ticket)."""

    given_name: str
    role: str
    family_name: str = ""
    email: str = ""
    organisation: str = ""
    function: str = ""
    badge_name: str = BadgeName.FULL
    photo_consent: bool = False
    attendee_list_consent: bool = False
    special_category_consent: bool = False
    dietary_wishes: str = ""
    accessibility_needs: str = ""
    # Question id → answer, as `questions.clean_answers` takes them; None keeps the answers
    # as they are (except special-category ones, which go when the consent does).
    answers: Mapping[int, object] | None = None


def check_changeable(registration: Registration, *, by, now: dt.datetime) -> None:
    """Refuse a change of a cancelled registration, and the booker's (`by` None) after the
    edit deadline; the organiser may still correct details then."""
    if registration.status == RegistrationStatus.CANCELLED:
        raise RegistrationError(exceptions.CANCELLED_NO_CHANGE, code="wrong_state")
    deadline = queries.edit_deadline(registration.event)
    if by is None and now > deadline:
        shown = formats.date_format(timezone.localtime(deadline), "DATETIME_FORMAT")
        raise RegistrationError(exceptions.EDIT_CLOSED % {"deadline": shown}, code="edit_closed")


def change_registration(
    registration: Registration,
    *,
    by,
    details: Mapping[str, Any] | None = None,
    attendees: Mapping[int, Mapping[str, Any]] | None = None,
    answers: Mapping[int, Mapping[int, object] | None] | None = None,
    asked: Sequence[Question] | None = None,
    erasure: str = "",
    seen: dt.datetime | None = None,
) -> dict:
    """Change booker and billing `details` and, per attendee id, `attendees`' details.

    Only the fields given change; the names allowed are `REGISTRATION_FIELDS` and
    `ATTENDEE_FIELDS` (another name is a programming error: `ValueError`). `by` is the
    organiser's user, or None for the booker (then the edit deadline holds). Every value
    is checked as when booking (lengths, email syntax, choices, consent for special-category
    data, billing details for a paid booking when they change); per attendee id, `answers`
    replace the answers to the `asked` questions (all the event's when None; None for an
    attendee keeps theirs), and withdrawing the special-category consent removes the
    special-category answers. On a refusal `RegistrationError` is raised and nothing changes.

    Return the change-set as logged: `{"changes": {field: [before, after]}, "attendees":
    [{"attendee": id, "name": …, "changes": {…}, "answers": {question label: […]}}]}`,
    sensitive fields and special-category answers as `["changed"]`; `{}` when nothing
    changed.

    `seen` is the registration's `updated` as the form that sent these values showed it:
    when the registration (or one of its attendees) changed since, a change is refused
    (code "changed_meanwhile"), so that a form opened before another edit, a substitution
    or a cancelled attendee does not silently undo it. Every change moves `updated` on.

    `erasure` ("all", "special_category" or "consent", from the privacy work) erases instead of
    edits: a cancelled registration too, whatever the deadline, without the billing check,
    and every change recorded as `["changed"]` (no old value, no attendee's name) under the
    log action `registration.erased`.

    Side effects, only when something changed: log entry `registration.changed` (or
    `registration.erased`) with the change-set; signal `registration_changed`.
    """
    if erasure not in ("", *ERASURES):
        raise ValueError(f"Not a kind of erasure: {erasure}")
    details = dict(details or {})
    attendees = {int(pk): dict(values) for pk, values in (attendees or {}).items()}
    answers = {int(pk): values for pk, values in (answers or {}).items()}
    _check_names(details, REGISTRATION_FIELDS)
    for values in attendees.values():
        _check_names(values, ATTENDEE_FIELDS)
    now = timezone.now()

    with transaction.atomic():
        registration_row = locked(registration)
        if not erasure:
            check_changeable(registration_row, by=by, now=now)
        stored = {
            a.pk: a for a in Attendee.objects.filter(registration=registration_row).order_by("pk")
        }
        if (set(attendees) | set(answers)) - set(stored):
            raise RegistrationError(exceptions.NO_SUCH_ATTENDEE, code="invalid")
        if asked is None:
            asked = queries.event_questions(registration_row.event)

        changes = _apply(registration_row, details, hide_values=bool(erasure))
        attendee_sets, changed_rows, new_answers = [], [], []
        for pk in sorted(set(attendees) | set(answers)):
            attendee = stored[pk]
            name = "" if erasure else attendee.full_name
            found = _apply(attendee, attendees.get(pk, {}), hide_values=bool(erasure))
            if found:
                if not erasure:  # an erasure's values are the platform's own, blank ones
                    validate_fields(attendee, exclude=["registration", "ticket_type"])
                check_consent(
                    dietary_wishes=attendee.dietary_wishes,
                    accessibility_needs=attendee.accessibility_needs,
                    special_category_consent=attendee.special_category_consent,
                )
                changed_rows.append((attendee, list(found)))
            to_store, answered = questions.replace_answers(
                attendee,
                answers=answers.get(pk),
                asked=asked,
                special_category_consent=attendee.special_category_consent
                and erasure != "special_category",
                erase_all=erasure == "all",
            )
            new_answers.extend(to_store)
            answer_changes = {
                label: [CHANGED] if erasure or before == questions.HIDDEN else [before, after]
                for label, before, after in answered
            }
            if found or answer_changes:
                attendee_sets.append(
                    {"attendee": pk, "name": name, "changes": found, "answers": answer_changes}
                )
        if not changes and not attendee_sets:
            return {}
        if seen is not None and seen != registration_row.updated:
            raise RegistrationError(exceptions.CHANGED_MEANWHILE, code="changed_meanwhile")

        if changes and not erasure:
            validate_fields(registration_row, exclude=["event", "form_token"])
        billing_changed = set(changes) & set(BILLING_FIELDS)
        if not erasure and billing_changed and any(a.price for a in stored.values()):
            check_billing(
                registration_row.event,
                Billing(
                    organisation=registration_row.billing_organisation,
                    address=registration_row.billing_address,
                    po_number=registration_row.po_number,
                    org_id=registration_row.billing_org_id,
                    peppol_id=registration_row.billing_peppol_id,
                    einvoice=registration_row.billing_einvoice,
                ),
            )
        # `updated` moves on for an attendee's change too: a form opened before it is
        # refused (`seen`), and the registration's pages see the change.
        registration_row.save(update_fields=[*changes, "updated"])
        for attendee, names in changed_rows:
            attendee.save(update_fields=names)
        questions.store_answers(new_answers)
        change_set = {"changes": changes, "attendees": attendee_sets}
        if erasure:
            action, data = "registration.erased", {**change_set, "erasure": erasure}
        else:
            action, data = "registration.changed", change_set
        log_action(registration_row, action=action, by=by, data=data)
        signals.registration_changed.send(sender=Registration, registration=registration_row, by=by)

    # The caller's object shows the stored state from now on.
    for field in changes:
        setattr(registration, field, getattr(registration_row, field))
    return change_set


def update_registration(
    registration: Registration,
    *,
    booker: Booker,
    attendees: Mapping[int, AttendeeChanges],
    billing: Billing | None = None,
    by=None,
    seen: dt.datetime | None = None,
) -> Registration:
    """Change the booker's, the attendees' (by attendee id) and the billing details, as the
    booker's edit form gives them all; see `change_registration` (also for `seen`, the
    registration's `updated` as the form showed it).

    Billing details are taken only when something is to be paid (and are required then).

    Side effects: those of `change_registration`.
    """
    details = {"booker_name": booker.name, "email": booker.email}
    if registration.total:
        billing = billing or Billing()
        details.update(
            billing_organisation=billing.organisation,
            billing_address=billing.address,
            po_number=billing.po_number,
            billing_reference=billing.reference,
            invoice_email=billing.invoice_email,
            billing_org_id=billing.org_id,
            billing_peppol_id=billing.peppol_id,
            billing_einvoice=billing.einvoice,
            billing_vat_number=billing.vat_number,
        )
    change_registration(
        registration,
        by=by,
        details=details,
        attendees={
            pk: {f.name: getattr(c, f.name) for f in fields(c) if f.name != "answers"}
            for pk, c in attendees.items()
        },
        answers={pk: c.answers for pk, c in attendees.items()},
        seen=seen,
    )
    registration.refresh_from_db()
    return registration


def _check_names(values: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(values) - set(allowed)
    if unknown:
        raise ValueError(f"Not an editable field: {', '.join(sorted(unknown))}")


def _apply(instance, values: Mapping[str, Any], *, hide_values: bool = False) -> dict[str, list]:
    """Set the changed values on `instance`; return its change-set (`{field: [before, after]}`,
    `["changed"]` for a sensitive field, or for every field with `hide_values`)."""
    changes = {}
    for field, after in values.items():
        if isinstance(after, str):
            after = after.strip()
            _refuse_null_characters(instance, field, after)
        before = getattr(instance, field)
        if before == after:
            continue
        setattr(instance, field, after)
        hidden = hide_values or field in SENSITIVE_FIELDS
        changes[field] = [CHANGED] if hidden else [before, after]
    return changes


def _refuse_null_characters(instance, field: str, value: str) -> None:
    # PostgreSQL cannot store them, and `clean_fields` does not look for them.
    try:
        ProhibitNullCharactersValidator()(value)
    except ValidationError as invalid:
        label = instance._meta.get_field(field).verbose_name
        raise RegistrationError(f"{label}: {invalid.messages[0]}", code="invalid") from invalid
