"""A second factor: required for an organiser's owner and every finance role (nothing else
is reachable until it is set up), optional for the rest; app codes and recovery codes each
work once."""

import pytest
from django.urls import reverse
from django_otp import device_classes, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from goedeburen.accounts.models import AppDevice
from goedeburen.accounts.queries import _confirmed_device_sql, has_confirmed_device
from goedeburen.accounts.services import RECOVERY_PURPOSE, match_second_factor
from goedeburen.common import crypto
from goedeburen.events.models import Role
from tests.backoffice.conftest import backoffice_patterns, make_world, url
from tests.clients import current_code
from tests.factories import TeamMemberFactory, UserFactory

pytestmark = pytest.mark.django_db

# The screens reachable after the password and before the second factor.
OPEN = {
    "login",
    "logout",
    "two_factor.verify",
    "two_factor.setup",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "invitation",
}


@pytest.fixture
def world(db):
    return make_world()


def _member(world, role, *, organiser_wide=False):
    user = UserFactory()
    event = None if organiser_wide else world.event
    TeamMemberFactory(organiser=world.organiser, user=user, role=role, event=event)
    return user


@pytest.mark.parametrize(
    ("role", "organiser_wide"),
    [(Role.OWNER, True), (Role.FINANCE, True), (Role.FINANCE, False)],
)
def test_owner_or_finance_without_second_factor_reaches_only_the_set_up(
    client, world, role, organiser_wide
):
    client.force_login_password_only(_member(world, role, organiser_wide=organiser_wide))
    setup = reverse("backoffice:two_factor.setup")
    for name in sorted(set(backoffice_patterns()) - OPEN):
        path = url(name, world)
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            assert (response.status_code, response.url.split("?")[0]) == (302, setup), path
            assert response.url.endswith(f"?next={path}")
    assert client.get(setup).status_code == 200


@pytest.mark.parametrize("role", [Role.OWNER, Role.EDITOR, Role.REGISTRATIONS, Role.HOST])
def test_other_roles_may_work_without_second_factor(client, world, role):
    client.force_login_password_only(_member(world, role))
    assert client.get(url("event.detail", world)).status_code == 200


def test_someone_with_a_second_factor_gives_it_first(client, world):
    editor = _member(world, Role.EDITOR)
    AppDevice.objects.create(user=editor, name="app", confirmed=True)
    client.force_login_password_only(editor)

    response = client.get(url("event.detail", world))

    assert response.url.startswith(reverse("backoffice:two_factor.verify"))


@pytest.mark.parametrize("kind", [AppDevice, StaticDevice])
@pytest.mark.parametrize("confirmed", [True, False])
def test_the_device_check_answers_like_django_otp_in_one_query(
    world, django_assert_num_queries, kind, confirmed
):
    editor = _member(world, Role.EDITOR)
    kind.objects.create(user=editor, name="factor", confirmed=confirmed)

    with django_assert_num_queries(1):
        found = has_confirmed_device(editor)

    assert found is confirmed
    assert found == user_has_device(editor, confirmed=True)


def test_the_device_check_asks_every_device_class():
    sql, models = _confirmed_device_sql(), list(device_classes())

    assert [m._meta.db_table in sql for m in models] == [True] * len(models)
    assert len(models) == 3  # app, recovery codes, passkey


def test_the_device_check_is_false_without_any_device(world, django_assert_num_queries):
    editor = _member(world, Role.EDITOR)

    with django_assert_num_queries(1):
        assert has_confirmed_device(editor) is False


def test_setting_up_the_app_takes_a_right_code_and_shows_recovery_codes(client, world):
    owner = world.owner
    client.force_login_password_only(owner)
    setup = reverse("backoffice:two_factor.setup")
    page = client.get(setup)
    assert page.context["qr"].startswith("data:image/svg+xml")
    device = AppDevice.objects.get(user=owner, confirmed=False)

    wrong = client.post(setup, {"token": "000000" if current_code(device) != "000000" else "1"})
    assert wrong.context["form"].errors["token"]
    assert client.get(url("event.detail", world)).status_code == 302
    device.refresh_from_db()
    device.throttle_reset()  # a wrong code makes the next try wait a second; it has passed

    done = client.post(setup, {"token": current_code(device)})

    assert len(done.context["codes"]) == 10
    # Kept as keyed digests: the database holds no code that would sign in.
    stored = set(StaticToken.objects.filter(device__user=owner).values_list("token", flat=True))
    assert stored == {
        crypto.digests(code, purpose=RECOVERY_PURPOSE)[0] for code in done.context["codes"]
    }
    assert not stored & set(done.context["codes"])
    assert client.get(url("event.detail", world)).status_code == 200


@pytest.fixture
def owner_with_app(world):
    device = AppDevice.objects.create(user=world.owner, name="app", confirmed=True)
    return world.owner, device


def _verify(client, token):
    return client.post(reverse("backoffice:two_factor.verify"), {"token": token})


def test_an_app_code_works_once(world, owner_with_app):
    from tests.clients import StaffClient

    owner, device = owner_with_app
    code = current_code(device)
    first, second = StaffClient(), StaffClient()
    first.force_login_password_only(owner)
    second.force_login_password_only(owner)

    assert _verify(first, code).status_code == 302
    assert first.get(url("event.detail", world)).status_code == 200
    again = _verify(second, code)
    assert again.status_code == 200
    assert again.context["form"].errors["token"]
    assert second.get(url("event.detail", world)).status_code == 302


def test_a_recovery_code_works_once(client, world, owner_with_app):
    from goedeburen.accounts.services import new_recovery_codes
    from tests.clients import StaffClient

    owner, _device = owner_with_app
    code, *_rest = new_recovery_codes(owner)
    client.force_login_password_only(owner)

    assert _verify(client, code).status_code == 302
    assert client.get(url("event.detail", world)).status_code == 200
    other = StaffClient()
    other.force_login_password_only(owner)
    assert _verify(other, code).status_code == 200
    assert StaticToken.objects.filter(device__user=owner).count() == 9


def test_a_wrong_code_is_logged(client, world, owner_with_app):
    from goedeburen.common.models import LogEntry

    owner, device = owner_with_app
    client.force_login_password_only(owner)

    _verify(client, "12345678")

    assert LogEntry.objects.filter(action="login.second_factor_failed").count() == 1


def test_owner_left_with_recovery_codes_only_sets_up_a_new_factor(client, world, owner_with_app):
    from goedeburen.accounts.services import new_recovery_codes

    owner, device = owner_with_app
    code, *_rest = new_recovery_codes(owner)
    device.delete()  # the phone is lost; the owner removed the app
    client.force_login_password_only(owner)

    assert _verify(client, code).status_code == 302
    response = client.get(url("event.detail", world))

    assert response.url.startswith(reverse("backoffice:two_factor.setup"))


# What a program could send the passkey endpoints (django-otp-webauthn's) instead of what
# the browser's WebAuthn answer holds: no JSON, JSON of the wrong shape, fields of the wrong
# kind, bytes that are no base64url, far too much.
PASSKEY_BODIES = [
    b"",
    b"null",
    b"[]",
    b"{}",
    b"{",
    b"\xff\xfe\xed\xa0\x80",
    b'{"id": null, "rawId": [], "response": "x", "type": 5}',
    b'{"id": "AAAA", "rawId": "AAAA", "type": "public-key", "response": {"clientDataJSON": "!",'
    b' "attestationObject": "\\u0000", "authenticatorData": "AAAA", "signature": "AAAA",'
    b' "userHandle": "\\u0000", "transports": 5}}',
    b'{"id": "' + b"A" * 200_000 + b'"}',
    b'{"id": "\\ud800", "rawId": "\\udfff", "type": "public-key", "response": {}}',
    b"[" * 100_000,
]


@pytest.mark.parametrize("signed_in", ["verified", "password only", "not at all"])
def test_passkey_endpoints_refuse_what_is_no_passkey_and_store_nothing(world, signed_in):
    from django_otp_webauthn.models import WebAuthnCredential

    from tests.clients import StaffClient

    client = StaffClient()
    if signed_in == "verified":
        client.force_login(world.owner)
    elif signed_in == "password only":
        client.force_login_password_only(world.owner)
    base = "/backoffice/account/passkeys/"
    wrong = []
    for ceremony in ("registration", "authentication"):
        for begun in (False, True):
            for body in PASSKEY_BODIES:
                if begun:  # the state a real ceremony keeps in the session
                    client.post(f"{base}{ceremony}/begin/", b"{}", content_type="application/json")
                response = client.post(
                    f"{base}{ceremony}/complete/", body, content_type="application/json"
                )
                refused = 400 <= response.status_code < 500 and response.json().get("detail")
                if not refused:
                    wrong.append((ceremony, begun, body[:40], response.status_code))
    assert wrong == []
    assert WebAuthnCredential.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["abc", "-1", "%FF", "https://elsewhere.example.org/"])
def test_a_next_that_is_no_path_of_the_site_leads_to_the_dashboard(target):
    from tests.clients import StaffClient

    client = StaffClient()
    client.force_login(UserFactory())

    response = client.get(reverse("backoffice:two_factor.verify") + f"?next={target}")

    assert (response.status_code, response.url) == (302, reverse("backoffice:dashboard"))


def test_an_apps_key_is_stored_sealed_and_opens_to_the_key_it_was_made_with(world):
    device = AppDevice(user=world.owner, name="app", confirmed=True)
    key = device.bin_key
    device.save()

    stored = AppDevice.objects.values_list("key", flat=True).get(pk=device.pk)
    assert stored.startswith(AppDevice.SEALED) and key.hex() not in stored
    assert len(stored) <= AppDevice._meta.get_field("key").max_length
    assert AppDevice.objects.get(pk=device.pk).bin_key == key


def test_an_app_and_recovery_codes_made_before_a_key_change_still_work(
    client, world, owner_with_app, settings
):
    from goedeburen.accounts.services import new_recovery_codes

    owner, device = owner_with_app
    code, *_rest = new_recovery_codes(owner)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-key-" + "y" * 50

    assert AppDevice.objects.get(pk=device.pk).bin_key == device.bin_key
    client.force_login_password_only(owner)
    assert _verify(client, code).status_code == 302


def test_the_migration_seals_keys_and_codes_kept_in_clear(world):
    import importlib

    from django.apps import apps
    from django_otp.plugins.otp_totp.models import TOTPDevice

    clear = TOTPDevice(user=world.owner, name="old", confirmed=True)
    key = clear.bin_key
    TOTPDevice.objects.bulk_create([clear])  # as stored before sealing: no signal seals it
    assert TOTPDevice.objects.get(pk=clear.pk).key == key.hex()
    recovery = StaticDevice.objects.create(user=world.owner, name="recovery", confirmed=True)
    StaticToken.objects.create(device=recovery, token="abcdefgh23456712")
    migration = importlib.import_module("goedeburen.accounts.migrations.0002_app_device_sealed")

    sealed_before = AppDevice.objects.create(user=world.owner, name="new", confirmed=True)
    stored_before = TOTPDevice.objects.get(pk=sealed_before.pk).key

    migration.seal_keys_and_codes(apps, None)

    assert AppDevice.objects.get(pk=clear.pk).bin_key == key
    assert TOTPDevice.objects.get(pk=sealed_before.pk).key == stored_before  # left alone
    assert list(recovery.token_set.values_list("token", flat=True)) != ["abcdefgh23456712"]
    assert match_second_factor(world.owner, "abcdefgh23456712") == recovery
    assert match_second_factor(world.owner, "abcdefgh23456712") is None  # used up


def test_setting_up_leaves_no_app_key_nor_recovery_code_readable_in_the_database(client, world):
    from base64 import b32encode

    from tests.privacy.conftest import database_text

    owner = world.owner
    client.force_login_password_only(owner)
    setup = reverse("backoffice:two_factor.setup")
    client.get(setup)
    device = AppDevice.objects.get(user=owner, confirmed=False)
    done = client.post(setup, {"token": current_code(device)})

    dump = database_text()
    key = device.bin_key
    for shown in (key.hex(), b32encode(key).decode().rstrip("="), *done.context["codes"]):
        assert shown not in dump


def test_the_django_admin_shows_no_apps_key_nor_its_qr_code(client, world):
    device = AppDevice.objects.create(user=world.owner, name="app", confirmed=True)
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)

    change = client.get(f"/django-admin/otp_totp/totpdevice/{device.pk}/change/")
    config = client.get(f"/django-admin/otp_totp/totpdevice/{device.pk}/config/")

    assert change.status_code == 200
    assert device.bin_key.hex() not in change.content.decode()
    assert AppDevice.SEALED not in change.content.decode()
    assert config.status_code == 403


def _added_in_the_django_admin(client, world) -> tuple[bytes, str]:
    """Add an app for the owner through the Django admin's form; return its key as typed
    and as stored."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    key = bytes(range(20))
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    added = client.post(
        "/django-admin/otp_totp/totpdevice/add/",
        {
            "user": world.owner.pk,
            "name": "app",
            "confirmed": "on",
            "key": key.hex(),
            "step": "30",
            "t0": "0",
            "digits": "6",
            "tolerance": "1",
            "drift": "0",
            "throttling_failure_count": "0",
        },
    )
    assert added.status_code == 302, added.content.decode()[:2000]
    return key, TOTPDevice.objects.values_list("key", flat=True).get(user=world.owner)


def test_an_app_added_in_the_django_admin_is_stored_sealed_and_works(client, world):
    key, stored = _added_in_the_django_admin(client, world)

    assert stored.startswith(AppDevice.SEALED) and key.hex() not in stored
    app = AppDevice.objects.get(user=world.owner)
    assert app.bin_key == key
    assert match_second_factor(world.owner, current_code(app)) == app


def test_negative_control_without_the_seal_on_save_the_admin_stores_the_key_in_clear(client, world):
    from django.db.models.signals import pre_save
    from django_otp.plugins.otp_totp.models import TOTPDevice

    pre_save.disconnect(sender=TOTPDevice, dispatch_uid="accounts.seal_app_key")
    try:
        key, stored = _added_in_the_django_admin(client, world)
    finally:
        from goedeburen.accounts import receivers

        pre_save.connect(
            receivers._seal_app_key, sender=TOTPDevice, dispatch_uid="accounts.seal_app_key"
        )

    assert stored == key.hex()
