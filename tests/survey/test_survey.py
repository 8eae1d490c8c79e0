"""The evaluation survey: one answer per person, anonymous without a link, small groups hidden."""

import io

import pytest
from openpyxl import load_workbook

from goedeburen.events.models import Event
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.models import Attendee
from goedeburen.survey import results, services
from goedeburen.survey.exceptions import SurveyError
from goedeburen.survey.models import (
    Participation,
    Response,
    ResponseAnswer,
    ResponseAuthor,
    Survey,
)
from goedeburen.survey.tokens import survey_token
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(event):
    survey = Survey.objects.create(event=event, anonymous=True)
    services.add_question(survey, kind="scale", label_nl="Hoe was de dag?", required=True)
    services.add_question(survey, kind="text", label_nl="Wat kan beter?")
    services.add_question(survey, kind="scale", label_nl="Hoe was de sessie?", per_session=True)
    services.set_state(survey, state="open")
    return survey


def _attendee(register, free_ticket, event, name="Ada"):
    registration = register(
        free_ticket, event=event, attendees=[factories.attendee(free_ticket, given_name=name)]
    )
    assert registration.status == RegistrationStatus.CONFIRMED
    return Attendee.objects.get(registration=registration)


def _key(survey, label, session=None):
    question = survey.questions.get(label_nl=label)
    return f"q{question.pk}" + (f"-s{session.pk}" if session else "")


def test_each_person_answers_once(survey, register, free_ticket, event):
    ada = _attendee(register, free_ticket, event)
    answers = {_key(survey, "Hoe was de dag?"): "4", _key(survey, "Wat kan beter?"): "Meer koffie"}

    services.submit_response(survey, attendee=ada, answers=answers)
    with pytest.raises(SurveyError) as twice:
        services.submit_response(survey, attendee=ada, answers=answers)

    assert twice.value.code == "answered"
    assert (Response.objects.count(), Participation.objects.count()) == (1, 1)


def test_an_open_answer_keeps_its_lines_without_control_characters(
    survey, register, free_ticket, event
):
    ada = _attendee(register, free_ticket, event)
    answers = {
        _key(survey, "Hoe was de dag?"): "4",
        _key(survey, "Wat kan beter?"): "\ufeffMeer koffie\u0007\r\n\r\nEn the\u0301e",
    }

    services.submit_response(survey, attendee=ada, answers=answers)

    assert ResponseAnswer.objects.exclude(text="").get().text == "Meer koffie\nEn thée"


def test_a_required_open_answer_that_tidies_to_nothing_is_refused(
    survey, register, free_ticket, event
):
    services.add_question(survey, kind="text", label_nl="Wat neem je mee?", required=True)
    ada = _attendee(register, free_ticket, event)
    answers = {
        _key(survey, "Hoe was de dag?"): "4",
        _key(survey, "Wat neem je mee?"): "\ufeff\u0007 \r\n",
    }

    with pytest.raises(SurveyError) as refused:
        services.submit_response(survey, attendee=ada, answers=answers)

    assert refused.value.code == "invalid"
    assert Response.objects.count() == 0


def test_anonymous_answers_have_no_link_to_a_registration(survey, register, free_ticket, event):
    ada = _attendee(register, free_ticket, event)
    services.submit_response(survey, attendee=ada, answers={_key(survey, "Hoe was de dag?"): "5"})

    # No column of the answers' tables can point at a person, or hold a time.
    for model in (Response, ResponseAnswer):
        columns = {f.column for f in model._meta.concrete_fields}
        assert not {c for c in columns if "attendee" in c or "registration" in c or c == "created"}
    assert not ResponseAuthor.objects.exists()
    (row,) = Response.objects.values()
    assert set(row) == {"id", "survey_id", "submitted_on"}


def test_not_anonymous_keeps_the_link(survey, register, free_ticket, event):
    Survey.objects.filter(pk=survey.pk).update(anonymous=False)
    survey.refresh_from_db()
    ada = _attendee(register, free_ticket, event)

    services.submit_response(survey, attendee=ada, answers={_key(survey, "Hoe was de dag?"): "3"})

    assert ResponseAuthor.objects.get().attendee == ada


def test_a_session_with_four_answers_shows_too_few(client, survey, register, free_ticket, event):
    session = factories.SessionFactory(round__event=event, title_nl="Werksessie A")
    people = [_attendee(register, free_ticket, event, name=f"P{n}") for n in range(6)]
    # Four attended the session (their per-session answers), all six answer for the day.
    import goedeburen.survey.services as survey_services

    def questions_for(survey_, attendee):
        asked = [services.Asked(q, None) for q in survey_.questions.filter(per_session=False)]
        if attendee.pk in {p.pk for p in people[:4]}:
            asked += [services.Asked(survey_.questions.get(per_session=True), session)]
        return asked

    original = survey_services.questions_for
    survey_services.questions_for = questions_for
    try:
        for person in people:
            answers = {_key(survey, "Hoe was de dag?"): "4"}
            answers[_key(survey, "Hoe was de sessie?", session)] = "5"
            services.submit_response(survey, attendee=person, answers=answers)
    finally:
        survey_services.questions_for = original

    total, found = results.results(survey)
    day, _text, per_session = found
    assert total == 6
    assert (day.groups[0].count, day.groups[0].hidden) == (6, False)
    assert [b.count for b in day.groups[0].bars] == [0, 0, 0, 6, 0]
    (group,) = per_session.groups
    assert (group.title, group.count, group.hidden) == ("Werksessie A", 4, True)

    user = factories.UserFactory()
    factories.TeamMemberFactory(organiser=event.organiser, user=user, role="owner")
    client.force_login(user)
    html = client.get(f"/backoffice/{event.slug}/survey/results/").content.decode()
    assert "Werksessie A" in html
    assert (
        "Te weinig antwoorden om te tonen (4 antwoorden)." in html
        or "Too few answers to show (4 answers)." in html
    )
    assert "<svg" in html and "<table" in html


def test_export_as_csv_and_xlsx(client, survey, register, free_ticket, event):
    for n in range(5):
        services.submit_response(
            survey,
            attendee=_attendee(register, free_ticket, event, name=f"E{n}"),
            answers={
                _key(survey, "Hoe was de dag?"): str(n + 1),
                _key(survey, "Wat kan beter?"): "=1+1" if n else "- meer pauzes\n- koffie",
            },
        )
    user = factories.UserFactory()
    factories.TeamMemberFactory(organiser=event.organiser, user=user, role="owner")
    client.force_login(user)

    csv_text = client.get(f"/backoffice/{event.slug}/survey/results/export.csv").content.decode(
        "utf-8-sig"
    )
    xlsx = client.get(f"/backoffice/{event.slug}/survey/results/export.xlsx").content

    lines = csv_text.strip().splitlines()
    assert lines[0].endswith("Hoe was de dag?;Wat kan beter?")
    assert len(lines) == 7 and sum(line.endswith(";'=1+1") for line in lines) == 4
    assert ';"\'- meer pauzes\n- koffie"\n' in csv_text.replace("\r\n", "\n")
    # In the workbook each answer is a text cell as answered: never a formula, no quote.
    sheet = load_workbook(io.BytesIO(xlsx)).active
    answers = [row[-1] for row in sheet.iter_rows(min_row=2)]
    assert sheet.max_row == 6
    assert sorted(c.value for c in answers) == ["- meer pauzes\n- koffie"] + ["=1+1"] * 4
    assert {c.data_type for c in answers} == {"s"}
    # Only these two: any other suffix of the address is none of ours (a line break in it
    # made a header Django refuses, a 500).
    for suffix in ("exe", "csv%0D%0AX-Injected:%201", "csv%22%3B"):
        url = f"/backoffice/{event.slug}/survey/results/export.{suffix}"
        assert client.get(url).status_code == 404


def test_the_personal_link_opens_the_survey_and_answers_once(
    client, survey, register, free_ticket, event
):
    ada = _attendee(register, free_ticket, event)
    url = f"/{event.slug}/survey/{survey_token(ada)}/"

    assert client.get(url).status_code == 200
    bad = client.post(url, {_key(survey, "Hoe was de dag?"): "9"})
    assert bad.status_code == 200 and Response.objects.count() == 0
    assert client.post(url, {_key(survey, "Hoe was de dag?"): "2"}).status_code == 302
    assert Response.objects.count() == 1
    assert client.get(f"/{event.slug}/survey/not-a-token/").status_code == 404


def test_reminder_goes_once_to_who_has_not_answered(survey, register, free_ticket, event):
    import datetime as dt

    from goedeburen.mail.models import OutgoingMail

    answered = _attendee(register, free_ticket, event, name="Klaar")
    waiting = _attendee(register, free_ticket, event, name="Nog")
    services.submit_response(
        survey, attendee=answered, answers={_key(survey, "Hoe was de dag?"): "4"}
    )
    Event.objects.filter(pk=event.pk).update(date=dt.date.today() - dt.timedelta(days=30))
    survey.event.refresh_from_db()

    assert services.send_reminders() == 1
    assert services.send_reminders() == 0
    mail = OutgoingMail.objects.get(schedule="survey_reminder")
    assert mail.registration_id == waiting.registration_id


def _sign_in_owner(client, event) -> None:
    user = factories.UserFactory()
    factories.TeamMemberFactory(organiser=event.organiser, user=user, role="owner")
    client.force_login(user)


def _answer(survey, register, free_ticket, event, *, name: str) -> None:
    services.submit_response(
        survey,
        attendee=_attendee(register, free_ticket, event, name=name),
        answers={_key(survey, "Hoe was de dag?"): "3", _key(survey, "Wat kan beter?"): "x"},
    )


# An anonymous survey's export needs 5 responses; one query per answer made exporting 2,000
# responses take 26 s, past the server's timeout.
@pytest.mark.parametrize(("page", "first"), [("", 1), ("export.csv", 5)])
def test_results_and_export_cost_the_same_queries_for_two_more_responses(
    client, survey, register, free_ticket, event, page, first
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _sign_in_owner(client, event)
    url = f"/backoffice/{event.slug}/survey/results/{page}"

    def queries():
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured)

    for n in range(first):
        _answer(survey, register, free_ticket, event, name=f"R{n}")
    before = queries()
    for n in range(first, first + 2):
        _answer(survey, register, free_ticket, event, name=f"R{n}")
    assert queries() == before


def test_xlsx_export_scans_the_sheet_no_more_for_7_responses_than_for_5(
    client, monkeypatch, survey, register, free_ticket, event
):
    # `Worksheet.max_row` looks at every cell written so far: read once per row, 2,000
    # responses took 26 s, past the server's timeout.
    from openpyxl.worksheet.worksheet import Worksheet

    scans = []
    max_row = Worksheet.max_row
    monkeypatch.setattr(
        Worksheet, "max_row", property(lambda sheet: scans.append(1) or max_row.fget(sheet))
    )
    _sign_in_owner(client, event)
    url = f"/backoffice/{event.slug}/survey/results/export.xlsx"

    def scanned():
        scans.clear()
        response = client.get(url)
        count = len(scans)
        assert response.status_code == 200
        assert load_workbook(io.BytesIO(response.content)).active.title == "Evaluation"
        return count

    for n in range(5):
        _answer(survey, register, free_ticket, event, name=f"W{n}")
    five = scanned()
    for n in range(5, 7):
        _answer(survey, register, free_ticket, event, name=f"W{n}")
    assert scanned() == five


def test_after_check_in_only_who_came_is_asked(survey, register, free_ticket, event):
    from django.utils import timezone

    from goedeburen.checkin.models import CheckIn
    from goedeburen.survey import eligibility

    came = _attendee(register, free_ticket, event, name="Kwam")
    stayed_home = _attendee(register, free_ticket, event, name="Thuis")
    # Before anyone is checked in (or for an event without check-in): every confirmed one.
    assert set(eligibility.eligible_attendees(event)) == {came, stayed_home}

    CheckIn.objects.create(event=event, attendee=came, device="d1", at=timezone.now())

    assert list(eligibility.eligible_attendees(event)) == [came]
    with pytest.raises(SurveyError) as refused:
        services.submit_response(
            survey, attendee=stayed_home, answers={_key(survey, "Hoe was de dag?"): "4"}
        )
    assert refused.value.code == "not_invited"


@pytest.mark.parametrize("value", ["abc", "999999", "²"])
def test_deleting_a_question_that_is_not_there_is_not_found_and_deletes_nothing(
    client, survey, event, value
):
    # "²" is a digit to str.isdigit() but no number to int().
    user = factories.UserFactory()
    factories.TeamMemberFactory(organiser=event.organiser, user=user, role="owner")
    client.force_login(user)

    response = client.post(
        f"/backoffice/{event.slug}/survey/", {"form": "delete", "question": value}
    )

    assert response.status_code == 404
    assert survey.questions.count() == 3


def _response(survey, answers) -> None:
    """Store one anonymous response as `submit_response` does: (label, session, scale, text)."""
    import datetime as dt

    response = Response.objects.create(survey=survey, submitted_on=dt.date(2018, 1, 26))
    for label, session, scale, text in answers:
        question = survey.questions.get(label_nl=label)
        ResponseAnswer.objects.create(
            response=response, question=question, session=session, scale=scale, text=text
        )


def test_export_of_an_anonymous_survey_leaves_out_groups_the_results_hide(survey, event):
    # Five answered for the day; two were in the small session and one said what could be
    # better: the results screen hides both groups, so the export may not show them either.
    small = factories.SessionFactory(round__event=event, title_nl="Huiskamer B")
    for n in range(5):
        answers = [("Hoe was de dag?", None, 4, "")]
        if n < 2:
            answers.append(("Hoe was de sessie?", small, n + 1, ""))
        if n == 0:
            answers.append(("Wat kan beter?", None, None, "Meer uitleg voor bewoners"))
        _response(survey, answers)

    rows = results.export_rows(survey)

    assert rows[0][1:] == ["Hoe was de dag?", "Wat kan beter?"]
    assert [row[1:] for row in rows[1:]] == [["4", ""]] * 5
    hidden = [g.hidden for r in results.results(survey)[1] for g in r.groups]
    assert hidden == [False, True, True]


def test_export_of_a_named_survey_shows_every_answer(survey, event):
    Survey.objects.filter(pk=survey.pk).update(anonymous=False)
    survey.refresh_from_db()
    small = factories.SessionFactory(round__event=event, title_nl="Huiskamer B")
    _response(survey, [("Hoe was de dag?", None, 4, ""), ("Hoe was de sessie?", small, 2, "")])

    rows = results.export_rows(survey)

    assert rows[0][1:] == ["Hoe was de dag?", "Wat kan beter?", "Hoe was de sessie? – Huiskamer B"]
    assert rows[1][1:] == ["4", "", "2"]


@pytest.mark.parametrize("form", [None, "", "other", "open\x00"])
def test_a_form_the_survey_screen_does_not_have_changes_nothing_and_says_so(
    client, survey, event, form
):
    user = factories.UserFactory()
    factories.TeamMemberFactory(organiser=event.organiser, user=user, role="owner")
    client.force_login(user)
    path = f"/backoffice/{event.slug}/survey/"
    before = (survey.state, survey.questions.count())

    response = client.post(path, {} if form is None else {"form": form}, follow=True)

    survey.refresh_from_db()
    assert response.redirect_chain == [(path, 302)]
    assert "Dit formulier is niet herkend, dus er is niets opgeslagen." in response.content.decode()
    assert (survey.state, survey.questions.count()) == before
