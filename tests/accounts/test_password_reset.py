"""A new password by e-mail: Django's own views in the site's look; the mail is sent by the
worker, which alone knows whether the address has an account."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from goedeburen.events.models import Role
from tests.factories import OrganiserFactory, TeamMemberFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW = "Een nieuw en lang wachtwoord 42"


@pytest.fixture
def user(db):
    user = UserFactory(username="secretariaat", email="secretariaat@example.org")
    TeamMemberFactory(organiser=OrganiserFactory(), user=user, role=Role.OWNER)
    return user


def _ask(client, email, capture):
    with capture(execute=True):
        return client.post(reverse("backoffice:password_reset"), {"email": email})


@pytest.mark.parametrize("language", ["nl", "en"])
def test_new_password_by_mail(
    client, user, smtp, immediate_tasks, django_capture_on_commit_callbacks, language
):
    prefix = "/en" if language == "en" else ""
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(f"{prefix}/backoffice/account/password/", {"email": user.email})
    assert asked.url == f"{prefix}/backoffice/account/password/sent/"
    (message,) = smtp.messages
    body = message.get_body(preferencelist=("plain",)).get_content()
    subject = {"nl": "Kies een nieuw wachtwoord", "en": "Choose a new password"}[language]
    assert message["Subject"].startswith(subject)
    link = re.search(r"http://\S+/password/\S+/\S+/", body).group(0)
    path = link.removeprefix("http://127.0.0.1:8000")

    form = client.get(path, follow=True)
    assert form.context["validlink"]
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})

    assert done.url.endswith("/backoffice/account/password/done/")
    assert get_user_model().objects.get(pk=user.pk).check_password(NEW)
    assert client.get(path, follow=True).context["validlink"] is False  # used


def test_unknown_address_gets_the_same_answer_and_no_mail(
    client, user, smtp, immediate_tasks, django_capture_on_commit_callbacks
):
    known = _ask(client, user.email, django_capture_on_commit_callbacks)
    smtp.messages.clear()
    unknown = _ask(client, "niemand@example.org", django_capture_on_commit_callbacks)

    assert (known.status_code, known.url) == (unknown.status_code, unknown.url)
    assert smtp.messages == []


def test_the_request_stores_no_link(client, user, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    from goedeburen.common.models import LogEntry

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("backoffice:password_reset"), {"email": user.email})

    (task,) = DBTaskResult.objects.all()
    assert task.args_kwargs == {"args": [user.email, "nl"], "kwargs": {}}
    assert not LogEntry.objects.filter(action__contains="password").exists()


def test_a_new_password_lifts_the_lockout(
    client, user, smtp, immediate_tasks, django_capture_on_commit_callbacks
):
    for n in range(10):
        client.post(reverse("backoffice:login"), {"username": user.username, "password": f"x{n}"})
    assert (
        client.post(
            reverse("backoffice:login"), {"username": user.username, "password": "x"}
        ).status_code
        == 429
    )
    _ask(client, user.email, django_capture_on_commit_callbacks)
    body = smtp.messages[0].get_body(preferencelist=("plain",)).get_content()
    path = (
        re.search(r"http://\S+/password/\S+/\S+/", body)
        .group(0)
        .removeprefix("http://127.0.0.1:8000")
    )
    form = client.get(path, follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})

    response = client.post(
        reverse("backoffice:login"), {"username": user.username, "password": NEW}
    )

    assert response.status_code == 302
