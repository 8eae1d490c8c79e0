"""A session cookie that is no key of ours means no session: nobody is signed in by it, and
no page fails on it (a NUL byte reached PostgreSQL, which refuses it: a 500)."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["backoffice:login", "backoffice:dashboard"])
def test_a_session_cookie_with_a_nul_byte_is_no_session(name):
    client = Client()
    # Long enough for Django's own check of a key (eight characters or more).
    client.cookies[settings.SESSION_COOKIE_NAME] = "abcdefgh\x00ijklmnop"

    response = client.get(reverse(name))

    assert response.status_code == (200 if name == "backoffice:login" else 302)
    assert "_auth_user_id" not in client.session
