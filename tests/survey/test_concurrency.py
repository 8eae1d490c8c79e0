"""Races on PostgreSQL around the survey: a first save sent twice, an answer coming in as the
organiser makes the survey anonymous.

Threads call the real services, each on its own connection, released together.
"""

import threading
import time

import pytest
from django.db import IntegrityError, connection

from goedeburen.common.models import LogEntry
from goedeburen.registration.models import Attendee
from goedeburen.survey import services
from goedeburen.survey.exceptions import SurveyError
from goedeburen.survey.models import ResponseAuthor, Survey
from tests import factories
from tests.seams import someone_waits_for_a_lock
from tests.threads import all_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")


def _first_saves(event) -> list:
    # Each organiser's form was built while the event had no survey yet.
    return all_at_once(
        2,
        lambda n: services.save_survey(Survey(event=event, intro_nl=f"Intro {n}"), event=event),
    )


def test_a_first_save_sent_twice_at_once_makes_one_survey(event):
    results = _first_saves(event)

    assert all(isinstance(r, Survey) for r in results), results
    assert Survey.objects.filter(event=event).count() == 1
    assert Survey.objects.get(event=event).intro_nl in {"Intro 0", "Intro 1"}


def test_negative_control_each_first_save_making_its_row_breaks_the_second(event, monkeypatch):
    monkeypatch.setattr(services, "_row_of", lambda event: Survey.objects.create(event=event).pk)

    results = _first_saves(event)

    assert sum(isinstance(r, IntegrityError) for r in results) == 1, results


def _answer_as_it_turns_anonymous(event, register, free_ticket, monkeypatch) -> list:
    """Answer a survey that is not anonymous; once the answer read its questions, the
    organiser makes the survey anonymous. The answer waits, after reading its questions,
    until the organiser waits for a lock or is done."""
    survey = Survey.objects.create(event=event, anonymous=False)
    services.add_question(survey, kind="scale", label_nl="Hoe was de dag?")
    services.set_state(survey, state="open")
    registration = register(free_ticket, event=event, attendees=[factories.attendee(free_ticket)])
    attendee = Attendee.objects.get(registration=registration)
    key = f"q{survey.questions.get().pk}"
    read, organiser_done = threading.Event(), threading.Event()
    questions_for = services.questions_for

    def read_then_wait(*args, **kwargs):
        asked = questions_for(*args, **kwargs)
        read.set()
        deadline = time.monotonic() + 10
        while not organiser_done.is_set() and not someone_waits_for_a_lock():
            assert time.monotonic() < deadline, "the organiser never came"
            time.sleep(0.005)  # polling a condition, with a deadline
        return asked

    monkeypatch.setattr(services, "questions_for", read_then_wait)

    def work(n):
        if n == 0:
            return services.submit_response(survey, attendee=attendee, answers={key: "4"})
        assert read.wait(10)
        try:
            form = Survey.objects.get(pk=survey.pk)
            form.anonymous = True
            return services.save_survey(form, event=event)
        finally:
            organiser_done.set()

    return all_at_once(2, work)


def test_an_answer_as_the_survey_turns_anonymous_refuses_the_change(
    event, register, free_ticket, monkeypatch
):
    answered, changed = _answer_as_it_turns_anonymous(event, register, free_ticket, monkeypatch)

    assert not isinstance(answered, Exception), answered
    assert isinstance(changed, SurveyError) and changed.code == "in_use", changed
    assert (Survey.objects.get(event=event).anonymous, ResponseAuthor.objects.count()) == (False, 1)


def test_negative_control_without_the_survey_lock_an_anonymous_survey_names_its_author(
    event, register, free_ticket, monkeypatch
):
    monkeypatch.setattr(
        services, "_locked", lambda pk: Survey.objects.select_related("event").get(pk=pk)
    )

    answered, changed = _answer_as_it_turns_anonymous(event, register, free_ticket, monkeypatch)

    assert isinstance(changed, Survey), changed
    assert (Survey.objects.get(event=event).anonymous, ResponseAuthor.objects.count()) == (True, 1)


def test_opening_twice_at_once_logs_it_once(event):
    survey = Survey.objects.create(event=event)
    services.add_question(survey, kind="scale", label_nl="Hoe was de dag?")

    results = all_at_once(2, lambda n: services.set_state(survey, state="open"))

    assert all(isinstance(r, Survey) for r in results), results
    assert LogEntry.objects.filter(action="survey.state_changed").count() == 1


def _add_twice_at_once(event) -> int:
    """Send the organiser's "add question" form twice at once (a double click)."""
    survey = Survey.objects.create(event=event)
    results = all_at_once(
        2,
        lambda n: services.add_question(
            survey, kind="single", label_nl="Kwam u terug?", options=["Ja", "Nee"]
        ),
    )

    assert not any(isinstance(r, Exception) for r in results), results
    return survey.questions.count()


def test_one_question_added_twice_at_once_is_added_once(event):
    assert _add_twice_at_once(event) == 1


def test_negative_control_without_comparing_with_the_last_question_it_is_added_twice(
    event, monkeypatch
):
    monkeypatch.setattr(services, "same_question", lambda question, **values: False)

    assert _add_twice_at_once(event) == 2


def _settings_then_first_question(event, add_first_question) -> Survey:
    """Two organisers opened the survey screen while it had no survey yet; one saves the
    settings, then the other adds a question from the page they had open."""
    stale = services.survey_of(event)
    services.save_survey(
        Survey(event=event, intro_nl="Mijn inleiding", anonymous=False), event=event
    )
    add_first_question(stale)
    return Survey.objects.get(event=event)


def test_a_first_question_keeps_the_settings_saved_meanwhile(event):
    survey = _settings_then_first_question(
        event, lambda stale: services.add_question(stale, kind="text", label_nl="Wat nam u mee?")
    )

    assert (survey.intro_nl, survey.anonymous) == ("Mijn inleiding", False)
    assert list(survey.questions.values_list("label_nl", flat=True)) == ["Wat nam u mee?"]


def test_negative_control_saving_the_open_page_first_loses_the_settings(event):
    def as_before(stale):  # the screen saved its unsaved survey before adding a question
        survey = services.save_survey(stale, event=event)
        services.add_question(survey, kind="text", label_nl="Wat nam u mee?")

    survey = _settings_then_first_question(event, as_before)

    assert (survey.intro_nl, survey.anonymous) == ("", True)


def test_first_settings_and_first_question_at_once_keep_both(event):
    def work(n):
        if n == 0:
            settings = Survey(event=event, intro_nl="Mijn inleiding", anonymous=False)
            return services.save_survey(settings, event=event)
        return services.add_question(
            services.survey_of(event), kind="text", label_nl="Wat nam u mee?"
        )

    results = all_at_once(2, work)

    assert not any(isinstance(r, Exception) for r in results), results
    survey = Survey.objects.get(event=event)
    assert (survey.intro_nl, survey.anonymous) == ("Mijn inleiding", False)
    assert survey.questions.count() == 1
