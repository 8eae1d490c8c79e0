"""Guessing passwords: ten wrong ones lock the user name out for that address (django-axes),
the lockout reads the same for a name nobody has, and an owner lifts it."""

from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.urls import reverse

from goedeburen.common.models import LogEntry
from goedeburen.events.models import Role
from tests.factories import OrganiserFactory, TeamMemberFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
HERE = "192.0.2.10"
ELSEWHERE = "198.51.100.7"


@pytest.fixture
def organiser():
    return OrganiserFactory()


@pytest.fixture
def editor(organiser):
    from tests.factories import EventFactory

    user = UserFactory(username="redacteur")
    TeamMemberFactory(
        organiser=organiser, user=user, role=Role.EDITOR, event=EventFactory(organiser=organiser)
    )
    return user


def _sign_in(client, username, password, *, ip=HERE):
    return client.post(
        reverse("backoffice:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
    )


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def _guess(client, username, times, *, ip=HERE):
    for n in range(times):
        response = _sign_in(client, username, f"wrong {n}", ip=ip)
    return response


def test_ten_wrong_passwords_lock_out_even_the_right_one(client, editor, english):
    nine = _guess(client, "redacteur", 9)
    assert nine.status_code == 200  # still "wrong user name or password"

    tenth = _sign_in(client, "redacteur", "wrong again")
    right = _sign_in(client, "redacteur", PASSWORD)

    assert (tenth.status_code, right.status_code) == (429, 429)
    assert "Too many failed attempts" in right.content.decode()
    assert not _signed_in(client)


def test_lockout_is_for_that_address_only(client, editor):
    _guess(client, "redacteur", 10)

    response = _sign_in(client, "redacteur", PASSWORD, ip=ELSEWHERE)

    assert response.status_code == 302
    assert _signed_in(client)


def test_lockout_reads_the_same_for_a_user_name_nobody_has(client, editor, english):
    _guess(client, "redacteur", 10)
    _guess(client, "niemand", 10)

    known = _sign_in(client, "redacteur", PASSWORD)
    unknown = _sign_in(client, "niemand", PASSWORD)

    assert (known.status_code, unknown.status_code) == (429, 429)
    assert known.context["lockout"] == unknown.context["lockout"]
    # …and a wrong password reads the same as an unknown name before any lockout.
    wrong = _sign_in(client, "redacteur", "wrong", ip=ELSEWHERE)
    nobody = _sign_in(client, "nobody", "wrong", ip=ELSEWHERE)
    assert wrong.context["form"].non_field_errors() == nobody.context["form"].non_field_errors()


def test_organiser_owner_unlocks_a_member(client, organiser, editor):
    owner = UserFactory()
    TeamMemberFactory(organiser=organiser, user=owner, role=Role.OWNER)
    _guess(client, "redacteur", 10)
    member = editor.memberships.get()

    office = type(client)()
    office.force_login(owner)
    team = office.get(reverse("backoffice:team.organiser", args=[organiser.slug]))
    assert [row["locked"] for row in team.context["event_rows"]] == [True]
    office.post(
        reverse("backoffice:team.organiser_member", args=[organiser.slug, member.pk]),
        {"unlock": "1"},
    )

    assert _sign_in(client, "redacteur", PASSWORD).status_code == 302
    assert _signed_in(client)
    actions = Counter(
        LogEntry.objects.filter(organiser=organiser, data__user="redacteur").values_list(
            "action", flat=True
        )
    )
    assert actions == {
        "login.failed": 10,
        "login.locked": 1,
        "login.unlocked": 1,
        "login.succeeded": 1,
    }


def test_lockout_ends_after_the_cool_down(client, editor, settings):
    import datetime as dt

    from axes.models import AccessAttempt

    _guess(client, "redacteur", 10)
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - dt.timedelta(minutes=31)
    )

    assert _sign_in(client, "redacteur", PASSWORD).status_code == 302


def test_an_unknown_user_name_costs_the_same_password_hashing(client, editor, settings):
    # Timing: Django hashes the given password for a user name nobody has too, so a wrong
    # password takes as long either way; the counting hasher shows both hash once.
    from django.contrib.auth.hashers import MD5PasswordHasher, get_hashers

    calls = []

    class CountingHasher(MD5PasswordHasher):
        algorithm = "md5"

        def encode(self, password, salt):
            calls.append("hash")
            return super().encode(password, salt)

    get_hashers.cache_clear()
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    globals()["CountingHasher"] = CountingHasher
    try:
        _sign_in(client, "redacteur", "wrong", ip=ELSEWHERE)
        known = len(calls)
        calls.clear()
        _sign_in(client, "niemand", "wrong", ip=ELSEWHERE)
        unknown = len(calls)
    finally:
        get_hashers.cache_clear()

    assert known == unknown == 1


@pytest.mark.parametrize("language", ["nl", "en"])
def test_an_overlong_user_name_is_refused_by_its_length_and_counts_no_attempt(
    client, editor, language
):
    from axes.models import AccessAttempt
    from django.utils import translation

    with translation.override(language):
        response = client.post(
            reverse("backoffice:login"), {"username": "x" * 10_000, "password": "wrong"}
        )
        with pytest.raises(ValidationError) as refused:
            MaxLengthValidator(150)("x" * 10_000)
        expected = refused.value.messages[0]

    html = response.content.decode()
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["username"]
    assert f'id="id_username_error"><p class="utrecht-paragraph">{expected}</p>' in html
    assert AccessAttempt.objects.count() == 0
    assert not LogEntry.objects.exists()


def test_an_empty_sign_in_says_what_is_missing(client, db):
    from django.contrib.auth.forms import AuthenticationForm

    response = client.post(reverse("backoffice:login"), {"username": "", "password": ""})

    html = response.content.decode()
    required = str(AuthenticationForm.base_fields["username"].error_messages["required"])
    assert response.status_code == 200
    assert required == "Dit veld is verplicht."
    assert html.count(required) == 2
    assert 'aria-describedby="id_username_error"' in html
    assert 'aria-describedby="id_password_error"' in html


@pytest.mark.parametrize(
    "forwarded_for",
    [
        pytest.param("a\x00b", id="nul"),
        pytest.param("not-an-address", id="text"),
        pytest.param("999.1.2.3", id="no-ipv4"),
        pytest.param("192.0.2.10:443", id="with-port"),
    ],
)
def test_a_wrong_password_behind_a_proxy_that_forwards_no_address_counts_for_the_connection(
    client, editor, settings, forwarded_for
):
    # One proxy is trusted, and what sits in its place is no address (a client's text where
    # a second proxy was counted but none is there): the lockout's `inet` column refuses it.
    settings.TRUSTED_PROXIES = 1

    response = client.post(
        reverse("backoffice:login"),
        {"username": "redacteur", "password": "wrong"},
        REMOTE_ADDR=HERE,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )

    from axes.models import AccessAttempt

    assert response.status_code == 200
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [HERE]
