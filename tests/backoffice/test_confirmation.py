"""No action with consequences is one click away (issue 12): every back-office GET leaves
the database as it was, and every destructive action changes nothing on a POST without
its confirm page's field, and does its work with it (the control that shows the first
check could see a change)."""

import pytest
from django.apps import apps

from goedeburen.events.models import Role
from goedeburen.mail.enums import MailState
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.models import Registration, TicketType
from tests.backoffice.conftest import (
    _event_member,
    _invitation,
    _mail,
    backoffice_patterns,
    make_world,
    url,
)
from tests.factories import QuotaFactory, TeamMemberFactory

pytestmark = pytest.mark.django_db

# Everything an action can change: the rows of these apps (the audit log included).
APPS = ("events", "registration", "mail", "payments", "common", "matching", "privacy", "api")


def everything() -> dict:
    rows = {}
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            rows[model._meta.label] = list(model.objects.order_by("pk").values())
            for field in model._meta.many_to_many:
                through = field.remote_field.through
                rows[through._meta.label] = list(through.objects.order_by("pk").values())
    return rows


def _awaiting(world):
    Registration.objects.filter(pk=world.registration.pk).update(
        status=RegistrationStatus.AWAITING_APPROVAL
    )


def _queued_mail(world):
    type(_mail(world)).objects.filter(pk=world.mail.pk).update(state=MailState.QUEUED)


def _spare_ticket_type(world):
    # A ticket type nobody booked (a booked one is never deleted), in the world's place.
    spare = TicketType.objects.create(event=world.event, name_nl="Reserve", price=0)
    world.ticket_type = spare


def _spare_quota(world):
    world.quota = QuotaFactory(event=world.event, name="Reserve")


def _unused_venue(world):
    from tests.factories import VenueFactory

    world.venue = VenueFactory(organiser=world.organiser)


def _own_mail_text(world):
    from goedeburen.mail import services

    services.save_mail_template(
        world.event, kind="confirmation", language="nl", subject="Eigen", body="Eigen tekst"
    )


# URL name -> (the POST's own fields, without the confirmation; what to set up first).
DESTRUCTIVE = {
    **{
        f"{part}.delete": ({}, None)
        for part in ("partner", "item", "round", "session", "speaker", "project", "room")
    },
    "venue.delete": ({}, _unused_venue),
    "question.delete": ({}, None),
    "ticket_type.delete": ({}, _spare_ticket_type),
    "quota.delete": ({}, _spare_quota),
    "registration.approve": ({"message": "Welkom"}, _awaiting),
    "registration.reject": ({"message": "Vol"}, _awaiting),
    "registration.cancel": ({"reason": "Dubbel"}, None),
    "registration.resend_link": ({}, None),
    "mail.cancel": ({}, _queued_mail),
    "mail_template.update": ({"action": "reset"}, _own_mail_text),
    "mailing.delete": ({}, None),
    "team.event_member": ({"remove": "1"}, _event_member),
    "team.event_invitation_revoke": ({}, _invitation),
    "team.organiser_invitation_revoke": ({}, _invitation),
}


def test_every_backoffice_get_changes_nothing(client):
    world = make_world()
    client.force_login(world.owner)
    skipped = {"logout"}  # signing out ends the session (not a row of these apps)
    for name in sorted(backoffice_patterns()):
        if name in skipped:
            continue
        path = url(name, world)
        before = everything()
        response = client.get(path)
        assert response.status_code < 500, (name, response.status_code)
        after = everything()
        # A download of personal data is itself logged: that is a record, not a change.
        after["common.LogEntry"] = [
            row
            for row in after["common.LogEntry"]
            if row in before["common.LogEntry"] or "export" not in row["action"]
        ]
        assert after == before, f"GET {path} ({name}) changed the database"


@pytest.mark.parametrize("name", sorted(DESTRUCTIVE))
def test_destructive_action_needs_its_confirmation(owner_client, world, name):
    data, prepare = DESTRUCTIVE[name]
    if prepare:
        prepare(world)
    path = url(name, world)
    before = everything()

    get = owner_client.get(path)
    unconfirmed = owner_client.post(path, data)

    assert everything() == before, f"{name} acted without its confirmation"
    assert get.status_code in (200, 405)
    assert unconfirmed.status_code == 200  # the confirm page (again), not the deed
    assert 'name="confirm" value="yes"' in unconfirmed.content.decode()

    confirmed = owner_client.post(path, {**data, "confirm": "yes"})

    assert confirmed.status_code == 302
    assert everything() != before, f"{name} did nothing with its confirmation"


def test_confirm_page_repeats_the_fields_and_says_what_happens(owner_client, world):
    _queued_mail(world)
    response = owner_client.post(url("mail.cancel", world), {"state": "queued"})
    html = response.content.decode()
    assert 'name="state" value="queued"' in html
    assert response.context["text"]


def test_asking_first_tells_nothing_about_other_events_objects(owner_client, world):
    other = make_world(organiser=world.organiser)
    path = url("team.event_member", world).replace(
        f"/{_event_member(world).pk}/", f"/{_event_member(other).pk}/"
    )
    assert owner_client.post(path, {"remove": "1"}).status_code == 404


def test_role_without_the_permission_is_refused_before_being_asked(client, world):
    member = TeamMemberFactory(organiser=world.organiser, event=world.event, role=Role.CHECKIN).user
    client.force_login(member)
    _queued_mail(world)
    assert client.post(url("mail.cancel", world)).status_code == 403
