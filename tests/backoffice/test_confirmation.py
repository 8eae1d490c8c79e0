"""No action with consequences is one click away (issue 12): every back-office GET leaves
the database as it was, and every destructive action changes nothing on a POST without
its confirm page's field, and does its work with it (the control that shows the first
check could see a change).

Which actions are destructive is not left to memory: every back-office URL whose view takes
a POST is found in the URLconf and must be named either in `DESTRUCTIVE` (and is then
tried) or in `ONE_STEP` with the reason it needs no confirmation.
"""

import pytest
from django.apps import apps

from goedeburen.events.models import Role
from goedeburen.mail.enums import MailState
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.models import Registration, TicketType
from tests.backoffice.conftest import (
    PARTS,
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
APPS = (
    "events",
    "registration",
    "mail",
    "payments",
    "common",
    "matching",
    "privacy",
    "api",
    "accounts",
    "otp_totp",
    "otp_static",
    "django_otp_webauthn",
)


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


def _waiting(world):
    Registration.objects.filter(pk=world.registration.pk).update(
        status=RegistrationStatus.WAITING_LIST
    )


def _own_event_role(world):
    # A role of the signed-in owner that they may give up (not the organiser's last owner).
    world.member = TeamMemberFactory(
        organiser=world.organiser, user=world.owner, event=world.event, role=Role.EDITOR
    )


def _placed_run(world):
    from goedeburen.matching.models import AssignmentRun, Placement

    world.run = AssignmentRun.objects.create(event=world.event, status="done")
    Placement.objects.create(
        run=world.run, attendee=world.attendee, round=world.round, session=world.session
    )


def _second_attendee(world):
    # One attendee of several is cancelled; the last one only with the registration.
    from tests.factories import AttendeeFactory

    AttendeeFactory(registration=world.registration, ticket_type=world.attendee.ticket_type)


def _cancelled(world):
    # An active registration of an event still to come is not erased (cancel it first).
    Registration.objects.filter(pk=world.registration.pk).update(
        status=RegistrationStatus.CANCELLED
    )


def _erasure_request(world):
    from goedeburen.privacy import services

    return services.ask_erasure(world.registration)


# URL name -> (the POST's own fields, without the confirmation, or a function of the world
# that returns them; what to set up first).
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
    "registration.cancel_attendee": ({"reason": "Ziek"}, _second_attendee),
    "registration.substitute": ({"given_name": "Cor", "email": "cor@example.org"}, None),
    "registration.resend_link": ({}, None),
    "mail.cancel": ({}, _queued_mail),
    "mail_template.update": ({"action": "reset"}, _own_mail_text),
    "mailing.delete": ({}, None),
    "team.event_member": ({"remove": "1"}, _event_member),
    "team.event_invitation_revoke": ({}, _invitation),
    "team.organiser_invitation_revoke": ({}, _invitation),
    "team.organiser_member": ({"remove": "1"}, _event_member),
    "event.status": ({"status": "registration_open"}, None),
    "assignment.publish": ({}, _placed_run),
    "account.leave": ({}, _own_event_role),
    "two_factor.remove": ({}, None),
    "two_factor.recovery_codes": ({}, None),
    "bank.assign": (lambda w: {"code": w.registration.code}, None),
    "bank.dismiss": ({"note": "Sponsorbijdrage"}, None),
    "waiting_list.offer": ({}, _waiting),
    "registration.bulk": (
        lambda w: {"decision": "approve", "codes": [w.registration.code]},
        _awaiting,
    ),
    "mailing.detail": ({"action": "start"}, None),
    "registration.refund": ({"amount": "25.00", "reason": "Dubbel betaald"}, None),
    "registration.refund_settle": ({"action": "by_hand", "note": "Overgemaakt op 3 dec"}, None),
    "registration.reissue_invoice": ({"reason": "Nieuw adres"}, None),
    "api.token_revoke": ({}, None),
    "privacy.erase": ({}, _cancelled),
    "privacy.requests": (lambda w: {"request": _erasure_request(w).pk}, None),
    "export.preset_delete": ({}, None),
}
# The confirmation field's value where a page of its own asks it differently (a checkbox).
CONFIRM_VALUE = {"privacy.erase": "1"}
# Every other URL that takes a POST, and why it needs no confirm page.
ONE_STEP = {
    **{
        f"{part}.{step}": "a form: what it saves is on the screen as it is sent"
        for part in (*PARTS, "question", "ticket_type", "quota", "room", "mailing")
        for step in ("create", "update")
    },
    **{
        f"{list_name}.{step}": reason
        for list_name in (
            "registration",
            "attendee",
            "payment",
            "invoice",
            "bank",
            "waiting_list",
            "session_list",
        )
        for step, reason in (
            ("export", "a download; for a long list the file is made by the worker"),
            ("export_form", "a form: saves the columns chosen as a preset"),
        )
    },
    "export.preset": "renames a preset",
    "event.create": "a new draft event, seen by nobody",
    "event.update": "a form; moving the date of an event with registrations asks first itself",
    "registration.update": "a form: the registration's details as they are sent",
    "registration.record_payment": "adds a payment; paying more than owed asks first itself",
    "mail.retry": "sends a failed mail again, as it was meant to be sent",
    "mail.settings": "a settings form",
    "payment.settings": "a settings form",
    "privacy.settings": "a settings form",
    "checkin.settings": "a settings form",
    "target_mix": "a settings form: the shares the dashboard compares with",
    "assignment.rules": "a settings form for runs to come; nothing published changes",
    "assignment.start": "starts a run to look at; nothing published changes",
    "assignment.pin": "a wish for runs to come; nothing published changes",
    "assignment.move": "its own page says what the move does; the POST needs its confirm",
    "assignment.hosts": "a form: who sees which session's list",
    "survey.build": "a form: the survey's questions as they are sent",
    "bank.list": "imports a statement; a statement imported twice books nothing new",
    "checkin.app": "the door: one scan is one check-in, undone on the spot",
    "checkin.scans": "the door's offline scans, each counted once",
    "checkin.walk_in": "a form at the door for someone not registered",
    "team.event": "an invitation form",
    "team.organiser": "an invitation form",
    "api.tokens": "a form for a new token",
    "api.webhooks": "a form for a new endpoint",
    "api.webhook": "a form; a new signing secret needs its tick box (test_api_screens.py)",
    "api.redeliver": "sends a failed delivery again, as it was meant to be sent",
    "login": "signing in",
    "logout": "signing out",
    "invitation": "accepting an invitation sent to you",
    "password_reset": "asks for a mail to set a password",
    "password_reset_confirm": "a form: the new password",
    "two_factor.setup": "adds a second factor",
    "two_factor.verify": "gives the second factor",
}


def _takes_post(view) -> bool:
    return hasattr(view, "post") and "post" in view.http_method_names


def test_every_post_is_named_destructive_or_one_step():
    posts = {name for name, (_p, view) in backoffice_patterns().items() if _takes_post(view)}
    assert not set(DESTRUCTIVE) & set(ONE_STEP)
    assert sorted(posts - set(DESTRUCTIVE) - set(ONE_STEP)) == [], (
        "a new back-office action: add it to DESTRUCTIVE (and ask first) or to ONE_STEP"
    )
    assert sorted((set(DESTRUCTIVE) | set(ONE_STEP)) - posts) == []


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
        # The set-up screen keeps the app it shows until it is confirmed: not a second factor.
        # (`accounts.AppDevice` is the same table, read as the app with its key sealed.)
        for model in ("otp_totp.TOTPDevice", "accounts.AppDevice"):
            after[model] = [row for row in after[model] if row in before[model] or row["confirmed"]]
        assert after == before, f"GET {path} ({name}) changed the database"


@pytest.mark.parametrize("name", sorted(DESTRUCTIVE))
def test_destructive_action_needs_its_confirmation(owner_client, world, name):
    data, prepare = DESTRUCTIVE[name]
    if prepare:
        prepare(world)
    data = data(world) if callable(data) else data
    path = url(name, world)
    confirm = CONFIRM_VALUE.get(name, "yes")
    before = everything()

    get = owner_client.get(path)
    unconfirmed = owner_client.post(path, data)

    assert everything() == before, f"{name} acted without its confirmation"
    assert get.status_code in (200, 302, 405)  # its page, back to the screen, or POST only
    # The confirm page (again), not the deed; a page of its own may say 400 (bad request).
    assert unconfirmed.status_code in (200, 400)
    assert f'name="confirm" value="{confirm}"' in unconfirmed.content.decode()

    confirmed = owner_client.post(path, {**data, "confirm": confirm})

    assert confirmed.status_code in (200, 302)  # new recovery codes are shown at once
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
