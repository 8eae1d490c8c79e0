"""The back office's question screens, and the answers on the registration detail."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from goedeburen.common.models import LogEntry
from goedeburen.events.models import Role
from goedeburen.registration.models import Answer, Question, QuestionOption
from tests.backoffice.conftest import CONFIRM, url
from tests.factories import AttendeeFactory, QuestionFactory, TeamMemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def _data(**overrides):
    return {
        "label_nl": "Lunch",
        "label_en": "Lunch",
        "kind": "single_choice",
        "options": "Vis | Fish\nVega | Vegetarian\n",
        "order": "0",
        **overrides,
    }


def _rows():
    return (
        list(Question.objects.values()),
        list(QuestionOption.objects.values()),
        LogEntry.objects.count(),
    )


def test_create_question_saves_it_with_options(owner_client, world):
    response = owner_client.post(
        url("question.create", world), _data(ticket_types=[world.ticket_type.pk])
    )

    assert response.status_code == 302
    question = Question.objects.get(label_nl="Lunch")
    assert [(o.label_nl, o.label_en) for o in question.options.all()] == [
        ("Vis", "Fish"),
        ("Vega", "Vegetarian"),
    ]
    assert list(question.ticket_types.all()) == [world.ticket_type]
    assert owner_client.get(url("question.list", world)).status_code == 200


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"options": "Vis"}, "options"),
        ({"kind": "text"}, "options"),
        ({"label_nl": "   "}, "label_nl"),
        ({"options": "Vis\nvis"}, "options"),
        (
            {"required": "on", "special_category": "on", "kind": "text", "options": ""},
            "required",
        ),
        ({"ticket_types": ["999999"]}, "ticket_types"),
    ],
)
def test_create_question_with_bad_input_saves_nothing(owner_client, world, overrides, field):
    before = _rows()

    response = owner_client.post(url("question.create", world), _data(**overrides))

    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert 'aria-invalid="true"' in response.content.decode()
    assert _rows() == before


def test_update_question_changes_options(owner_client, world):
    question = QuestionFactory(event=world.event, kind="single_choice", options=["A", "B"])
    path = reverse(
        "backoffice:question.update", kwargs={"event": world.event.slug, "pk": question.pk}
    )

    assert "A | A (en)" in owner_client.get(path).content.decode()
    owner_client.post(path, _data(options="B\nC"))

    assert [o.label_nl for o in question.options.all()] == ["B", "C"]


def test_delete_question_deletes_it(owner_client, world):
    response = owner_client.post(url("question.delete", world), CONFIRM)

    assert response.status_code == 302
    assert not Question.objects.filter(pk=world.question.pk).exists()


def _answer(world, *, special):
    question = QuestionFactory(
        event=world.event, kind="text", special_category=special, label_nl=f"Vraag {special}"
    )
    return Answer.objects.create(
        attendee=world.attendee, question=question, value=f"antwoord-{special}"
    )


@pytest.mark.parametrize(("role", "sees"), [(Role.OWNER, True), (Role.FINANCE, False)])
def test_detail_shows_special_category_answers_only_with_permission(client, world, role, sees):
    _answer(world, special=False)
    _answer(world, special=True)
    user = UserFactory()
    TeamMemberFactory(organiser=world.organiser, user=user, role=role, event=world.event)
    client.force_login(user)

    html = client.get(url("registration.detail", world)).content.decode()

    assert "antwoord-False" in html
    assert ("antwoord-True" in html) is sees
    assert ("Vraag True" in html) is sees


def test_detail_with_more_attendees_and_answers_costs_no_more_queries(owner_client, world):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert owner_client.get(url("registration.detail", world)).status_code == 200
        return len(queries)

    question = QuestionFactory(event=world.event, kind="multiple_choice", options=["A", "B"])
    answer = Answer.objects.create(attendee=world.attendee, question=question)
    answer.options.set(question.options.all())
    count()  # warm the per-process caches (content types), whatever ran before
    one = count()
    for _ in range(2):
        other = AttendeeFactory(registration=world.registration, ticket_type=world.ticket_type)
        Answer.objects.create(attendee=other, question=world.question, value="x")
        extra = QuestionFactory(event=world.event, kind="yes_no")
        Answer.objects.create(attendee=other, question=extra, value="yes")

    assert count() == one
