"""Use cases of the survey: build it, open and close it, answer it once, remind once.

Side effects are named per function; every change by the organiser is logged.
"""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from goedeburen.common.audit import log_action
from goedeburen.common.tasks import enqueue_on_commit
from goedeburen.common.text import tidy_lines
from goedeburen.events.models import Event, Session
from goedeburen.mail import queries as mail_queries
from goedeburen.mail.enums import MailKind
from goedeburen.mail.services import queue_scheduled_mail
from goedeburen.matching import queries as matching_queries
from goedeburen.registration.models import Attendee, Registration

from . import eligibility, tasks
from .exceptions import SurveyError
from .models import (
    Participation,
    QuestionKind,
    Response,
    ResponseAnswer,
    ResponseAuthor,
    Survey,
    SurveyOption,
    SurveyQuestion,
    SurveyState,
)

REMINDER_SCHEDULE = "survey_reminder"


def survey_of(event: Event) -> Survey:
    """Return the event's survey, or a new unsaved one."""
    return Survey.objects.filter(event=event).first() or Survey(event=event)


def save_survey(survey: Survey, *, event: Event, by=None) -> Survey:
    """Store the survey's introduction and settings. Side effects: the row; a log entry.

    The event's survey row is locked while it is checked and written (`_locked`): a first
    save sent twice at once changes the one row the first made, not a 500 on the second
    row; an answer coming in meanwhile is stored before or after, never as the survey
    turns anonymous (or stops being so) under it.
    """
    survey.event = event
    with transaction.atomic():
        if survey.pk is None:
            survey.pk = _row_of(event)
            survey._state.adding = False
        stored = _locked(survey.pk)
        changed = survey.anonymous != stored.anonymous
        if changed and Response.objects.filter(survey=survey).exists():
            raise SurveyError(
                _("Answers have come in: whether the survey is anonymous cannot change now."),
                code="in_use",
            )
        survey.save()
        log_action(event, action="survey.saved", by=by, data={"anonymous": survey.anonymous})
    return survey


def add_question(
    survey: Survey,
    *,
    kind: str,
    label_nl: str,
    label_en: str = "",
    options: Sequence[str] = (),
    per_session: bool = False,
    required: bool = False,
    by=None,
) -> SurveyQuestion:
    """Add a question at the end, with its options for a choice question.

    Side effects: the question and options; a log entry. Refused once answers came in.
    The same question as the last one, asked for again (a form sent twice), is added once.
    `survey` may be the event's survey not saved yet (the first question before any
    settings): its row is made with the default settings, and a row another organiser has
    saved meanwhile keeps the settings they gave it (this survey's values are not written).
    """
    if kind not in QuestionKind.values or not label_nl.strip():
        raise SurveyError(_("Give the question a kind and a Dutch text."), code="invalid")
    options = [o.strip() for o in options if o.strip()]
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) and len(options) < 2:
        raise SurveyError(_("A choice question needs at least two options."), code="invalid")
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk or _row_of(survey.event))
        _refuse_when_answered(survey)
        newest = survey.questions.order_by("-order", "-pk").first()
        if newest is not None and same_question(
            newest,
            kind=kind,
            label_nl=label_nl,
            label_en=label_en,
            options=options,
            per_session=per_session,
            required=required,
        ):
            return newest  # the same form sent again (a double click): added once
        last = newest.order if newest is not None else 0
        question = SurveyQuestion.objects.create(
            survey=survey,
            kind=kind,
            label_nl=label_nl.strip()[:300],
            label_en=label_en.strip()[:300],
            per_session=per_session,
            required=required,
            order=last + 1,
        )
        if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            SurveyOption.objects.bulk_create(
                SurveyOption(question=question, label_nl=label[:300], order=i)
                for i, label in enumerate(options)
            )
        log_action(
            survey.event, action="survey.question_added", by=by, data={"label": question.label_nl}
        )
    return question


def same_question(
    question: SurveyQuestion,
    *,
    kind: str,
    label_nl: str,
    label_en: str,
    options: Sequence[str],
    per_session: bool,
    required: bool,
) -> bool:
    """Return whether `question` is the one these values would add."""
    found = (question.kind, question.label_nl, question.label_en, question.per_session)
    wanted = (kind, label_nl.strip()[:300], label_en.strip()[:300], per_session)
    if (found, question.required) != (wanted, required):
        return False
    labels = question.options.order_by("order").values_list("label_nl", flat=True)
    return list(labels) == [label[:300] for label in options]


def delete_question(question: SurveyQuestion, *, by=None) -> None:
    """Delete a question (refused once answers came in). Side effects: a log entry."""
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=question.survey_id)
        _refuse_when_answered(survey)
        question.delete()
        log_action(
            survey.event, action="survey.question_deleted", by=by, data={"label": question.label_nl}
        )


def _row_of(event: Event) -> int:
    """Return the id of the event's survey row, made now when there is none: of two first
    saves at once, one makes it and the other finds it (a survey per event)."""
    return Survey.objects.get_or_create(event=event)[0].pk


def _locked(pk: int) -> Survey:
    """Return the survey with its event, its row locked until the transaction ends.

    FOR NO KEY UPDATE: the rows that point at it (questions, answers) are still written
    meanwhile; what changes its settings or answers it waits.
    """
    return (
        Survey.objects.select_for_update(no_key=True, of=("self",))
        .select_related("event")
        .get(pk=pk)
    )


def _refuse_when_answered(survey: Survey) -> None:
    if Response.objects.filter(survey=survey).exists():
        raise SurveyError(
            _("Answers have come in: the questions cannot change any more."), code="in_use"
        )


def set_state(survey: Survey, *, state: str, by=None, now: dt.datetime | None = None) -> Survey:
    """Open or close the survey. Opening enqueues the reminder run for its due moment.

    Side effects: the state; a log entry; the `send_reminders` task enqueued (opening).
    """
    if state not in (SurveyState.OPEN, SurveyState.CLOSED):
        raise SurveyError(_("A survey can only be opened or closed."), code="invalid")
    if state == SurveyState.OPEN and not survey.questions.exists():
        raise SurveyError(_("Add a question before opening the survey."), code="invalid")
    with transaction.atomic():
        # Opening (or closing) an open (closed) survey again, say twice at once, changes
        # nothing: no second log entry, no second reminder run.
        changed = Survey.objects.filter(pk=survey.pk).exclude(state=state).update(state=state)
        survey.state = state
        if not changed:
            return survey
        log_action(survey.event, action="survey.state_changed", by=by, data={"state": state})
        due = reminder_due(survey)
        if state == SurveyState.OPEN and due and tasks.send_reminders.get_backend().supports_defer:
            enqueue_on_commit(tasks.send_reminders.using(run_after=max(due, now or timezone.now())))
    return survey


def reminder_due(survey: Survey) -> dt.datetime | None:
    """Return when the one reminder goes: `reminder_days` after the thank-you mail."""
    settings = mail_queries.mail_settings(survey.event)
    if settings.thank_you_days_after is None:
        return None
    thanks = survey.event.ends_at() + dt.timedelta(days=settings.thank_you_days_after)
    return thanks + dt.timedelta(days=survey.reminder_days)


@dataclass(frozen=True)
class Asked:
    """One question as one person is asked it: for the whole day, or for one session."""

    question: SurveyQuestion
    session: Session | None

    @property
    def key(self) -> str:
        return f"q{self.question.pk}" + (f"-s{self.session.pk}" if self.session else "")


def questions_for(survey: Survey, attendee: Attendee) -> list[Asked]:
    """Return what `attendee` is asked: each question, per-session ones per session of theirs."""
    questions = list(survey.questions.prefetch_related("options"))
    sessions = []
    if any(q.per_session for q in questions):
        lines = matching_queries.personal_programmes(survey.event, [attendee]).get(attendee.pk, [])
        sessions = [line.session for line in lines]
    asked = []
    for question in questions:
        if question.per_session:
            asked.extend(Asked(question, session) for session in sessions)
        else:
            asked.append(Asked(question, None))
    return asked


def may_answer(survey: Survey, attendee: Attendee) -> bool:
    return eligibility.eligible_attendees(survey.event).filter(pk=attendee.pk).exists()


def has_answered(survey: Survey, attendee: Attendee) -> bool:
    return Participation.objects.filter(survey=survey, attendee=attendee).exists()


def submit_response(
    survey: Survey, *, attendee: Attendee, answers: Mapping[str, object], today=None
) -> Response:
    """Store `attendee`'s answers (by `Asked.key`), once, or raise `SurveyError`.

    Values: an int 1–5 (scale), an option id (single), option ids (multiple), a text.
    Anonymous: nothing links the response to the person (no `ResponseAuthor`), and it
    holds no time, only the day.
    Side effects: a `Participation` (who answered), a `Response` with its answers.
    """
    if survey.state != SurveyState.OPEN:
        raise SurveyError(_("This survey is closed."), code="closed")
    if not may_answer(survey, attendee):
        raise SurveyError(
            _("This survey is for the participants of the event."), code="not_invited"
        )
    try:
        with transaction.atomic():
            # Read again under the survey's lock: closed, made anonymous or not, or a
            # question deleted while this answer was on its way is seen, not missed.
            survey = _locked(survey.pk)
            if survey.state != SurveyState.OPEN:
                raise SurveyError(_("This survey is closed."), code="closed")
            asked = questions_for(survey, attendee)
            rows = [_clean(item, answers.get(item.key)) for item in asked]
            Participation.objects.create(survey=survey, attendee=attendee)
            response = Response.objects.create(
                survey=survey, submitted_on=today or timezone.localdate()
            )
            if not survey.anonymous:
                ResponseAuthor.objects.create(response=response, attendee=attendee)
            for item, (scale, text, option_ids) in zip(asked, rows, strict=True):
                if scale is None and not text and not option_ids:
                    continue
                answer = ResponseAnswer.objects.create(
                    response=response,
                    question=item.question,
                    session=item.session,
                    scale=scale,
                    text=text,
                )
                if option_ids:
                    answer.options.set(option_ids)
    except IntegrityError as twice:
        raise SurveyError(
            _("You have answered this survey already. Thank you!"), code="answered"
        ) from twice
    return response


def _clean(item: Asked, value) -> tuple[int | None, str, list[int]]:
    question = item.question
    label = question.t.label
    if question.kind == QuestionKind.TEXT and isinstance(value, str):
        # Lines kept, control characters out: the answers go into exports and the API.
        value = tidy_lines(value.replace("\x00", ""))
    empty = value in (None, "", [], ())
    if empty:
        if question.required:
            raise SurveyError(_("“%(q)s” needs an answer.") % {"q": label}, code="invalid")
        return None, "", []
    if question.kind == QuestionKind.TEXT:
        text = str(value)
        if len(text) > 2000:
            raise SurveyError(_("“%(q)s”: at most 2000 characters.") % {"q": label}, code="invalid")
        return None, text, []
    if question.kind == QuestionKind.SCALE:
        try:
            scale = int(value)
        except (TypeError, ValueError):
            scale = 0
        if not 1 <= scale <= 5:
            raise SurveyError(_("“%(q)s”: choose from 1 to 5.") % {"q": label}, code="invalid")
        return scale, "", []
    values = value if isinstance(value, list | tuple) else [value]
    allowed = {option.pk for option in question.options.all()}
    try:
        ids = sorted({int(v) for v in values})
    except (TypeError, ValueError):
        ids = [0]
    if not ids or set(ids) - allowed or (question.kind == QuestionKind.SINGLE and len(ids) > 1):
        raise SurveyError(_("“%(q)s”: choose one of the options.") % {"q": label}, code="invalid")
    return None, "", ids


def send_reminders(*, now: dt.datetime | None = None) -> int:
    """Queue the one reminder to each registration with someone who has not answered yet.

    Only for open surveys whose reminder is due. Side effects: one outbox mail per
    registration (`queue_scheduled_mail`, schedule "survey_reminder": once, however often
    this runs); opted-out addresses skipped.
    """
    now = now or timezone.now()
    queued = 0
    for survey in Survey.objects.filter(state=SurveyState.OPEN).select_related("event"):
        due = reminder_due(survey)
        if due is None or now < due:
            continue
        answered = Participation.objects.filter(survey=survey).values("attendee_id")
        waiting = (
            eligibility.eligible_attendees(survey.event)
            .exclude(pk__in=answered)
            .values("registration_id")
        )
        skip = mail_queries.opted_out_addresses(survey.event)
        for registration in Registration.objects.filter(pk__in=waiting).order_by("pk"):
            if not registration.email or registration.email in skip:
                continue
            queued += (
                queue_scheduled_mail(
                    registration, schedule=REMINDER_SCHEDULE, kind=MailKind.SURVEY_REMINDER
                )
                is not None
            )
    return queued
