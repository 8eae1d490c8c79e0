"""The organisers' questions: kept by `save_question`, answered through `register`."""

import pytest
from django.core.exceptions import ValidationError

from goedeburen.common.models import LogEntry
from goedeburen.registration import queries, services
from goedeburen.registration.exceptions import RegistrationError
from goedeburen.registration.models import Answer, Question, QuestionOption, Registration
from goedeburen.registration.services import OptionLabels, questions
from tests.factories import QuestionFactory, attendee


def _options(*labels):
    return [OptionLabels(label_nl=label, label_en=f"{label} en") for label in labels]


def _save(event, *, options=(), ticket_types=(), **values):
    values = {"label_nl": "Lunch?", "kind": "single_choice", **values}
    return services.save_question(
        Question(**values), event=event, options=options, ticket_types=ticket_types, by=None
    )


def test_save_question_stores_options_in_order_and_logs(event, paid):
    question = _save(event, options=_options("Vis", "Vega"), ticket_types=[paid])

    assert [o.label_nl for o in question.options.all()] == ["Vis", "Vega"]
    assert list(question.ticket_types.all()) == [paid]
    assert LogEntry.objects.get().action == "question.created"


@pytest.mark.parametrize(
    ("values", "options", "field"),
    [
        ({"kind": "single_choice"}, ["Vis"], "options"),
        ({"kind": "multiple_choice"}, [], "options"),
        ({"kind": "text"}, ["Vis", "Vega"], "options"),
        ({"kind": "single_choice"}, ["Vis", "vis"], "options"),
        ({"kind": "single_choice"}, ["", "Vega"], "options"),
        ({"kind": "text", "label_nl": ""}, [], "label_nl"),
        ({"kind": "text", "required": True, "special_category": True}, [], "required"),
        ({"kind": "nonsense"}, [], "kind"),
    ],
)
def test_save_question_with_bad_input_saves_nothing(event, values, options, field):
    with pytest.raises(ValidationError) as refused:
        _save(event, options=_options(*options), **values)

    assert field in refused.value.message_dict
    assert (Question.objects.count(), QuestionOption.objects.count()) == (0, 0)
    assert LogEntry.objects.count() == 0


def test_save_question_with_ticket_type_of_other_event_is_refused(event):
    from tests.factories import TicketTypeFactory

    with pytest.raises(ValidationError) as refused:
        _save(event, kind="text", ticket_types=[TicketTypeFactory()])

    assert list(refused.value.message_dict) == ["ticket_types"]
    assert Question.objects.count() == 0


def test_save_question_keeps_options_by_label_when_reordered(event):
    question = _save(event, options=_options("Vis", "Vega"))
    vega = question.options.get(label_nl="Vega")

    _save_again = services.save_question(
        question, event=event, options=_options("Vega", "Vis", "Vlees"), ticket_types=[], by=None
    )

    assert [o.label_nl for o in _save_again.options.all()] == ["Vega", "Vis", "Vlees"]
    assert _save_again.options.get(label_nl="Vega").pk == vega.pk


def test_question_with_answers_is_archived_not_deleted(event, hall, paid, register):
    question = QuestionFactory(event=event, kind="text")
    register(paid, attendees=[attendee(paid, answers={question.pk: "Hallo"})])

    archived = services.delete_question(question, event=event, by=None)

    assert archived
    question.refresh_from_db()
    assert question.archived and Answer.objects.get().value == "Hallo"
    assert queries.event_questions(event) == []  # no longer asked
    assert LogEntry.objects.filter(action="question.archived").count() == 1


def test_question_without_answers_is_deleted(event):
    question = QuestionFactory(event=event, kind="text")

    assert not services.delete_question(question, event=event, by=None)

    assert not Question.objects.exists()
    assert LogEntry.objects.filter(action="question.deleted").count() == 1


def test_editing_a_question_keeps_its_answers(event, hall, paid, register):
    question = QuestionFactory(event=event, kind="text", label_nl="Oud")
    register(paid, attendees=[attendee(paid, answers={question.pk: "Hallo"})])
    question.label_nl = "Nieuw"

    services.save_question(question, event=event, options=[], ticket_types=[], by=None)

    assert Answer.objects.get().question.label_nl == "Nieuw"
    assert Answer.objects.get().value == "Hallo"


@pytest.mark.parametrize(
    ("kind", "given", "stored"),
    [
        ("text", "  Graag  ", "Graag"),
        # However it is given (form, back office, API): one line, NFC, no control characters.
        ("text", "\ufeffZoe\u0308 zegt:\r\nja\u0007", "Zoë zegt: ja"),
        ("number", "2,50", "2.5"),
        ("number", "100", "100"),
        ("yes_no", True, "yes"),
        ("yes_no", "no", "no"),
    ],
)
def test_register_stores_answer_in_its_plain_form(event, hall, paid, register, kind, given, stored):
    question = QuestionFactory(event=event, kind=kind)

    registration = register(paid, attendees=[attendee(paid, answers={question.pk: given})])

    answer = Answer.objects.get(attendee__registration=registration)
    assert (answer.question, answer.value) == (question, stored)


def test_register_stores_chosen_options(event, hall, paid, register):
    question = QuestionFactory(event=event, kind="multiple_choice", options=["A", "B", "C"])
    a, _b, c = question.options.all()

    register(paid, attendees=[attendee(paid, answers={question.pk: [a.pk, c.pk]})])

    assert list(Answer.objects.get().options.all()) == [a, c]


@pytest.mark.parametrize(
    ("kind", "given"),
    [
        ("number", "twaalf"),
        ("number", "1e400"),
        ("number", "NaN"),
        ("number", 2.5),
        ("yes_no", "maybe"),
        # Equal to True and False, but no answer to a yes or no.
        ("yes_no", 1),
        ("yes_no", 0.0),
        ("text", "x" * 1001),
        # What only the API can send: stored, it would have been Python's spelling of it.
        ("text", {"a": 1}),
        ("text", ["a"]),
        ("text", True),
        # A number is no list of options (it answered 500), an object's keys are no options.
        ("multiple_choice", 2.5),
        ("multiple_choice", {"1": "x"}),
        ("multiple_choice", [True]),
        ("single_choice", 1.0),
    ],
)
def test_register_with_wrong_answer_saves_nothing(event, hall, paid, register, kind, given):
    question = QuestionFactory(event=event, kind=kind, label_nl="Hoeveel?", options=["A", "B"])

    with pytest.raises(RegistrationError) as refused:
        register(paid, attendees=[attendee(paid, answers={question.pk: given})])

    assert refused.value.code == "invalid"
    assert "Hoeveel?" in str(refused.value.message)
    assert (Registration.objects.count(), Answer.objects.count()) == (0, 0)


@pytest.mark.parametrize("kind", ["single_choice", "multiple_choice"])
def test_register_with_an_option_id_that_is_no_whole_number_saves_nothing(
    event, hall, paid, register, kind
):
    # int() would have made 2.25 the option with id 2.
    question = QuestionFactory(event=event, kind=kind, options=["A", "B"])
    given = question.options.first().pk + 0.25

    with pytest.raises(RegistrationError) as refused:
        register(paid, attendees=[attendee(paid, answers={question.pk: given})])

    assert refused.value.code == "invalid"
    assert (Registration.objects.count(), Answer.objects.count()) == (0, 0)


def test_register_with_option_of_other_question_saves_nothing(event, hall, paid, register):
    question = QuestionFactory(event=event, kind="single_choice", options=["A", "B"])
    foreign = QuestionFactory(event=event, kind="single_choice", options=["X", "Y"])

    with pytest.raises(RegistrationError):
        register(
            paid,
            attendees=[attendee(paid, answers={question.pk: foreign.options.first().pk})],
        )

    assert Registration.objects.count() == 0


def test_register_without_required_answer_is_refused(event, hall, paid, register):
    QuestionFactory(event=event, kind="text", required=True)

    with pytest.raises(RegistrationError):
        register(paid)

    assert Registration.objects.count() == 0


def test_register_with_a_required_answer_that_tidies_to_nothing_is_refused(
    event, hall, paid, register
):
    question = QuestionFactory(event=event, kind="text", required=True, label_nl="Waarom?")

    with pytest.raises(RegistrationError) as refused:
        register(paid, attendees=[attendee(paid, answers={question.pk: "\ufeff\u0007\r\n"})])

    assert refused.value.message == questions.ANSWER_REQUIRED % {"question": "Waarom?"}
    assert (Registration.objects.count(), Answer.objects.count()) == (0, 0)


def test_required_question_of_other_ticket_type_is_not_asked(event, hall, paid, free, register):
    QuestionFactory(event=event, kind="text", required=True, ticket_types=[paid])

    registration = register(free)

    assert registration.attendees.count() == 1


def test_answer_to_question_of_other_ticket_type_is_refused(event, hall, paid, free, register):
    question = QuestionFactory(event=event, kind="text", ticket_types=[paid])

    with pytest.raises(RegistrationError):
        register(free, attendees=[attendee(free, answers={question.pk: "Hallo"})])

    assert Registration.objects.count() == 0


def test_special_category_answer_needs_consent(event, hall, paid, register):
    question = QuestionFactory(event=event, kind="text", special_category=True)

    with pytest.raises(RegistrationError):
        register(paid, attendees=[attendee(paid, answers={question.pk: "Glutenvrij"})])
    registration = register(
        paid,
        attendees=[
            attendee(paid, answers={question.pk: "Glutenvrij"}, special_category_consent=True)
        ],
    )

    assert Answer.objects.get().attendee.registration == registration


def test_answers_by_attendee_gives_what_the_prefetched_answers_hold(
    event, hall, paid, register, django_assert_num_queries
):
    text = QuestionFactory(event=event, kind="text")
    yes_no = QuestionFactory(event=event, kind="yes_no")
    choice = _save(event, kind="multiple_choice", options=_options("Vis", "Vega", "Vlees"))
    registration = register(
        paid, attendees=[attendee(paid), attendee(paid, given_name="Bo"), attendee(paid)]
    )
    first, second, unanswered = registration.attendees.order_by("pk")
    Answer.objects.create(attendee=first, question=text, value="Hallo")
    Answer.objects.create(attendee=first, question=yes_no, value="yes")
    chosen = Answer.objects.create(attendee=second, question=choice, value="")
    vlees, vis = choice.options.get(label_nl="Vlees"), choice.options.get(label_nl="Vis")
    chosen.options.add(vlees, vis)  # chosen in another order than the question's
    attendees = [first, second, unanswered]

    with django_assert_num_queries(2):
        found = queries.answers_by_attendee(attendees)
    queries.prefetch_answers(attendees)

    for one in attendees:
        assert {
            question_id: (given.value, list(given.options))
            for question_id, given in found.get(one.pk, {}).items()
        } == {
            answer.question_id: (answer.value, [o.label_nl for o in answer.options.all()])
            for answer in one.answers.all()
        }
    assert found[second.pk][choice.pk].options == ("Vis", "Vlees")
    assert unanswered.pk not in found
