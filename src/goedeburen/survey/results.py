"""The survey's results: per question (and per session), with charts and the numbers.

A group (a question for the day, or for one session) of an anonymous survey with fewer than
`MIN_GROUP` answers is not shown: a few answers could tell who gave them.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .models import QuestionKind, Response, ResponseAnswer, Survey

MIN_GROUP = 5


@dataclass
class Bar:
    label: str
    count: int
    percent: int  # of the group's answers
    index: int = 0

    # The chart's geometry (SVG user units): a row of 24 per bar, a bar of at most 200.
    @property
    def y(self) -> int:
        return self.index * 24

    @property
    def width(self) -> int:
        return self.percent * 2


@dataclass
class Group:
    """One question's answers for the day or for one session."""

    title: str
    count: int = 0
    hidden: bool = False
    bars: list[Bar] = field(default_factory=list)
    mean: str = ""
    texts: list[str] = field(default_factory=list)

    @property
    def height(self) -> int:
        return len(self.bars) * 24


@dataclass
class QuestionResult:
    question: object
    groups: list[Group]


def results(survey: Survey) -> tuple[int, list[QuestionResult]]:
    """Return the number of responses and the results per question (queries: constant)."""
    total = Response.objects.filter(survey=survey).count()
    answers = (
        ResponseAnswer.objects.filter(response__survey=survey)
        .select_related("session")
        .prefetch_related("options")
    )
    by_group: dict[tuple[int, int | None], list[ResponseAnswer]] = defaultdict(list)
    sessions = {}
    for answer in answers:
        by_group[(answer.question_id, answer.session_id)].append(answer)
        if answer.session_id:
            sessions[answer.session_id] = answer.session
    found = []
    for question in survey.questions.prefetch_related("options"):
        keys = sorted(
            (key for key in by_group if key[0] == question.pk),
            key=lambda k: (k[1] is not None, str(sessions[k[1]].t.title) if k[1] else ""),
        )
        if not question.per_session:
            keys = [(question.pk, None)]
        groups = []
        for key in keys:
            title = str(sessions[key[1]].t.title) if key[1] else _("The whole day")
            groups.append(_group(question, title, by_group.get(key, []), survey.anonymous))
        found.append(QuestionResult(question, groups))
    return total, found


def _group(question, title: str, answers: list[ResponseAnswer], anonymous: bool) -> Group:
    group = Group(title=title, count=len(answers))
    if anonymous and group.count < MIN_GROUP:
        group.hidden = True
        return group
    if question.kind == QuestionKind.TEXT:
        group.texts = sorted(a.text for a in answers if a.text)
        return group
    if question.kind == QuestionKind.SCALE:
        counts = Counter(a.scale for a in answers)
        labels = [(value, str(value)) for value in range(1, 6)]
        if answers:
            mean = sum(a.scale for a in answers) / len(answers)
            group.mean = f"{mean:.1f}"
    else:
        counts = Counter(option.pk for a in answers for option in a.options.all())
        labels = [(option.pk, option.t.label) for option in question.options.all()]
    for value, label in labels:
        count = counts.get(value, 0)
        percent = round(100 * count / group.count) if group.count else 0
        group.bars.append(Bar(label=label, count=count, percent=percent, index=len(group.bars)))
    return group


def export_rows(survey: Survey) -> list[list[str]]:
    """Return a header and one row per response: the day, then each question (and session).

    In an anonymous survey a group of fewer than `MIN_GROUP` answers gives nothing: a session's
    column is left out, a question for the day stays with empty cells.
    """
    questions = list(survey.questions.prefetch_related("options"))
    answers = (
        ResponseAnswer.objects.filter(response__survey=survey)
        .select_related("session")
        .prefetch_related("options")
    )
    columns: dict[tuple[int, int | None], str] = {}
    for question in questions:
        if not question.per_session:
            columns[(question.pk, None)] = question.label_nl
    # The questions loaded above, not `answer.question`: one query per answer (2,000
    # responses: 26 s, past the server's timeout).
    by_pk = {question.pk: question for question in questions}
    per_response: dict = defaultdict(dict)
    for answer in answers:
        question = by_pk[answer.question_id]
        key = (answer.question_id, answer.session_id)
        if key not in columns:
            columns[key] = f"{question.label_nl} – {answer.session.title_nl}"
        if question.kind == QuestionKind.SCALE:
            value = str(answer.scale)
        elif question.kind == QuestionKind.TEXT:
            value = answer.text
        else:
            value = "; ".join(o.label_nl for o in answer.options.all())
        per_response[answer.response_id][key] = value
    order = sorted(columns, key=lambda k: ([q.pk for q in questions].index(k[0]), k[1] or 0))
    # What the results screen hides, the export leaves empty too: the answers of a group of
    # fewer than `MIN_GROUP` (a session of two, a question few answered) tell who gave them.
    if survey.anonymous:
        counts = Counter(key for values in per_response.values() for key in values)
        order = [key for key in order if counts[key] >= MIN_GROUP or key[1] is None]
        hidden = {key for key in order if counts[key] < MIN_GROUP}
    else:
        hidden = set()
    rows = [[_("Day"), *[columns[k] for k in order]]]
    for response in Response.objects.filter(survey=survey).order_by("submitted_on", "id"):
        values = per_response.get(response.id, {})
        cells = ["" if k in hidden else values.get(k, "") for k in order]
        rows.append([response.submitted_on.isoformat(), *cells])
    return rows
