"""Bad input in every back-office form gets a clear message, a 200 and changes nothing."""

import functools
import io
import random

import pytest
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core import validators
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext
from PIL import Image

from goedeburen.events import exceptions
from goedeburen.events.models import EventStatus, Partner
from tests.backoffice.conftest import CONFIRM, database_rows, url
from tests.factories import (
    EventFactory,
    RoomFactory,
    SessionFactory,
    SpeakerFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db

REQUIRED = forms.Field.default_error_messages["required"]
INVALID_CHOICE = forms.ModelChoiceField.default_error_messages["invalid_choice"]
INVALID_CHOICES = forms.ModelMultipleChoiceField.default_error_messages["invalid_choice"]
NOT_AN_IMAGE = forms.ImageField.default_error_messages["invalid_image"]


def _(message, **params) -> str:
    """Return a message as the (Dutch) page shows it."""
    text = gettext(str(message)) if isinstance(message, str) else str(message)
    return text % params if params else text


def _refusal(validator, value) -> str:
    """Return the message a Django validator gives for `value`."""
    with pytest.raises(ValidationError) as refused:
        validator(value)
    return refused.value.messages[0]


def _image(image_format: str, *, size=(40, 16), noise=False) -> bytes:
    if noise:
        pixels = random.Random(0).randbytes(size[0] * size[1] * 3)
        image = Image.frombytes("RGB", size, pixels)
    else:
        image = Image.new("RGB", size, "red")
    out = io.BytesIO()
    image.save(out, image_format)
    return out.getvalue()


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def _second_room(w):
    from goedeburen.events.models import Room

    return Room.objects.get_or_create(
        venue=w.venue, name="Tweede zaal", defaults={"capacity": w.room.capacity}
    )[0]


def valid(name: str, w) -> dict:
    """Return complete, valid POST data for the form at `backoffice:<name>` in world `w`."""
    event = {
        "slug": "nieuw",
        "name_nl": "Nieuw",
        "date": "2027-03-05",
        "start_time": "10:00",
        "end_time": "16:30",
        "venue": w.venue.pk,
    }
    session = {
        "round": w.round.pk,
        "kind": "living_room",
        "title_nl": "Gesprek",
        "room": w.room.pk,
        "capacity": "11",
        "order": "0",
        "hosts": [w.speaker.pk],
        "projects": [w.project.pk],
    }
    return {
        "event.create": event,
        "event.update": {**event, "slug": w.event.slug},
        "partner.create": {"name": "Portaal", "order": "1"},
        "partner.update": {"name": "Portaal", "order": "1"},
        "item.create": {"kind": "plenary", "title_nl": "Opening", "start": "10:00", "end": "10:30"},
        "item.update": {"kind": "film", "title_nl": "Film", "start": "10:00", "end": "10:30"},
        "round.create": {"title_nl": "Ronde 2", "start": "13:00", "end": "14:00"},
        "round.update": {"title_nl": "Ronde 1", "start": "11:00", "end": "12:00"},
        # Another room than the world's session's: a room holds one session at a time.
        "session.create": {**session, "room": _second_room(w).pk},
        "session.update": session,
        "speaker.create": {"name": "Aly Gruppen", "slug": "aly-gruppen"},
        "speaker.update": {"name": "Aly Gruppen", "slug": w.speaker.slug},
        "project.create": {"name": "Hof", "slug": "hof", "place": "Zeist", "groups_nl": "alle"},
        "project.update": {
            "name": "Hof",
            "slug": w.project.slug,
            "place": "Zeist",
            "groups_nl": "alle",
        },
        "venue.create": {"name": "De Boog", "street": "Boog 1", "city": "Utrecht"},
        "venue.update": {"name": "De Boog", "street": "Boog 1", "city": "Utrecht"},
        "room.create": {"name": "Zaal B", "capacity": "25", "step_free": "on"},
        "room.update": {"name": "Zaal A", "capacity": "30"},
    }[name]


FORMS = [
    "event.create",
    "event.update",
    *(
        f"{part}.{action}"
        for part in ("partner", "item", "round", "session")
        for action in ("create", "update")
    ),
    *(
        f"{part}.{action}"
        for part in ("speaker", "project", "venue", "room")
        for action in ("create", "update")
    ),
]


def _hours():
    return _(
        "This must fall within the event's hours (%(start)s–%(end)s).", start="10:00", end="16:30"
    )


def _in_round():
    return _(
        "A session must fall within its round (%(start)s–%(end)s).", start="11:00", end="12:00"
    )


def _years() -> str:
    return _("Give a date in the years %(first)s to %(last)s.", first=2000, last=2099)


def _max_int() -> int:
    return connection.ops.integer_field_range("PositiveIntegerField")[1]


def _taller_session(w):
    SessionFactory(round=w.round, start="11:30", end="12:00")
    return {"start": "11:00", "end": "11:15"}


def _other_speaker_slug(w):
    SpeakerFactory(event=w.event, slug="bezet")
    return {"slug": "bezet"}


def _room_elsewhere(w):
    return {"room": RoomFactory(venue=VenueFactory(organiser=w.organiser)).pk}


@functools.cache
def _big_png() -> bytes:
    return _image("PNG", size=(900, 900), noise=True)


BIG_PNG_SIZE = len(_big_png())

CASES = [
    # (form, case, change(world, other) -> data to override, expected(world, other) -> errors)
    (
        "event.create",
        "end-before-start",
        lambda w, o: {"start_time": "16:00", "end_time": "10:00"},
        lambda w, o: {"end_time": [_("The end time must be after the start time.")]},
    ),
    (
        "event.create",
        "date-in-year-1",
        lambda w, o: {"date": "0001-01-01"},
        lambda w, o: {"date": [_years()]},
    ),
    (
        "event.create",
        "date-in-year-9999",
        lambda w, o: {"date": "9999-12-31"},
        lambda w, o: {"date": [_years()]},
    ),
    (
        "event.create",
        "reserved-slug",
        lambda w, o: {"slug": "backoffice"},
        lambda w, o: {
            "slug": [_("This web address is reserved for the site itself; choose another.")]
        },
    ),
    (
        "event.create",
        "slug-taken",
        lambda w, o: {"slug": w.event.slug},
        lambda w, o: {"slug": [_("Another event already has this web address.")]},
    ),
    (
        "event.create",
        "slug-not-a-slug",
        lambda w, o: {"slug": "goede buren!"},
        lambda w, o: {"slug": [_(validators.validate_slug.message)]},
    ),
    (
        "event.create",
        "no-name",
        lambda w, o: {"name_nl": ""},
        lambda w, o: {"name_nl": [_(REQUIRED)]},
    ),
    (
        "event.create",
        "no-such-date",
        lambda w, o: {"date": "2027-02-31"},
        lambda w, o: {"date": [_(forms.DateField.default_error_messages["invalid"])]},
    ),
    (
        "event.create",
        "null-character",
        lambda w, o: {"name_nl": "Buur\x00dag"},
        lambda w, o: {"name_nl": [_(validators.ProhibitNullCharactersValidator.message)]},
    ),
    (
        "event.create",
        "other-organisers-venue",
        lambda w, o: {"venue": o.venue.pk},
        lambda w, o: {"venue": [_(INVALID_CHOICE)]},
    ),
    (
        "event.update",
        "end-before-start",
        lambda w, o: {"start_time": "16:00", "end_time": "10:00"},
        lambda w, o: {"end_time": [_("The end time must be after the start time.")]},
    ),
    (
        "event.update",
        "programme-outside-hours",
        lambda w, o: {"start_time": "11:00"},
        lambda w, o: {
            "start_time": [_("Parts of the programme fall outside these hours; move them first.")]
        },
    ),
    (
        "event.update",
        "other-organisers-venue",
        lambda w, o: {"venue": o.venue.pk},
        lambda w, o: {"venue": [_(INVALID_CHOICE)]},
    ),
    (
        "event.update",
        "too-long-name",
        lambda w, o: {"name_nl": "x" * 301},
        lambda w, o: {"name_nl": [_refusal(validators.MaxLengthValidator(300), "x" * 301)]},
    ),
    (
        "partner.create",
        "gif-logo",
        lambda w, o: {"logo": _upload("logo.gif", _image("GIF"))},
        lambda w, o: {
            "logo": [_("A logo must be a PNG, JPEG or WebP image with a matching file name.")]
        },
    ),
    (
        "partner.create",
        "png-named-gif",
        lambda w, o: {"logo": _upload("logo.gif", _image("PNG"))},
        lambda w, o: {
            "logo": [_("A logo must be a PNG, JPEG or WebP image with a matching file name.")]
        },
    ),
    (
        # Not Django's list of every kind of image Pillow reads (bmp, gif, tiff…).
        "partner.create",
        "logo-without-extension",
        lambda w, o: {"logo": _upload("logo", _image("PNG"))},
        lambda w, o: {
            "logo": [_("A logo must be a PNG, JPEG or WebP image with a matching file name.")]
        },
    ),
    (
        "partner.create",
        "text-as-logo",
        lambda w, o: {"logo": _upload("logo.png", b"no image")},
        lambda w, o: {"logo": [_(NOT_AN_IMAGE)]},
    ),
    (
        "partner.create",
        "svg-logo",
        lambda w, o: {"logo": _upload("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>")},
        lambda w, o: {"logo": [_(NOT_AN_IMAGE)]},
    ),
    (
        "partner.create",
        "logo-over-2-mb",
        lambda w, o: {"logo": _upload("logo.png", _big_png())},
        lambda w, o: {
            "logo": [
                _(
                    "This file is %(size)s; a logo may be at most %(limit)s.",
                    size=filesizeformat(BIG_PNG_SIZE),
                    limit=filesizeformat(2 * 1024 * 1024),
                )
            ]
        },
    ),
    (
        "partner.create",
        "bad-website",
        lambda w, o: {"website": "niet een adres"},
        lambda w, o: {"website": [_(forms.URLField.default_error_messages["invalid"])]},
    ),
    ("partner.update", "no-name", lambda w, o: {"name": ""}, lambda w, o: {"name": [_(REQUIRED)]}),
    (
        "item.create",
        "end-before-start",
        lambda w, o: {"start": "11:00", "end": "10:00"},
        lambda w, o: {"end": [_("The end must be after the start.")]},
    ),
    (
        "item.create",
        "outside-hours",
        lambda w, o: {"start": "08:00", "end": "09:00"},
        lambda w, o: {"start": [_hours()]},
    ),
    (
        "item.create",
        "unknown-kind",
        lambda w, o: {"kind": "party"},
        lambda w, o: {
            "kind": [_(forms.ChoiceField.default_error_messages["invalid_choice"], value="party")]
        },
    ),
    (
        "item.create",
        "not-a-time",
        lambda w, o: {"start": "tien uur"},
        lambda w, o: {"start": [_(forms.TimeField.default_error_messages["invalid"])]},
    ),
    (
        "item.create",
        "other-organisers-speaker",
        lambda w, o: {"speakers": [o.speaker.pk]},
        lambda w, o: {"speakers": [_(INVALID_CHOICES, value=o.speaker.pk)]},
    ),
    (
        "item.create",
        "other-organisers-room",
        lambda w, o: {"room": o.room.pk},
        lambda w, o: {"room": [_(INVALID_CHOICE)]},
    ),
    (
        "item.update",
        "outside-hours",
        lambda w, o: {"start": "16:00", "end": "17:00"},
        lambda w, o: {"start": [_hours()]},
    ),
    (
        "round.create",
        "end-before-start",
        lambda w, o: {"start": "14:00", "end": "13:00"},
        lambda w, o: {"end": [_("The end must be after the start.")]},
    ),
    (
        "round.create",
        "outside-hours",
        lambda w, o: {"start": "16:00", "end": "17:00"},
        lambda w, o: {"start": [_hours()]},
    ),
    (
        "round.update",
        "sessions-outside",
        lambda w, o: _taller_session(w),
        lambda w, o: {
            "start": [_("Sessions of this round have times outside these; change them first.")]
        },
    ),
    (
        "session.create",
        "zero-capacity",
        lambda w, o: {"capacity": "0"},
        lambda w, o: {"capacity": [_(validators.MinValueValidator.message, limit_value=1)]},
    ),
    (
        "session.create",
        "more-than-room",
        lambda w, o: {"capacity": "21"},
        lambda w, o: {
            "capacity": [
                _(
                    "The room %(room)s holds at most %(count)d people.",
                    room=_second_room(w).name,
                    count=20,
                )
            ]
        },
    ),
    (
        "session.create",
        "outside-round",
        lambda w, o: {"start": "10:00", "end": "10:30"},
        lambda w, o: {"start": [_in_round()]},
    ),
    (
        "session.create",
        "end-before-start",
        lambda w, o: {"start": "11:30", "end": "11:15"},
        lambda w, o: {"end": [_("The end must be after the start.")]},
    ),
    (
        "session.create",
        "other-organisers-round",
        lambda w, o: {"round": o.round.pk},
        lambda w, o: {"round": [_(INVALID_CHOICE)]},
    ),
    (
        "session.create",
        "other-events-round",
        lambda w, o: {
            "round": SessionFactory(round__event=EventFactory(organiser=w.organiser)).round_id
        },
        lambda w, o: {"round": [_(INVALID_CHOICE)]},
    ),
    (
        "session.create",
        "room-outside-event-venue",
        lambda w, o: _room_elsewhere(w),
        lambda w, o: {"room": [_(INVALID_CHOICE)]},
    ),
    (
        "session.create",
        "other-organisers-host",
        lambda w, o: {"hosts": [o.speaker.pk]},
        lambda w, o: {"hosts": [_(INVALID_CHOICES, value=o.speaker.pk)]},
    ),
    (
        "session.create",
        "other-organisers-project",
        lambda w, o: {"projects": [o.project.pk]},
        lambda w, o: {"projects": [_(INVALID_CHOICES, value=o.project.pk)]},
    ),
    (
        "session.update",
        "more-than-room",
        lambda w, o: {"capacity": "50"},
        lambda w, o: {
            "capacity": [
                _("The room %(room)s holds at most %(count)d people.", room=w.room.name, count=20)
            ]
        },
    ),
    (
        "speaker.create",
        "slug-taken",
        lambda w, o: {"slug": w.speaker.slug},
        lambda w, o: {"slug": [_("Another speaker of this event already has this web address.")]},
    ),
    ("speaker.create", "no-name", lambda w, o: {"name": ""}, lambda w, o: {"name": [_(REQUIRED)]}),
    (
        "speaker.update",
        "slug-taken",
        lambda w, o: _other_speaker_slug(w),
        lambda w, o: {"slug": [_("Another speaker of this event already has this web address.")]},
    ),
    (
        "project.create",
        "slug-taken",
        lambda w, o: {"slug": w.project.slug},
        lambda w, o: {"slug": [_("Another project of this event already has this web address.")]},
    ),
    (
        "project.create",
        "no-groups",
        lambda w, o: {"groups_nl": ""},
        lambda w, o: {"groups_nl": [_(REQUIRED)]},
    ),
    (
        "project.update",
        "bad-website",
        lambda w, o: {"website": "http://"},
        lambda w, o: {"website": [_(forms.URLField.default_error_messages["invalid"])]},
    ),
    (
        "venue.create",
        "no-name-or-city",
        lambda w, o: {"name": "", "city": ""},
        lambda w, o: {"name": [_(REQUIRED)], "city": [_(REQUIRED)]},
    ),
    (
        "venue.update",
        "no-street",
        lambda w, o: {"street": ""},
        lambda w, o: {"street": [_(REQUIRED)]},
    ),
    (
        "room.create",
        "zero-capacity",
        lambda w, o: {"capacity": "0"},
        lambda w, o: {"capacity": [_(validators.MinValueValidator.message, limit_value=1)]},
    ),
    (
        "room.create",
        "name-taken",
        lambda w, o: {"name": w.room.name},
        lambda w, o: {"name": [_("This venue already has a room with this name.")]},
    ),
    (
        "room.update",
        "fewer-seats-than-sessions",
        lambda w, o: {"capacity": "5"},
        lambda w, o: {
            "capacity": [
                _("Sessions in this room have more seats than that; lower their capacity first.")
            ]
        },
    ),
]


def _media_files(settings) -> list[str]:
    return (
        sorted(str(p) for p in settings.MEDIA_ROOT.rglob("*"))
        if settings.MEDIA_ROOT.exists()
        else []
    )


def test_cases_cover_every_form():
    assert sorted({name for name, *_rest in CASES}) == sorted(FORMS)


@pytest.mark.parametrize(
    ("name", "change", "expected"),
    [
        pytest.param(name, change, expected, id=f"{name}-{case}")
        for name, case, change, expected in CASES
    ],
)
def test_form_with_bad_input_shows_message_and_saves_nothing(
    owner_client, world, other_world, settings, name, change, expected
):
    data = {**valid(name, world), **change(world, other_world)}
    before, files_before = database_rows(), _media_files(settings)

    response = owner_client.post(url(name, world), data)

    assert response.status_code == 200
    assert response.context["form"].errors == expected(world, other_world)
    html = response.content.decode()
    for field, messages in expected(world, other_world).items():
        assert f'id="id_{field}_error"' in html
        assert all(escape(message) in html for message in messages)
    assert database_rows() == before
    assert _media_files(settings) == files_before


@pytest.mark.parametrize("name", FORMS)
def test_form_with_valid_input_saves_and_returns_to_list(owner_client, world, name):
    before = database_rows()
    response = owner_client.post(url(name, world), valid(name, world))
    assert response.status_code == 302
    assert database_rows() != before


@pytest.mark.parametrize(
    ("filename", "image_format"), [("logo.png", "PNG"), ("logo.jpg", "JPEG"), ("logo.webp", "WEBP")]
)
def test_partner_logo_in_allowed_format_is_stored(owner_client, world, filename, image_format):
    data = {**valid("partner.create", world), "logo": _upload(filename, _image(image_format))}
    response = owner_client.post(url("partner.create", world), data)
    assert response.status_code == 302
    partner = Partner.objects.get(event=world.event, name="Portaal")
    assert partner.logo.name == f"logos/{filename}"
    assert partner.logo.storage.exists(partner.logo.name)


@pytest.mark.parametrize(
    ("status", "event_status", "message"),
    [
        ("published", EventStatus.DRAFT, lambda: _(exceptions.PUBLISH_INCOMPLETE)),
        (
            "closed",
            EventStatus.PUBLISHED,
            lambda: _(
                exceptions.INVALID_TRANSITION,
                **{"from": _(EventStatus.PUBLISHED.label), "to": _(EventStatus.CLOSED.label)},
            ),
        ),
        ("gone", EventStatus.PUBLISHED, lambda: _("Choose one of the statuses offered.")),
    ],
    ids=["publish-incomplete", "invalid-transition", "unknown-status"],
)
def test_refused_status_change_shows_reason_and_changes_nothing(
    owner_client, world, status, event_status, message
):
    event = EventFactory(organiser=world.organiser, status=event_status, venue=None)
    before = database_rows()

    response = owner_client.post(
        reverse("backoffice:event.status", args=[event.slug]), {"status": status, **CONFIRM}
    )

    assert response.status_code == 200
    assert response.context["status_error"] == message()
    assert escape(message()) in response.content.decode()
    assert database_rows() == before


def test_delete_of_venue_in_use_is_refused_with_reason(owner_client, world):
    before = database_rows()
    response = owner_client.post(url("venue.delete", world), CONFIRM)
    assert response.status_code == 200
    assert response.context["error"] == _(exceptions.VENUE_IN_USE)
    assert escape(_(exceptions.VENUE_IN_USE)) in response.content.decode()
    assert database_rows() == before


def test_login_with_wrong_password_shows_message(client, world):
    response = client.post(
        reverse("backoffice:login"), {"username": world.owner.username, "password": "fout"}
    )
    assert response.status_code == 200
    message = _(AuthenticationForm.error_messages["invalid_login"], username=_("username"))
    assert response.context["form"].non_field_errors() == [message]
    assert "_auth_user_id" not in client.session
