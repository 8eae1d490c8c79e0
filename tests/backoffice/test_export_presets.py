"""Named presets of an export's columns: saved for the team or oneself, used, renamed and
deleted (with a confirmation), each only by those who may export the list."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from goedeburen.accounts.models import ExportPreset
from goedeburen.common.models import LogEntry
from goedeburen.events.models import Role
from tests.backoffice.conftest import CONFIRM
from tests.factories import TeamMemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def _form_url(world, name="attendee"):
    return reverse(f"backoffice:{name}.export_form", kwargs={"event": world.event.slug})


def _save(client, world, *, name="Catering", shared="yes", columns=("given_name", "email")):
    return client.post(
        _form_url(world) + "?status=confirmed",
        {"name": name, "shared": shared, "columns": list(columns), "status": "confirmed"},
    )


def _colleague(client, world, role=Role.REGISTRATIONS):
    user = UserFactory()
    TeamMemberFactory(organiser=world.organiser, user=user, role=role, event=world.event)
    client.force_login(user)
    return user


def test_saving_a_shared_preset_keeps_the_filters_and_ticks_its_columns(owner_client, world):
    response = _save(owner_client, world)

    preset = ExportPreset.objects.get()
    assert (preset.name, preset.columns, preset.owner, preset.kind) == (
        "Catering",
        ["given_name", "email"],
        None,
        "attendees",
    )
    assert response.status_code == 302
    assert "status=confirmed" in response.url and f"preset={preset.pk}" in response.url
    page = owner_client.get(response.url)
    ticked = [column.key for column, on in page.context["columns"] if on]
    assert ticked == ["given_name", "email"]
    assert LogEntry.objects.filter(action="export_preset.saved", event=world.event).count() == 1


def test_a_shared_preset_is_the_teams_and_a_personal_one_is_not(client, world):
    client.force_login(world.owner)
    _save(client, world, name="Voor iedereen")
    _save(client, world, name="Alleen ik", shared="no")

    _colleague(client, world)
    page = client.get(_form_url(world))

    assert [p.name for p in page.context["presets"]] == ["Voor iedereen"]


def test_the_same_name_twice_is_refused_with_a_message(owner_client, world):
    _save(owner_client, world)

    response = _save(owner_client, world, name="catering")

    assert response.status_code == 200
    assert "choose another name" in str(response.context["preset_form"].errors["name"]) or (
        "kies een andere naam" in str(response.context["preset_form"].errors["name"])
    )
    assert ExportPreset.objects.count() == 1


def test_the_preset_form_sent_twice_saves_one_preset_and_leads_to_it(owner_client, world, english):
    page = owner_client.get(_form_url(world) + "?status=confirmed")
    key = page.context["sent_once"]
    assert f'name="sent_once" value="{key}"' in page.content.decode()
    form = {"name": "Catering", "shared": "yes", "columns": ["email"], "status": "confirmed"}

    first = owner_client.post(_form_url(world), {**form, "sent_once": key})
    again = owner_client.post(_form_url(world), {**form, "sent_once": key})

    preset = ExportPreset.objects.get()
    assert first.status_code == again.status_code == 302
    assert again.url == first.url and f"preset={preset.pk}" in again.url
    assert "status=confirmed" in again.url and "sent_once" not in again.url
    shown = owner_client.get(again.url)
    assert "made once, not twice" in shown.content.decode()
    # Negative control: the same name sent from a fresh page is refused as taken.
    assert _save(owner_client, world).status_code == 200
    assert ExportPreset.objects.count() == 1


def test_a_preset_refused_keeps_its_key_and_saves_once_corrected(owner_client, world):
    key = owner_client.get(_form_url(world)).context["sent_once"]

    form = {"name": "Leeg", "shared": "no", "sent_once": key}
    refused = owner_client.post(_form_url(world), form)  # no column ticked
    corrected = owner_client.post(_form_url(world), {**form, "columns": ["email"]})

    assert refused.status_code == 200 and refused.context["sent_once"] == key
    assert corrected.status_code == 302
    assert ExportPreset.objects.get().columns == ["email"]


def test_a_preset_without_columns_is_refused(owner_client, world):
    response = _save(owner_client, world, columns=())

    assert response.status_code == 200
    assert ExportPreset.objects.count() == 0


def test_a_preset_never_gives_a_column_the_role_may_not_have(client, world):
    client.force_login(world.owner)
    _save(client, world, columns=("given_name", "dietary_wishes"))
    preset = ExportPreset.objects.get()

    _colleague(client, world, role=Role.FINANCE)  # no special-category data
    page = client.get(_form_url(world) + f"?preset={preset.pk}")

    ticked = [column.key for column, on in page.context["columns"] if on]
    assert ticked == ["given_name"]
    keys = [column.key for column, _on in page.context["columns"]]
    assert "dietary_wishes" not in keys
    download = client.post(
        reverse("backoffice:attendee.export", kwargs={"event": world.event.slug, "format": "xlsx"}),
        {"columns": preset.columns},
    )
    header = next(load_workbook(io.BytesIO(download.content)).active.iter_rows(values_only=True))
    assert header == ("Voornaam",)


def test_rename(owner_client, world):
    _save(owner_client, world)
    preset = ExportPreset.objects.get()
    path = reverse("backoffice:export.preset", kwargs={"event": world.event.slug, "pk": preset.pk})

    response = owner_client.post(path, {"name": "  Keuken  "})

    preset.refresh_from_db()
    assert preset.name == "Keuken"
    assert response.status_code == 302 and f"preset={preset.pk}" in response.url


def test_delete_asks_first_then_deletes(owner_client, world):
    _save(owner_client, world)
    preset = ExportPreset.objects.get()
    path = reverse(
        "backoffice:export.preset_delete", kwargs={"event": world.event.slug, "pk": preset.pk}
    )

    asked = owner_client.post(path)
    assert asked.status_code == 200 and ExportPreset.objects.count() == 1
    assert owner_client.get(path).status_code == 302 and ExportPreset.objects.count() == 1

    done = owner_client.post(path, CONFIRM)

    assert done.status_code == 302
    assert ExportPreset.objects.count() == 0
    assert LogEntry.objects.filter(action="export_preset.deleted").count() == 1


@pytest.mark.parametrize("action", ["export.preset", "export.preset_delete"])
def test_someone_elses_personal_preset_is_not_found(client, world, action):
    client.force_login(world.owner)
    _save(client, world, shared="no")
    preset = ExportPreset.objects.get()
    _colleague(client, world)
    path = reverse(f"backoffice:{action}", kwargs={"event": world.event.slug, "pk": preset.pk})

    assert client.post(path, {"name": "Mijn naam", **CONFIRM}).status_code == 404
    preset.refresh_from_db()
    assert preset.name == "Catering"


def test_a_preset_of_a_list_the_role_may_not_export_is_not_found(client, world):
    client.force_login(world.owner)
    client.post(
        _form_url(world, "payment"), {"name": "Geld", "shared": "yes", "columns": ["amount"]}
    )
    preset = ExportPreset.objects.get()
    _colleague(client, world, role=Role.CHECKIN)
    path = reverse(
        "backoffice:export.preset_delete", kwargs={"event": world.event.slug, "pk": preset.pk}
    )

    assert client.post(path, CONFIRM).status_code == 404
    assert ExportPreset.objects.count() == 1


@pytest.mark.parametrize("value", ["999999", "abc", "²"])
def test_a_preset_id_of_no_preset_shows_the_form_without_one(owner_client, world, value):
    # "²" is a digit to str.isdigit() but no number to int().
    _save(owner_client, world)

    response = owner_client.get(_form_url(world), {"preset": value})

    assert response.status_code == 200
    assert response.context["preset"] is None
