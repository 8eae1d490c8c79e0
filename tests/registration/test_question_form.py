"""The organisers' questions on the public form: shown per ticket, checked, saved, shown."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from goedeburen.registration.models import Answer, Registration
from tests.factories import QuestionFactory

from .helpers import form_data, manage_link, url

pytestmark = pytest.mark.django_db


def _post(client, event, data):
    return client.post(url("public:registration.start", event.slug), data, follow=True)


def _questions(event, paid):
    return {
        "text": QuestionFactory(event=event, kind="text", label_en="Your motto", required=True),
        "number": QuestionFactory(event=event, kind="number", label_en="How many years"),
        "yes_no": QuestionFactory(event=event, kind="yes_no", label_en="Staying for drinks"),
        "single": QuestionFactory(
            event=event, kind="single_choice", label_en="Lunch", options=["Vis", "Vega"]
        ),
        "multiple": QuestionFactory(
            event=event,
            kind="multiple_choice",
            label_en="Interests",
            options=["Wonen", "Zorg", "Werk"],
            ticket_types=[paid],
        ),
    }


def test_form_shows_each_question_with_its_widget(client, event, hall, paid):
    q = _questions(event, paid)

    html = client.get(url("public:registration.start", event.slug)).content.decode()

    assert f'name="attendee-0-question_{q["text"].pk}"' in html
    assert f'type="radio" name="attendee-0-question_{q["yes_no"].pk}"' in html
    assert f'type="radio" name="attendee-0-question_{q["single"].pk}"' in html
    assert f'type="checkbox" name="attendee-0-question_{q["multiple"].pk}"' in html
    assert "Only for the ticket: Participation." in html
    assert "<legend" in html and "Interests" in html


def test_form_with_every_answer_saves_them_and_shows_them(client, event, hall, paid):
    q = _questions(event, paid)
    vega = q["single"].options.get(label_nl="Vega")
    wonen, _zorg, werk = q["multiple"].options.all()
    p = "attendee-0-question_"
    data = form_data(client, event, [paid])
    data.update(
        {
            f"{p}{q['text'].pk}": "Samen wonen",
            f"{p}{q['number'].pk}": "2,5",
            f"{p}{q['yes_no'].pk}": "yes",
            f"{p}{q['single'].pk}": str(vega.pk),
            f"{p}{q['multiple'].pk}": [str(wonen.pk), str(werk.pk)],
        }
    )

    response = _post(client, event, data)

    assert response.status_code == 200
    answers = {a.question_id: a for a in Answer.objects.all()}
    assert answers[q["text"].pk].value == "Samen wonen"
    assert answers[q["number"].pk].value == "2.5"
    assert answers[q["yes_no"].pk].value == "yes"
    assert list(answers[q["single"].pk].options.all()) == [vega]
    assert list(answers[q["multiple"].pk].options.all()) == [wonen, werk]
    manage = client.get(manage_link(response.content.decode())).content.decode()
    assert "Samen wonen" in manage
    assert "Wonen (en), Werk (en)" in manage


@pytest.mark.parametrize(
    ("which", "value", "message"),
    [
        ("text", "", "This field is required."),
        ("number", "twaalf", "Enter a number, such as 12 or 2.5."),
        ("yes_no", "perhaps", "Choose one of the options given."),
        ("single", "999999", "Choose one of the options given."),
        ("multiple", "999999", "Choose one of the options given."),
    ],
)
def test_form_with_bad_answer_shows_message_and_saves_nothing(
    client, event, hall, paid, which, value, message
):
    q = _questions(event, paid)
    name = f"attendee-0-question_{q[which].pk}"
    data = form_data(client, event, [paid])
    data[f"attendee-0-question_{q['text'].pk}"] = "Samen wonen"
    data[name] = value

    response = _post(client, event, data)

    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert f'id="id_{name}_error"' in html
    assert re.search(rf'aria-describedby="[^"]*id_{name}_error"', html)
    assert (Registration.objects.count(), Answer.objects.count()) == (0, 0)


def test_form_with_option_of_other_question_saves_nothing(client, event, hall, paid):
    q = _questions(event, paid)
    data = form_data(client, event, [paid])
    data[f"attendee-0-question_{q['text'].pk}"] = "Samen wonen"
    data[f"attendee-0-question_{q['single'].pk}"] = str(q["multiple"].options.first().pk)

    response = _post(client, event, data)

    assert "Choose one of the options given." in response.content.decode()
    assert Registration.objects.count() == 0


def test_required_question_of_other_ticket_is_not_required(client, event, hall, paid, free):
    QuestionFactory(event=event, kind="text", required=True, ticket_types=[paid])

    response = _post(client, event, form_data(client, event, [free]))

    assert response.status_code == 200
    assert Registration.objects.count() == 1


def test_special_category_answer_without_consent_is_refused(client, event, hall, paid):
    question = QuestionFactory(event=event, kind="text", special_category=True)
    data = form_data(client, event, [paid])
    data[f"attendee-0-question_{question.pk}"] = "Glutenvrij"

    response = _post(client, event, data)

    assert "Tick the consent box above to give this answer" in response.content.decode()
    assert Registration.objects.count() == 0


def _queries(client, path, data) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.post(path, data)
    assert response.status_code == 200
    return len(queries)


def test_form_with_more_questions_and_attendees_costs_no_more_queries(
    client, event, hall, paid, free
):
    path = url("public:registration.start", event.slug)
    QuestionFactory(event=event, kind="single_choice", options=["A", "B"])
    one = _queries(client, path, form_data(client, event, [paid], action="add"))
    QuestionFactory(event=event, kind="multiple_choice", options=["A", "B"], ticket_types=[paid])
    QuestionFactory(event=event, kind="number")

    three = _queries(client, path, form_data(client, event, [paid, free, free], action="add"))

    assert one == three
