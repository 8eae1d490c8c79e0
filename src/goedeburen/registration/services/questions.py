"""The organisers' own questions: keep them (with their options) and check the answers.

The back office saves and deletes questions here; booking checks and stores the answers
an attendee gives through `clean_answers` and `store_answers`, inside its own transaction.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from goedeburen.common.audit import log_action
from goedeburen.common.text import one_line
from goedeburen.events.models import Event

from ..enums import NO, YES, QuestionKind
from ..exceptions import RegistrationError
from ..models import Answer, Attendee, Question, QuestionOption, TicketType

MIN_OPTIONS = 2
MAX_OPTIONS = 50
# A number answer: at most this many digits before and after the decimal point.
NUMBER_DIGITS, NUMBER_PLACES = 12, 4
MAX_ANSWER_LENGTH = 1000

TOO_FEW_OPTIONS = _("A choice question needs at least %(count)d options, one per line.")
TOO_MANY_OPTIONS = _("A question can have at most %(count)d options.")
OPTIONS_NOT_WANTED = _(
    "Only a choice question has options: empty the list or choose another kind of answer."
)
OPTION_TWICE = _("Each option can be given only once: “%(option)s” is given twice.")
OPTION_NO_LABEL = _("Each option needs a Dutch text before the “|”.")
OPTION_TOO_LONG = _("An option can be at most %(count)d characters long.")
SPECIAL_NOT_REQUIRED = _(
    "A question about special-category data cannot be required: attendees answer it only "
    "when they consent."
)
FOREIGN_TICKET_TYPE = _("Choose ticket types of this event only.")

ANSWER_REQUIRED = _("Please answer the question “%(question)s”.")
ANSWER_NOT_A_NUMBER = _("The answer to “%(question)s” must be a number, such as 12 or 2.5.")
ANSWER_UNKNOWN_OPTION = _("Choose one of the options given for “%(question)s”.")
ANSWER_NOT_TEXT = _("The answer to “%(question)s” must be text.")
ANSWER_TOO_LONG = _("The answer to “%(question)s” can be at most %(count)d characters long.")
ANSWER_NEEDS_CONSENT = _(
    "The answer to “%(question)s” can only be given with consent to use it: tick the "
    "consent box or leave the answer empty."
)
UNKNOWN_QUESTION = _("An answer was given to a question that is not asked for this ticket.")


@dataclass(frozen=True, kw_only=True)
class OptionLabels:
    """One option of a choice question, as the organiser types it."""

    label_nl: str
    label_en: str = ""


def save_question(
    question: Question,
    *,
    event: Event,
    options: Sequence[OptionLabels],
    ticket_types: Iterable[TicketType],
    by,
) -> Question:
    """Validate and save `question` of `event` with its `options` and `ticket_types`.

    Raise `ValidationError` (by field, `options` for the list) when a rule is broken;
    nothing is saved then. Options are matched to the stored ones by their Dutch label, so
    that an answer keeps its option when the list is reordered or extended; options no
    longer listed are deleted, with the choices of them.

    Side effects: log entry on the event with the question's texts and options.
    """
    question.event = event
    options = [
        OptionLabels(label_nl=o.label_nl.strip(), label_en=o.label_en.strip()) for o in options
    ]
    ticket_types = list(ticket_types)
    errors: dict[str, list] = {}
    try:
        question.full_clean(exclude=["event"])
    except ValidationError as invalid:
        errors.update(invalid.message_dict)
    _check_options(question, options, errors)
    if question.special_category and question.required:
        errors.setdefault("required", []).append(SPECIAL_NOT_REQUIRED)
    if any(t.event_id != event.pk for t in ticket_types):
        errors.setdefault("ticket_types", []).append(FOREIGN_TICKET_TYPE)
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        created = question.pk is None
        question.save()
        question.ticket_types.set(ticket_types)
        _replace_options(question, options if question.has_options else [])
        log_action(
            event,
            action=f"question.{'created' if created else 'changed'}",
            by=by,
            data={
                "question": question.pk,
                "label": question.label_nl,
                "kind": question.kind,
                "required": question.required,
                "special_category": question.special_category,
                "ticket_types": sorted(str(t) for t in ticket_types),
                "options": [o.label_nl for o in options] if question.has_options else [],
            },
        )
    return question


def delete_question(question: Question, *, event: Event, by) -> bool:
    """Delete `question` of `event` with its options; a question that has answers is
    archived instead (no longer asked, its answers kept). Return whether it was archived.

    Side effects: log entry on the event.
    """
    if question.event_id != event.pk:
        raise ValueError("The question belongs to another event.")
    with transaction.atomic():
        answers = question.answers.count()
        log_action(
            event,
            action="question.archived" if answers else "question.deleted",
            by=by,
            data={"question": question.pk, "label": question.label_nl, "answers": answers},
        )
        if answers:
            question.archived = True
            question.save(update_fields=["archived"])
        else:
            question.delete()
    return bool(answers)


def _check_options(question: Question, options: list[OptionLabels], errors: dict) -> None:
    problems = []
    if not question.has_options:
        if options:
            problems.append(OPTIONS_NOT_WANTED)
    elif len(options) < MIN_OPTIONS:
        problems.append(TOO_FEW_OPTIONS % {"count": MIN_OPTIONS})
    elif len(options) > MAX_OPTIONS:
        problems.append(TOO_MANY_OPTIONS % {"count": MAX_OPTIONS})
    seen = set()
    for option in options if question.has_options else []:
        if not option.label_nl:
            problems.append(OPTION_NO_LABEL)
        elif max(len(option.label_nl), len(option.label_en)) > 300:
            problems.append(OPTION_TOO_LONG % {"count": 300})
        elif option.label_nl.casefold() in seen:
            problems.append(OPTION_TWICE % {"option": option.label_nl})
        seen.add(option.label_nl.casefold())
    if problems:
        errors.setdefault("options", []).extend(dict.fromkeys(str(p) for p in problems))


def _replace_options(question: Question, options: list[OptionLabels]) -> None:
    stored = {o.label_nl.casefold(): o for o in question.options.all()}
    kept = []
    for order, labels in enumerate(options):
        option = stored.pop(labels.label_nl.casefold(), None) or QuestionOption(question=question)
        option.label_nl, option.label_en, option.order = labels.label_nl, labels.label_en, order
        option.save()
        kept.append(option.pk)
    question.options.exclude(pk__in=kept).delete()


# Answers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CleanAnswer:
    """An answer ready to store: `value` as `Answer.value` holds it, and chosen option ids."""

    question: Question
    value: str = ""
    option_ids: tuple[int, ...] = ()


def clean_answers(
    questions: Sequence[Question],
    *,
    ticket_type_id: int,
    answers: Mapping[int, object],
    special_category_consent: bool,
) -> list[CleanAnswer]:
    """Check one attendee's `answers` (question id → value) to the event's `questions`.

    `questions` come from `queries.event_questions` (options and ticket types prefetched).
    Values: text for a text question, a number (or its text) for a number question, a
    bool or "yes"/"no" for yes/no, an option id for single choice, option ids for multiple
    choice; None, "" or an empty list is no answer. Raise `RegistrationError` (code
    "invalid", the message naming the question) for a missing required answer, a wrong
    value, an option of another question, a question not asked for this ticket, or a
    special-category answer without consent (the error's `fields`: `answers.<question
    id>`). Return the answers to store.
    """
    asked = {
        q.pk: q
        for q in questions
        if q.applies_to(ticket_type_id, {t.pk for t in q.ticket_types.all()})
    }
    not_asked = sorted(set(answers) - set(asked))
    if not_asked:
        fields = tuple(f"answers.{pk}" for pk in not_asked)
        raise RegistrationError(UNKNOWN_QUESTION, code="invalid", fields=fields)
    result = []
    for question in asked.values():
        answer = _clean_answer(question, answers.get(question.pk))
        if answer is None:
            if question.required:
                raise _invalid(ANSWER_REQUIRED, question)
            continue
        if question.special_category and not special_category_consent:
            raise _invalid(ANSWER_NEEDS_CONSENT, question)
        result.append(answer)
    return result


def store_answers(rows: Sequence[tuple[Attendee, CleanAnswer]]) -> None:
    """Store the answers of saved attendees, in two queries whatever their number."""
    answers = Answer.objects.bulk_create(
        [Answer(attendee=a, question=c.question, value=c.value) for a, c in rows]
    )
    through = Answer.options.through
    through.objects.bulk_create(
        [
            through(answer_id=answer.pk, questionoption_id=option_id)
            for answer, (_attendee, clean) in zip(answers, rows, strict=True)
            for option_id in clean.option_ids
        ]
    )


# How a special-category answer shows in the log: it outlives the answer's erasure.
HIDDEN = "…"


def replace_answers(
    attendee: Attendee,
    *,
    answers: Mapping[int, object] | None,
    asked: Sequence[Question],
    special_category_consent: bool,
    erase_all: bool = False,
) -> tuple[list[tuple[Attendee, CleanAnswer]], list[tuple[str, str, str]]]:
    """Delete the attendee's answers that change; return the new ones to store, and the changes.

    `answers` (question id → value, as `clean_answers` takes them) replace the answers to
    the `asked` questions (from `queries.event_questions`, perhaps without those the
    editor may not see); answers to other questions stay. With `answers` None every answer
    stays. Either way special-category answers go when `special_category_consent` does.
    Each change is (question label, before, after), values hidden for special-category
    questions. Raise `RegistrationError` as `clean_answers` does; call inside a transaction.
    With `erase_all` every answer goes, required or not (the privacy work's erasure).
    """
    stored = {a.question_id: a for a in attendee.answers.select_related("question")}
    if erase_all:
        answers = None
    wanted = {
        question_id: CleanAnswer(answer.question, value=answer.value, option_ids=_options(answer))
        for question_id, answer in stored.items()
        if not erase_all and (special_category_consent or not answer.question.special_category)
    }
    if answers is not None:
        for question in asked:
            wanted.pop(question.pk, None)
        cleaned = clean_answers(
            asked,
            ticket_type_id=attendee.ticket_type_id,
            answers=answers,
            special_category_consent=special_category_consent,
        )
        wanted.update({answer.question.pk: answer for answer in cleaned})
    to_store, changes = [], []
    for question_id in sorted(set(stored) | set(wanted)):
        before, after = stored.get(question_id), wanted.get(question_id)
        old = (before.value, _options(before)) if before else None
        new = (after.value, tuple(sorted(after.option_ids))) if after else None
        if old == new:
            continue
        question = after.question if after else before.question
        if question.special_category:
            changes.append((str(question.t.label), HIDDEN, HIDDEN))
        else:
            changes.append((str(question.t.label), _shown(question, old), _shown(question, new)))
        if before:
            before.delete()
        if after:
            to_store.append((attendee, after))
    return to_store, changes


def _options(answer: Answer) -> tuple[int, ...]:
    return tuple(sorted(option.pk for option in answer.options.all()))


def _shown(question: Question, answer: tuple[str, tuple[int, ...]] | None) -> str:
    if answer is None:
        return ""
    value, option_ids = answer
    if not option_ids:
        return value
    labels = {option.pk: str(option.t.label) for option in question.options.all()}
    return ", ".join(labels.get(pk, str(pk)) for pk in option_ids)


def _invalid(message, question: Question, **extra) -> RegistrationError:
    return RegistrationError(
        message % {"question": question.t.label, **extra},
        code="invalid",
        fields=(f"answers.{question.pk}",),
    )


def _is_empty(value) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | set | frozenset):
        return not value
    return False


def _clean_answer(question: Question, value) -> CleanAnswer | None:
    if _is_empty(value):
        return None
    kind = question.kind
    if kind == QuestionKind.TEXT:
        if isinstance(value, bool | list | tuple | dict):
            # Only the API can send one; stored as text it would be Python's spelling of it.
            raise _invalid(ANSWER_NOT_TEXT, question)
        # Tidied here, not only in the form: the API and the back office give answers too.
        text = one_line(str(value))
        if not text:
            return None
        if len(text) > MAX_ANSWER_LENGTH or "\x00" in text:
            raise _invalid(ANSWER_TOO_LONG, question, count=MAX_ANSWER_LENGTH)
        return CleanAnswer(question, value=text)
    if kind == QuestionKind.NUMBER:
        return CleanAnswer(question, value=_number_text(question, value))
    if kind == QuestionKind.YES_NO:
        # `is`, not `==`: 1 and 0.0 equal True and False, and are no answer to a yes or no.
        if value is True or value == YES:
            return CleanAnswer(question, value=YES)
        if value is False or value == NO:
            return CleanAnswer(question, value=NO)
        raise _invalid(ANSWER_UNKNOWN_OPTION, question)
    several = kind == QuestionKind.MULTIPLE_CHOICE and isinstance(value, list | tuple)
    wanted = list(value) if several else [value]
    # An option id is a whole number or its text; not 2.7 (int() would make it 2), not true
    # (1), not an object (its keys).
    if not all(isinstance(v, int | str) and not isinstance(v, bool) for v in wanted):
        raise _invalid(ANSWER_UNKNOWN_OPTION, question)
    known = {o.pk for o in question.options.all()}
    try:
        chosen = tuple(dict.fromkeys(int(v) for v in wanted))
    except ValueError:
        raise _invalid(ANSWER_UNKNOWN_OPTION, question) from None
    if not set(chosen) <= known:
        raise _invalid(ANSWER_UNKNOWN_OPTION, question)
    return CleanAnswer(question, option_ids=chosen)


def number_text(value) -> str:
    """Return a number answer in plain decimal form ("12.5", "100"), or raise `ValueError`.

    A decimal comma is read as a point ("2,5" is 2.5); floats are refused (they are not
    exact), and so are numbers with more than 12 digits before or 4 after the point.
    """
    if isinstance(value, bool | float):
        raise ValueError(value)
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise ValueError(value) from None
    if not number.is_finite():
        raise ValueError(value)
    places = max(-number.normalize().as_tuple().exponent, 0)
    if places > NUMBER_PLACES or (number and number.adjusted() >= NUMBER_DIGITS):
        raise ValueError(value)
    return format(number.normalize(), "f")


def _number_text(question: Question, value) -> str:
    try:
        return number_text(value)
    except ValueError:
        raise _invalid(ANSWER_NOT_A_NUMBER, question) from None
