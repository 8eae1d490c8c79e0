"""The assignment screens: start a run, see its result, move, publish; hosts see their list."""

import pytest
from django.urls import reverse

from goedeburen.events.models import Role
from goedeburen.matching import services
from goedeburen.matching.models import AssignmentRun, Placement, SessionHost
from goedeburen.registration import services as registration_services
from tests.factories import TeamMemberFactory, UserFactory
from tests.matching.conftest import make_small

pytestmark = pytest.mark.django_db


def _url(name, event, **kwargs):
    return reverse(f"backoffice:assignment.{name}", kwargs={"event": event.slug, **kwargs})


@pytest.fixture
def small_world(db):
    small = make_small()
    owner = UserFactory()
    TeamMemberFactory(organiser=small.event.organiser, user=owner, role=Role.OWNER)
    small.owner = owner
    return small


def test_start_run_shows_progress_then_result_beside_first_come_first_served(
    client, small_world, english, django_capture_on_commit_callbacks, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    client.force_login(small_world.owner)
    event = small_world.event
    for person in small_world.attendees[:4]:
        services.save_rankings(
            person, rankings={small_world.rounds[0].pk: [small_world.sessions[0][1].pk]}
        )

    response = client.post(_url("start", event))

    run = AssignmentRun.objects.get()
    assert response.url == _url("detail", event, pk=run.pk)
    waiting = client.get(response.url).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in waiting
    assert '<progress id="run-progress" max="100" value="0">' in waiting
    services.execute_run(run.pk)
    done = client.get(response.url).content.decode()
    assert "refresh" not in done
    assert "Publish this placement" in done
    assert "First come, first served" in done
    assert 'id="mm-p-resident"' in done  # a pattern per role, used by bars and legend
    assert "It cannot be done better" in done
    assert "on average choice" in done
    for word in ("Cost", "lower bound", "LP bound", "optimal"):
        assert word not in done


def test_second_run_while_one_is_going_is_refused(client, small_world, english, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    client.force_login(small_world.owner)
    client.post(_url("start", small_world.event))

    response = client.post(_url("start", small_world.event), follow=True)

    assert AssignmentRun.objects.count() == 1
    assert "A run of this event is still going" in response.content.decode()


def _fullest(run, round_):
    counts = {}
    for placement in Placement.objects.filter(run=run, round=round_):
        counts[placement.session_id] = counts.get(placement.session_id, 0) + 1
    return max(counts, key=counts.get), counts


def test_move_by_hand_shows_what_it_does_and_needs_a_confirmation(client, small_world, english):
    client.force_login(small_world.owner)
    run = services.execute_run(services.start_run(small_world.event, by=None).pk)
    person = small_world.attendees[0]
    placement = Placement.objects.get(run=run, attendee=person, round=small_world.rounds[0])
    target = next(s for s in small_world.sessions[0] if s.pk != placement.session_id)
    url = _url("move", small_world.event, pk=run.pk)

    found = client.get(url, {"q": "person0 test"}).content.decode()
    preview = client.get(url, {"attendee": person.pk, "session": target.pk}).content.decode()
    unconfirmed = client.post(url, {"attendee": person.pk, "session": target.pk})

    assert found.count(f"?attendee={person.pk}") == 1
    assert f"{placement.round.t.title}: {placement.session.t.title}" in found
    assert f"From {placement.session.t.title} to {target.t.title}: what changes" in preview
    assert unconfirmed.status_code == 302
    placement.refresh_from_db()
    assert placement.moved_by_hand is False
    client.post(url, {"attendee": person.pk, "session": target.pk, "confirm": "yes"})
    placement.refresh_from_db()
    assert (placement.session_id, placement.moved_by_hand) == (target.pk, True)
    page = client.get(_url("detail", small_world.event, pk=run.pk)).content.decode()
    assert "It cannot be done better" not in page
    assert "Changed by hand after the run" in page


def test_move_into_a_full_room_warns_before_anything_changes(client, small_world, english):
    client.force_login(small_world.owner)
    run = services.execute_run(services.start_run(small_world.event, by=None).pk)
    round_ = small_world.rounds[0]
    full_id, counts = _fullest(run, round_)
    full = next(s for s in small_world.sessions[0] if s.pk == full_id)
    for placement in Placement.objects.filter(run=run, round=round_).exclude(session=full)[
        : full.capacity - counts[full_id]
    ]:
        services.move_placement(run, attendee=placement.attendee, session=full, by=None)
    person = Placement.objects.filter(run=run, round=round_).exclude(session=full)[0].attendee

    preview = client.get(
        _url("move", small_world.event, pk=run.pk), {"attendee": person.pk, "session": full.pk}
    ).content.decode()

    assert (
        f"The room will be over capacity: {full.capacity + 1} people for {full.capacity} seats."
        in preview
    )
    assert "Move anyway" in preview
    assert not Placement.objects.filter(run=run, attendee=person, session=full).exists()


@pytest.mark.parametrize(
    "data",
    [{}, {"attendee": "x", "session": "1", "confirm": "yes"}, {"attendee": "1", "session": "y"}],
)
def test_move_with_bad_input_changes_nothing(client, small_world, english, data):
    client.force_login(small_world.owner)
    run = services.execute_run(services.start_run(small_world.event, by=None).pk)
    before = sorted(Placement.objects.filter(run=run).values_list("pk", "session_id"))

    response = client.post(_url("move", small_world.event, pk=run.pk), data, follow=True)
    page = client.get(
        _url("move", small_world.event, pk=run.pk), {"attendee": "x", "session": "y", "q": "%"}
    )

    assert response.status_code == page.status_code == 200
    assert "Choose a participant and a session, then confirm." in response.content.decode()
    assert sorted(Placement.objects.filter(run=run).values_list("pk", "session_id")) == before


def test_result_page_shows_who_is_in_each_session(client, small_world, english):
    client.force_login(small_world.owner)
    run = services.execute_run(services.start_run(small_world.event, by=None).pk)
    person = small_world.attendees[3]
    placement = Placement.objects.get(run=run, attendee=person, round=small_world.rounds[1])

    page = client.get(_url("detail", small_world.event, pk=run.pk)).content.decode()

    start = page.index(f'id="session-{placement.session_id}"')
    block = page[start : page.index("</li>", page.index("</table>", start))]
    assert person.full_name in block
    assert person.organisation in block
    assert f">{person.get_role_display()}<" in block


@pytest.mark.parametrize("people", [3, 9])
def test_result_page_queries_do_not_grow_with_the_people(
    client, db, english, people, django_assert_max_num_queries
):
    small = make_small(people=people)
    owner = UserFactory()
    TeamMemberFactory(organiser=small.event.organiser, user=owner, role=Role.OWNER)
    client.force_login(owner)
    run = services.execute_run(services.start_run(small.event, by=None).pk)

    with django_assert_max_num_queries(20):
        client.get(_url("detail", small.event, pk=run.pk))
    with django_assert_max_num_queries(20):
        client.get(_url("move", small.event, pk=run.pk), {"q": "test"})


def test_publish_page_counts_the_mails_and_a_rule_break_needs_accepting(
    client, small_world, english
):
    client.force_login(small_world.owner)
    run = services.execute_run(services.start_run(small_world.event, by=None).pk)
    round_ = small_world.rounds[0]
    full_id, counts = _fullest(run, round_)
    full = next(s for s in small_world.sessions[0] if s.pk == full_id)
    for placement in Placement.objects.filter(run=run, round=round_).exclude(session=full)[
        : full.capacity - counts[full_id] + 1
    ]:
        services.move_placement(run, attendee=placement.attendee, session=full, by=None)
    url = _url("publish", small_world.event, pk=run.pk)

    page = client.get(url).content.decode()
    refused = client.post(url, {"confirm": "yes"})

    assert f"{len(small_world.attendees)} mails go out now" in page
    assert "Sessions over capacity: 1" in page
    assert refused.status_code == 400
    assert "This placement breaks the assignment rules" in refused.content.decode()
    run.refresh_from_db()
    assert not run.is_published
    client.post(url, {"accept_breaks": "yes", "confirm": "yes"})
    run.refresh_from_db()
    assert run.is_published


def test_host_sees_only_the_list_of_their_own_session(client, small_world, english):
    run = services.execute_run(services.start_run(small_world.event, by=None).pk)
    services.publish_run(run, by=None)
    host = UserFactory()
    TeamMemberFactory(
        organiser=small_world.event.organiser, user=host, role=Role.HOST, event=small_world.event
    )
    own, other = small_world.sessions[0][0], small_world.sessions[0][1]
    SessionHost.objects.create(session=own, user=host)
    client.force_login(host)

    response = client.get(_url("lists", small_world.event))

    assert response.status_code == 200
    assert [s.pk for s, _people in response.context["sessions"]] == [own.pk]
    names = {a.full_name for a in response.context["sessions"][0][1]}
    expected = {p.attendee.full_name for p in Placement.objects.filter(run=run, session=own)}
    assert names == expected and names
    assert other.title_nl not in response.content.decode()
    assert client.get(_url("list", small_world.event)).status_code == 403


@pytest.mark.parametrize("role", [Role.FINANCE, Role.CHECKIN])
def test_session_lists_for_other_roles_are_forbidden(client, small_world, role):
    user = UserFactory()
    TeamMemberFactory(
        organiser=small_world.event.organiser, user=user, role=role, event=small_world.event
    )
    client.force_login(user)
    assert client.get(_url("lists", small_world.event)).status_code == 403


def test_rules_form_with_bad_costs_says_so_and_saves_nothing(client, small_world, english):
    client.force_login(small_world.owner)

    response = client.post(
        _url("rules", small_world.event),
        {
            "max_group_share": "40",
            "rank_costs": "0, one, 3",
            "unranked_cost": "25",
            "time_limit": "60",
        },
    )

    assert response.status_code == 200
    assert "Give whole numbers separated by commas" in response.content.decode()
    from goedeburen.matching.models import MatchingSettings

    assert not MatchingSettings.objects.exists()


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", "with 24 participant-rounds, no cost may be more than 2863311530."),
        ("nl", "bij 24 deelnemer-rondes mag geen kostenpost meer zijn dan 2863311530."),
    ],
)
def test_rules_form_with_costs_too_large_to_add_up_says_so_and_saves_nothing(
    client, small_world, request, lang, words
):
    # 12 attendees in 2 rounds: 2**36 // 24, the limit of an instance file of this event
    # (`solver.instance._costs_add_up`); above it the solver's sums are not exact.
    from goedeburen.matching.models import MatchingSettings

    if lang == "en":
        request.getfixturevalue("english")
    client.force_login(small_world.owner)
    form = {"max_group_share": "40", "unranked_cost": "25", "time_limit": "60"}

    refused = client.post(
        _url("rules", small_world.event), {**form, "rank_costs": "0, 1, 2863311531"}
    )

    assert refused.status_code == 200
    [error] = refused.context["form"].errors["rank_costs"]
    assert error.endswith(words)
    assert not MatchingSettings.objects.exists()
    accepted = client.post(
        _url("rules", small_world.event), {**form, "rank_costs": "0, 1, 2863311530"}
    )
    assert accepted.status_code == 302
    assert MatchingSettings.objects.get().rank_costs == [0, 1, 2863311530]


@pytest.mark.parametrize("deadline", ["0001-01-01T00:00", "9999-12-31T23:59"])
def test_rules_form_with_a_deadline_outside_this_century_says_so_and_saves_nothing(
    client, small_world, deadline
):
    # A deadline on the first of January of year 1 in Amsterdam is before year 1 in UTC:
    # stored, it could not be read back and the assignment screens answered 500.
    from goedeburen.matching.models import MatchingSettings

    client.force_login(small_world.owner)

    response = client.post(
        _url("rules", small_world.event),
        {
            "ranking_deadline": deadline,
            "max_group_share": "40",
            "rank_costs": "0, 1, 3",
            "unranked_cost": "25",
            "time_limit": "60",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "ranking_deadline": ["Geef een datum in de jaren 2000 tot en met 2099."]
    }
    assert not MatchingSettings.objects.exists()
    assert client.get(_url("list", small_world.event)).status_code == 200


def test_people_not_placed_are_explained_in_the_organisers_language(client, db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    small = make_small(people=16)  # 3 sessions of 5 seats per round
    owner = UserFactory()
    TeamMemberFactory(organiser=small.event.organiser, user=owner, role=Role.OWNER)
    client.force_login(owner)
    run = services.execute_run(services.start_run(small.event, by=owner).pk)

    html = client.get(_url("detail", small.event, pk=run.pk)).content.decode()

    assert [item["why"]["code"] for item in run.unassigned] == ["no_capacity", "no_capacity"]
    assert "Elke plaats van Ronde 1 is bezet: 15 plaatsen voor 16 deelnemers." in html
    assert "all capacity" not in html


def test_every_reason_has_words_in_dutch_and_english(small_world):
    from django.utils import translation

    from goedeburen.matching.solver.reasons import CODES
    from goedeburen.matching.wording import unplaced_reason

    round_, session = small_world.rounds[0], small_world.sessions[0][0]
    where = {"rounds": {round_.pk: round_}, "sessions": {session.pk: session}}
    reasons = [
        {"code": "no_capacity", "round": f"r{round_.pk}", "seats": 15, "attending": 16},
        *(
            {"code": f"fixed_{cause}", "session": f"s{session.pk}", "group": "resident"}
            for cause in ("full", "topic", "mix", "spread", "other")
        ),
        {"code": "fixed_round", "session": f"s{session.pk}", "group": "resident", "round": "r0"},
        {"code": "time_limit", "round": f"r{round_.pk}", "group": "resident", "message": "…"},
        {"code": "solver_stopped", "round": f"r{round_.pk}", "group": "resident", "message": "…"},
        {
            "code": "no_session",
            "round": f"r{round_.pk}",
            "group": "resident",
            "share": 0.4,
            **dict.fromkeys(("full", "topic", "mix", "spread", "other"), 1),
        },
    ]
    assert sorted(why["code"] for why in reasons) == sorted(CODES)
    for language, words in (("nl", ("Ronde 1", "Huiskamer 1")), ("en", ("Ronde 1", "Huiskamer 1"))):
        with translation.override(language):
            texts = [unplaced_reason(why, **where) for why in reasons]
            generic = unplaced_reason({**reasons[1], "code": "fixed_unknown"}, **where)
        assert len(set(texts)) == len(reasons) and generic in texts  # fixed_other's words
        assert all("%(" not in text and text.endswith(".") for text in texts)
        assert words[0] in texts[0] and words[1] in texts[1]
    with translation.override("nl"):
        mixed = unplaced_reason(reasons[-1], **where)
    assert "meer dan 40% van de groep “Bewoner van een gemengd woonproject”" in mixed


def test_organiser_links_a_host_login_to_a_session_then_unlinks_it(client, small_world, english):
    from goedeburen.common.audit import history
    from goedeburen.matching.exceptions import MatchingError

    host, stranger = UserFactory(username="hanna"), UserFactory(username="sam")
    TeamMemberFactory(
        organiser=small_world.event.organiser, user=host, role=Role.HOST, event=small_world.event
    )
    TeamMemberFactory(organiser=small_world.event.organiser, user=stranger, role=Role.FINANCE)
    session = small_world.sessions[0][0]
    client.force_login(small_world.owner)
    page = client.get(_url("list", small_world.event))
    assert [label for _pk, label in page.context["host_form"].fields["user"].choices] == ["hanna"]

    client.post(
        _url("hosts", small_world.event), {"host-user": host.pk, "host-session": session.pk}
    )
    refused = client.post(
        _url("hosts", small_world.event),
        {"host-user": stranger.pk, "host-session": session.pk},
        follow=True,
    )

    assert list(SessionHost.objects.values_list("user__username", "session")) == [
        ("hanna", session.pk)
    ]
    assert "Choose a host and a session." in refused.content.decode()  # not offered
    assert history(small_world.event)[0].action == "matching.host_linked"
    with pytest.raises(MatchingError, match="Only a team member with the host role"):
        services.link_session_host(session, user=stranger, by=small_world.owner)

    link = SessionHost.objects.get()
    client.post(_url("hosts", small_world.event), {"remove": link.pk})
    assert not SessionHost.objects.exists()


@pytest.mark.parametrize("data", [{}, {"host-user": "x", "host-session": "1"}, {"remove": "x"}])
def test_host_link_with_bad_input_changes_nothing(client, small_world, data):
    client.force_login(small_world.owner)

    response = client.post(_url("hosts", small_world.event), data)

    assert response.status_code in (302, 404)
    assert not SessionHost.objects.exists()


def test_result_screen_speaks_dutch_an_organiser_understands(client, small_world):
    client.force_login(small_world.owner)
    for person in small_world.attendees[:5]:
        services.save_rankings(
            person, rankings={small_world.rounds[0].pk: [small_world.sessions[0][2].pk]}
        )
    run = services.execute_run(services.start_run(small_world.event, by=None).pk)

    html = client.get(_url("detail", small_world.event, pk=run.pk)).content.decode()
    page = html[html.index('id="proof"') : html.index('id="rule-check"')]  # not the menus

    assert "Beter kan niet" in page
    assert "gemiddeld 1,0e keuze" in page
    assert "100 % kreeg een van de eerste twee keuzes" in page
    assert "Elk gesprek gemengd volgens de regels" in page
    for word in ("Kosten", "ondergrens", "LP-grens", "Uitkomst", "optimal"):
        assert word not in page


def test_changes_after_publishing_queued_together_are_solved_once(client, small_world, english):
    """Each cancellation after publishing queues an incremental run; runs still waiting
    when a later one is queued are marked superseded instead of solved one after the
    other (approving 700 residents queued 700 solves of ten seconds). The last run places
    everyone as after all the changes, and its screen says what happened to the others."""
    event = small_world.event
    first = services.execute_run(services.start_run(event, by=None).pk)
    services.publish_run(first, by=None)
    leaving = small_world.attendees[:3]
    for person in leaving:  # each in its own transaction; the worker not yet there
        registration_services.cancel_registration(person.registration, by=None, reason="booker")
    queued = list(AssignmentRun.objects.filter(event=event, base__isnull=False).order_by("pk"))
    assert [run.status for run in queued] == ["queued"] * 3

    outcomes = [services.execute_run(run.pk) for run in queued]

    assert [run.status for run in outcomes] == ["superseded", "superseded", "done"]
    assert not Placement.objects.filter(run__in=queued[:2]).exists()
    last = AssignmentRun.objects.get(is_published=True)
    assert last == queued[-1]
    placed = set(Placement.objects.filter(run=last).values_list("attendee_id", flat=True))
    assert placed.isdisjoint(person.pk for person in leaving)
    assert placed == {a.pk for a in small_world.attendees[3:]}
    client.force_login(small_world.owner)
    page = client.get(_url("detail", event, pk=queued[0].pk)).content.decode()
    assert "A later change started a newer run before this one began." in page
    assert "refresh" not in page
    assert "Replaced by a later run" in client.get(_url("list", event)).content.decode()


def test_a_change_queued_alone_after_publishing_is_solved(small_world):
    event = small_world.event
    services.publish_run(services.execute_run(services.start_run(event, by=None).pk), by=None)
    registration_services.cancel_registration(
        small_world.attendees[0].registration, by=None, reason="booker"
    )

    run = services.execute_run(AssignmentRun.objects.get(status="queued").pk)

    assert (run.status, run.is_published) == ("done", True)


def test_a_run_whose_base_was_published_over_says_so_and_a_new_run_is_queued(
    client, small_world, english, monkeypatch
):
    from goedeburen.matching.services import runs

    event = small_world.event
    services.publish_run(services.execute_run(services.start_run(event, by=None).pk), by=None)
    by_hand = services.execute_run(services.start_run(event, by=None).pk)
    registration_services.cancel_registration(
        small_world.attendees[0].registration, by=None, reason="booker"
    )
    solve = runs.solve

    def publish_by_hand_meanwhile(*args, **kwargs):
        services.publish_run(by_hand, by=None)
        return solve(*args, **kwargs)

    monkeypatch.setattr(runs, "solve", publish_by_hand_meanwhile)

    run = services.execute_run(AssignmentRun.objects.get(status="queued").pk)

    assert (run.status, run.phase) == ("superseded", "base_changed")
    assert AssignmentRun.objects.get(is_published=True) == by_hand
    assert AssignmentRun.objects.get(status="queued").base == by_hand
    client.force_login(small_world.owner)
    page = client.get(_url("detail", event, pk=run.pk)).content.decode()
    assert "Another placement was published while this run was working." in page
    assert "A later change started a newer run" not in page
