"""Rank, run, publish, see and get the programme; re-run after a cancellation or late comer."""

import datetime as dt

import pytest
from django.db.models import F
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from goedeburen.events import services as event_services
from goedeburen.events.models import Event, Room
from goedeburen.mail import placeholders, programme
from goedeburen.mail import tasks as mail_tasks
from goedeburen.mail.enums import MailKind
from goedeburen.mail.models import OutgoingMail
from goedeburen.mail.services import deliver_due
from goedeburen.matching import services
from goedeburen.matching.exceptions import MatchingError
from goedeburen.matching.models import AssignmentRun, MatchingSettings, Placement, Ranking
from goedeburen.registration import services as registration_services
from tests.factories import (
    AttendeeFactory,
    attendee,
    billing,
    booker,
    form_token,
)

pytestmark = pytest.mark.django_db


def _run(event, *, by=None):
    run = services.start_run(event, by=by)
    return services.execute_run(run.pk)


def _placements(run) -> dict:
    return {(p.attendee_id, p.round_id): p.session_id for p in Placement.objects.filter(run=run)}


def _manage_path(small, attendee, suffix=""):
    registration = attendee.registration
    return reverse(
        f"public:registration.{suffix or 'manage'}",
        kwargs={
            "event": small.event.slug,
            "code": registration.code,
            "token": small.tokens[registration.pk],
        },
    )


def test_run_on_the_demo_places_all_220_and_breaks_no_rule(demo_event):
    run = _run(demo_event)

    assert (run.status, run.solver_status, run.error) == ("done", "optimal", "")
    assert run.objective == run.bound
    assert Placement.objects.filter(run=run).count() == 220 * 3
    assert run.stats["rule_check"]["total"] == 0
    # First come, first served on the same choices breaks the mix and costs more.
    assert run.fcfs["rule_check"]["total"] > 0
    assert run.fcfs["cost"] > run.objective
    assert run.unassigned == []


def test_ranking_page_without_javascript_saves_the_order(client, small):
    person = small.attendees[0]
    first, second = small.sessions[0][2], small.sessions[0][0]
    prefix = f"attendee-{person.pk}"

    response = client.post(
        _manage_path(small, person, "sessions"),
        {
            f"{prefix}-r{small.rounds[0].pk}-1": first.pk,
            f"{prefix}-r{small.rounds[0].pk}-2": second.pk,
        },
    )

    assert response.status_code == 302
    ranked = Ranking.objects.filter(attendee=person).order_by("rank")
    assert [(r.session_id, r.rank) for r in ranked] == [(first.pk, 1), (second.pk, 2)]


def test_ranking_page_gives_the_list_script_its_words_in_the_page_language(client, small):
    html = client.get(_manage_path(small, small.attendees[0], "sessions")).content.decode()

    assert "goedeburen/ranking" in html
    assert 'data-rank-add="%s op mijn lijst zetten"' in html
    assert 'data-rank-moved="%s is nu keus %d."' in html
    assert 'class="utrecht-form-fieldset reg-section rank-round"' in html


def test_ranking_page_refuses_the_same_session_twice_and_saves_nothing(client, small, english):
    person = small.attendees[0]
    session = small.sessions[1][1]
    prefix = f"attendee-{person.pk}-r{small.rounds[1].pk}"

    response = client.post(
        _manage_path(small, person, "sessions"),
        {f"{prefix}-1": session.pk, f"{prefix}-2": session.pk},
    )

    assert response.status_code == 200
    assert "You chose this session already" in response.content.decode()
    assert not Ranking.objects.exists()


def test_ranking_after_the_deadline_is_refused(small):
    MatchingSettings.objects.create(
        event=small.event, ranking_deadline=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    )
    with pytest.raises(MatchingError) as refused:
        services.save_rankings(
            small.attendees[0], rankings={small.rounds[0].pk: [small.sessions[0][0].pk]}
        )
    assert refused.value.code == "ranking_closed"
    assert not Ranking.objects.exists()


def test_ranking_a_session_of_another_round_is_refused(small):
    with pytest.raises(MatchingError) as refused:
        services.save_rankings(
            small.attendees[0], rankings={small.rounds[0].pk: [small.sessions[1][0].pk]}
        )
    assert refused.value.code == "wrong_round"


def test_publish_shows_the_programme_and_mails_it_with_a_calendar_file(
    client, small, smtp, english
):
    person = small.attendees[0]
    choice = small.sessions[0][1]
    services.save_rankings(person, rankings={small.rounds[0].pk: [choice.pk]})
    run = _run(small.event)

    services.publish_run(run, by=None)

    page = client.get(_manage_path(small, person)).content.decode()
    assert "Your personal programme" in page
    assert choice.title_nl in page
    mails = OutgoingMail.objects.filter(kind=MailKind.PERSONAL_PROGRAMME)
    assert mails.count() == len(small.attendees)
    assert deliver_due() == len(small.attendees)
    [message] = [m for m in smtp.messages if m["To"] == person.registration.email]
    assert message["Subject"].endswith(small.event.name_nl)
    assert choice.title_nl in message.get_body(preferencelist=("plain",)).get_content()
    [ics] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    calendar = Calendar.from_ical(ics.get_content())
    summaries = [str(c["summary"]) for c in calendar.walk("VEVENT")]
    assert choice.title_nl in summaries
    start = next(c for c in calendar.walk("VEVENT") if str(c["summary"]) == choice.title_nl)
    assert str(start["dtstart"].dt.tzinfo) == "Europe/Amsterdam"


def test_the_published_placement_is_the_source_of_mails_personal_programme(client, small):
    # Two attendees on one registration: each session names whose it is.
    registration = small.attendees[0].registration
    second = AttendeeFactory(
        registration=registration,
        ticket_type=small.ticket,
        given_name="Second",
        family_name="Person",
        role="resident",
    )
    assert programme.entries_for(registration) == []  # nothing published yet

    services.publish_run(_run(small.event), by=None)

    placed = list(
        Placement.objects.filter(attendee__registration=registration)
        .select_related("attendee", "session__room")
        .order_by("round__start")
    )
    entries = programme.entries_for(registration)
    assert len(entries) == len(placed) == 2 * len(small.rounds)
    assert {e.title for e in entries} == {
        f"{p.attendee.full_name}: {p.session.title_nl}" for p in placed
    }
    assert all(e.start.tzinfo is not None and e.end > e.start for e in entries)
    # One attendee's own sessions (the file of a colleague who goes instead).
    assert programme.entries_for(registration, attendee=second) == [
        e for e in entries if e.title.startswith("Second Person: ")
    ]
    assert len([e for e in entries if e.title.startswith("Second Person: ")]) == len(small.rounds)
    # The participant's own calendar link serves the same sessions.
    token = placeholders.participant_token(registration)
    response = client.get(
        reverse("public:participant.calendar", kwargs={"event": small.event.slug, "token": token})
    )
    summaries = {str(c["summary"]) for c in Calendar.from_ical(response.content).walk("VEVENT")}
    assert {e.title for e in entries} <= summaries
    # A cancelled registration has no programme, whatever the last run placed.
    registration_services.cancel_registration(registration, by=None, reason="booker")
    registration.refresh_from_db()
    assert programme.entries_for(registration) == []


def test_cancellation_and_late_registration_after_publish_move_nobody_else(
    small, immediate_tasks, django_capture_on_commit_callbacks
):
    for person in small.attendees:
        services.save_rankings(person, rankings={small.rounds[0].pk: [small.sessions[0][0].pk]})
    first = _run(small.event)
    services.publish_run(first, by=None)
    before = _placements(first)
    leaving = small.attendees[3]

    with django_capture_on_commit_callbacks(execute=True):
        registration_services.cancel_registration(leaving.registration, by=None, reason="booker")
    with django_capture_on_commit_callbacks(execute=True):
        late = registration_services.register(
            small.event,
            booker=booker(name="Late Comer"),
            attendees=[attendee(small.ticket, role="resident")],
            billing=billing(),
            form_token=form_token(small.event),
            language="nl",
        )

    runs = list(AssignmentRun.objects.filter(event=small.event).order_by("pk"))
    assert len(runs) == 3  # the first, one after the cancellation, one after the late comer
    published = AssignmentRun.objects.get(is_published=True)
    assert published == runs[-1]
    after = _placements(published)
    newcomer = late.attendees.get()
    assert {r for (a, r) in after if a == newcomer.pk} == {r.pk for r in small.rounds}
    assert all((leaving.pk, r.pk) not in after for r in small.rounds)
    stayed = {k: v for k, v in before.items() if k[0] != leaving.pk}
    assert {k: after[k] for k in stayed} == stayed  # nobody moved
    assert published.stats["rule_check"]["total"] == 0
    assert published.stats["moved"] == 0
    # Only the late comer's booker is told; nobody else's programme changed.
    told = OutgoingMail.objects.filter(kind=MailKind.PERSONAL_PROGRAMME)
    assert told.count() == len(small.attendees) + 1
    assert told.filter(registration=late).count() == 1


def test_publish_refuses_a_run_with_people_not_placed(small):
    for session in [s for group in small.sessions for s in group]:
        session.capacity = 2
        session.save()
    run = _run(small.event)
    assert run.solver_status == "infeasible"
    with pytest.raises(MatchingError) as refused:
        services.publish_run(run, by=None)
    assert refused.value.code == "unplaced"
    assert not AssignmentRun.objects.filter(is_published=True).exists()


def test_move_by_hand_updates_the_rule_check(small):
    run = _run(small.event)
    assert run.stats["rule_check"]["total"] == 0
    # Put one resident into a room that already holds the other residents of that round.
    residents = [a for a in small.attendees if a.role == "resident"]
    placements = _placements(run)
    target = placements[(residents[0].pk, small.rounds[0].pk)]
    target_session = next(s for s in small.sessions[0] if s.pk == target)

    services.move_placement(run, attendee=residents[1], session=target_session, by=None)

    run.refresh_from_db()
    assert _placements(run)[(residents[1].pk, small.rounds[0].pk)] == target
    assert run.stats["rule_check"]["total"] >= 1


def test_mailing_filter_by_round_or_session_follows_the_published_placement(small):
    from goedeburen.mail import segments

    session = small.sessions[0][0]
    everyone_in_round = {f"p{i}@example.org" for i in range(len(small.attendees))}
    chosen = segments.clean_filters(small.event, {"session": [f"s{session.pk}"]})
    assert chosen == {"session": [f"s{session.pk}"]}
    assert segments.recipients(small.event, chosen) == []  # nothing published yet

    run = _run(small.event)
    services.publish_run(run, by=None)

    seated = {
        p.attendee.email
        for p in Placement.objects.filter(run=run, session=session).select_related("attendee")
    }
    assert {r.email for r in segments.recipients(small.event, chosen)} == seated
    whole_round = segments.clean_filters(small.event, {"session": [f"r{small.rounds[0].pk}"]})
    assert {r.email for r in segments.recipients(small.event, whole_round)} == everyone_in_round


def _round_entry(message, round_):
    [ics] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    calendar = Calendar.from_ical(ics.get_content())
    [entry] = [e for e in calendar.walk("VEVENT") if f"-round-{round_.pk}@" in str(e["uid"])]
    return entry


def test_move_after_publishing_mails_a_calendar_entry_with_the_same_uid_and_a_higher_sequence(
    small, smtp, english
):
    person = small.attendees[0]
    run = _run(small.event)
    services.publish_run(run, by=None)
    assert deliver_due() == len(small.attendees)
    [first] = [m for m in smtp.messages if m["To"] == person.registration.email]
    before = _round_entry(first, small.rounds[0])
    other_before = _round_entry(first, small.rounds[1])
    placement = Placement.objects.get(run=run, attendee=person, round=small.rounds[0])
    target = next(s for s in small.sessions[0] if s.pk != placement.session_id)
    smtp.messages.clear()

    services.move_placement(run, attendee=person, session=target, by=None)

    queued = OutgoingMail.objects.filter(kind=MailKind.PERSONAL_PROGRAMME, sent_at__isnull=True)
    assert [m.registration_id for m in queued] == [person.registration_id]
    assert deliver_due() == 1
    [second] = smtp.messages
    after = _round_entry(second, small.rounds[0])
    assert str(after["uid"]) == str(before["uid"])
    assert int(after.get("sequence", 0)) == int(before.get("sequence", 0)) + 1
    assert str(after["summary"]) == target.title_nl
    other_round = _round_entry(second, small.rounds[1])
    assert int(other_round["sequence"]) == int(other_before["sequence"])


def _entry(small, attendee, round_):
    """Return the attendee's calendar entry for `round_` as their own link serves it."""
    registration = attendee.registration
    token = placeholders.participant_token(registration)
    url = reverse("public:participant.calendar", kwargs={"event": small.event.slug, "token": token})
    calendar = Calendar.from_ical(Client().get(url).content)
    [entry] = [e for e in calendar.walk("VEVENT") if f"-round-{round_.pk}@" in str(e["uid"])]
    return entry


@pytest.mark.parametrize("change", ["room", "time"])
def test_session_changed_after_publishing_raises_its_calendar_sequence(small, change):
    person = small.attendees[0]
    run = _run(small.event)
    services.publish_run(run, by=None)
    # Published a minute ago: the event's version counts seconds, and a change made within
    # the second of publishing would share it.
    Event.objects.filter(pk=small.event.pk).update(updated=F("updated") - dt.timedelta(minutes=1))
    session = Placement.objects.get(run=run, attendee=person, round=small.rounds[0]).session
    before = _entry(small, person, small.rounds[0])

    if change == "room":
        session.room = Room.objects.create(venue=small.event.venue, name="Zaal 9", capacity=50)
    else:
        session.start, session.end = dt.time(11, 15), dt.time(12, 0)
    event_services.save_event_part(session, event=small.event, by=None)

    after = _entry(small, person, small.rounds[0])
    assert str(after["uid"]) == str(before["uid"])
    moved = (str(after["location"]), after.decoded("dtstart").strftime("%H:%M"))
    assert moved == (
        ("Zaal 9, Buurthuis De Linde, Lindelaan 1, Utrecht", "11:00")
        if change == "room"
        else ("Buurthuis De Linde, Lindelaan 1, Utrecht", "11:15")
    )
    assert int(after["sequence"]) > int(before["sequence"])


def test_move_before_publishing_mails_nobody(small):
    person = small.attendees[0]
    run = _run(small.event)
    placement = Placement.objects.get(run=run, attendee=person, round=small.rounds[0])
    target = next(s for s in small.sessions[0] if s.pk != placement.session_id)

    services.move_placement(run, attendee=person, session=target, by=None)

    assert not OutgoingMail.objects.filter(kind=MailKind.PERSONAL_PROGRAMME).exists()
    run.refresh_from_db()
    assert run.stats["moved_by_hand"] == 1
    assert run.objective == run.stats["cost"]


def test_publishing_again_carries_the_calendar_sequence_on(small):
    person = small.attendees[0]
    first = _run(small.event)
    services.publish_run(first, by=None)
    placement = Placement.objects.get(run=first, attendee=person, round=small.rounds[0])
    target = next(s for s in small.sessions[0] if s.pk != placement.session_id)
    services.move_placement(first, attendee=person, session=target, by=None)
    second = _run(small.event)

    services.publish_run(second, by=None, breaks_accepted=True)

    moved = Placement.objects.get(run=second, attendee=person, round=small.rounds[0])
    assert moved.sequence == (1 if moved.session_id == target.pk else 2)


def test_publishing_a_run_that_breaks_the_rules_needs_the_breaks_accepted(small):
    run = _run(small.event)
    round_ = small.rounds[0]
    full = small.sessions[0][0]
    others = Placement.objects.filter(run=run, round=round_).exclude(session=full)
    for placement in others[: full.capacity]:
        services.move_placement(run, attendee=placement.attendee, session=full, by=None)
    run.refresh_from_db()
    assert run.stats["rule_check"]["capacity"] == 1

    with pytest.raises(MatchingError) as refused:
        services.publish_run(run, by=None)

    assert refused.value.code == "rule_breaks"
    run.refresh_from_db()
    assert not run.is_published
    assert not OutgoingMail.objects.filter(kind=MailKind.PERSONAL_PROGRAMME).exists()
    services.publish_run(run, by=None, breaks_accepted=True)
    run.refresh_from_db()
    assert run.is_published


def test_programme_mails_go_out_in_the_worker_s_batches(small, smtp):
    """Publishing queues the programme mails in batches (`send_mail_batch`), which load the
    registrations together: each mail must find its own (before, every one failed with
    "the registration no longer exists")."""
    services.publish_run(_run(small.event), by=None)
    queued = list(
        OutgoingMail.objects.filter(kind=MailKind.PERSONAL_PROGRAMME).values_list("pk", flat=True)
    )

    sent = mail_tasks.send_mail_batch.call(queued)

    assert sent == len(queued) == len(small.attendees)
    assert {m["To"] for m in smtp.messages} == {a.registration.email for a in small.attendees}


def test_cancellation_after_publishing_cancels_the_programme_entries_sent(small, smtp):
    person = small.attendees[0]
    services.publish_run(_run(small.event), by=None)
    assert deliver_due() == len(small.attendees)
    [sent] = [m for m in smtp.messages if m["To"] == person.registration.email]
    sessions = {e["uid"]: int(e["sequence"]) for e in _calendar(sent, "PUBLISH").walk("VEVENT")}
    assert len(sessions) == 1 + len(small.rounds)  # the event and a session per round
    smtp.messages.clear()

    registration_services.cancel_registration(person.registration, by=None, reason="ziek")
    deliver_due()

    [message] = [m for m in smtp.messages if m["To"] == person.registration.email]
    calendar = _calendar(message, "CANCEL")
    cancelled = {e["uid"]: int(e["sequence"]) for e in calendar.walk("VEVENT")}
    assert set(cancelled) == set(sessions)
    assert all(cancelled[uid] > sessions[uid] for uid in sessions)
    assert {str(e["status"]) for e in calendar.walk("VEVENT")} == {"CANCELLED"}
    # The others' programmes did not change: their mails cancel nothing.
    assert all(_calendar(m, "CANCEL") is None for m in smtp.messages if m is not message)


def _calendar(message, method):
    found = [
        Calendar.from_ical(p.get_content())
        for p in message.iter_attachments()
        if p.get_content_type() == "text/calendar" and p.get_param("method") == method
    ]
    assert len(found) <= 1
    return found[0] if found else None
