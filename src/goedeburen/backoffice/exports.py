"""The columns of the back office's list exports (CSV and XLSX), and who may have which.

Each list names its columns once here; the export views offer them as choices, keep the
list screen's filters, and leave out what the user's role may not see: special-category
columns (the attending role, dietary wishes, accessibility needs and the answers to
special-category questions) without `registration.view_special_category`, contact details
for a role that sees names only. Values keep their type (`Decimal`, dates) so that the
XLSX has real numbers and dates (`checkin.exports.as_xlsx`).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from goedeburen.registration.enums import YES
from goedeburen.registration.models import Attendee, Question


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    value: Callable
    special: bool = False  # special-category data
    contact: bool = False  # more than names: for roles that see bookings


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def _local(moment):
    return timezone.localtime(moment) if moment else None


ATTENDEE_COLUMNS = [
    Column("code", gettext_lazy("Registration"), lambda a: a.registration.code),
    Column("status", gettext_lazy("Status"), lambda a: a.registration.get_status_display()),
    Column("registered", gettext_lazy("Registered"), lambda a: _local(a.registration.created)),
    Column("given_name", gettext_lazy("First name"), lambda a: a.given_name),
    Column("family_name", gettext_lazy("Last name"), lambda a: a.family_name),
    Column("email", gettext_lazy("Email address"), lambda a: a.email, contact=True),
    Column("organisation", gettext_lazy("Organisation"), lambda a: a.organisation),
    Column("function", gettext_lazy("Job title"), lambda a: a.function, contact=True),
    Column("ticket", gettext_lazy("Ticket"), lambda a: a.ticket_type.name_nl),
    Column("price", gettext_lazy("Price incl. VAT"), lambda a: a.price, contact=True),
    Column("vat_rate", gettext_lazy("VAT rate (%)"), lambda a: a.vat_rate, contact=True),
    Column("badge", gettext_lazy("Name on the badge"), lambda a: a.badge_text),
    Column(
        "photo_consent",
        gettext_lazy("Consents to photos and film"),
        lambda a: _yes_no(a.photo_consent),
    ),
    Column(
        "list_consent",
        gettext_lazy("On the attendee list"),
        lambda a: _yes_no(a.attendee_list_consent),
    ),
    Column("role", gettext_lazy("Attending as"), lambda a: a.get_role_display(), special=True),
    Column(
        "dietary_wishes", gettext_lazy("Dietary wishes"), lambda a: a.dietary_wishes, special=True
    ),
    Column(
        "accessibility_needs",
        gettext_lazy("Accessibility needs"),
        lambda a: a.accessibility_needs,
        special=True,
    ),
]

REGISTRATION_COLUMNS = [
    Column("code", gettext_lazy("Code"), lambda r: r.code),
    Column("status", gettext_lazy("Status"), lambda r: r.get_status_display()),
    Column("registered", gettext_lazy("Registered"), lambda r: _local(r.created)),
    Column("booker", gettext_lazy("Booker"), lambda r: r.booker_name),
    Column("email", gettext_lazy("Email address"), lambda r: r.email, contact=True),
    Column("attendees", gettext_lazy("Attendees"), lambda r: len(r.attendees.all())),
    Column("total", gettext_lazy("Total incl. VAT"), lambda r: r.total, contact=True),
    Column(
        "organisation",
        gettext_lazy("Organisation or name on the invoice"),
        lambda r: r.billing_organisation,
        contact=True,
    ),
    Column("po_number", gettext_lazy("Purchase order number"), lambda r: r.po_number, contact=True),
    Column(
        "reference", gettext_lazy("Your reference"), lambda r: r.billing_reference, contact=True
    ),
    Column("language", gettext_lazy("Language"), lambda r: r.language),
]


def _answer(question: Question) -> Callable[[Attendee], str]:
    def value(attendee: Attendee) -> str:
        for answer in attendee.answers.all():
            if answer.question_id == question.pk:
                if question.kind == "yes_no":
                    return _yes_no(answer.value == YES)
                if question.has_options:
                    return ", ".join(o.label_nl for o in answer.options.all())
                return answer.value
        return ""

    return value


def question_columns(questions: Iterable[Question]) -> list[Column]:
    """Return one column per question of the event (its answers), special ones marked."""
    return [
        Column(
            f"q{question.pk}",
            question.label_nl,
            _answer(question),
            special=question.special_category,
            contact=True,
        )
        for question in questions
    ]


def allowed(columns: list[Column], *, special: bool, names_only: bool) -> list[Column]:
    """Return the columns a role may have: without `special` no special-category column,
    with `names_only` nothing beyond names, organisations and tickets."""
    return [c for c in columns if (special or not c.special) and not (names_only and c.contact)]


def chosen(columns: list[Column], keys: list[str]) -> list[Column]:
    """Return the columns named in `keys` (in the list's order), or all when none is named;
    keys the role may not have, or that do not exist, are left out."""
    wanted = set(keys)
    picked = [c for c in columns if c.key in wanted]
    return picked or columns


def rows(objects: Iterable, columns: list[Column]):
    """Yield each object as the values of `columns`."""
    for obj in objects:
        yield [column.value(obj) for column in columns]
