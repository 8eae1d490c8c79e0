"""A back-office form that makes something, sent twice (a double click, a reload that posts
again, a second tab): it is made once, and the second sending leads to what the first made
(`common.sent_once`)."""

import datetime as dt
import re
import threading
import time

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from goedeburen.backoffice.views.base import ALREADY_SENT
from goedeburen.common import sent_once
from goedeburen.common.models import SentForm
from goedeburen.events.models import Event, Invitation, Partner, Role
from goedeburen.mail.models import Mailing
from goedeburen.privacy.services import apply_retention
from goedeburen.registration.models import Registration
from tests.backoffice.conftest import url
from tests.backoffice.test_flow import EVENT
from tests.factories import UserFactory
from tests.seams import someone_waits_for_a_lock
from tests.threads import all_at_once

pytestmark = pytest.mark.django_db

KEY = re.compile(r'name="sent_once" value="([A-Za-z0-9_-]{22})"')
PARTNER = {"name": "Portaal", "order": "1"}


def _key(client, path) -> str:
    return KEY.search(client.get(path).content.decode()).group(1)


def _messages(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


def test_a_part_sent_twice_is_added_once_and_the_second_leads_to_the_list(owner_client, world):
    path = url("partner.create", world)
    data = {**PARTNER, "sent_once": _key(owner_client, path)}

    first = owner_client.post(path, data)
    second = owner_client.post(path, data)

    assert Partner.objects.filter(event=world.event, name="Portaal").count() == 1
    assert first.status_code == second.status_code == 302
    assert first.url == second.url == url("partner.list", world)
    # The list then says "saved" once (the first sending's) and "already sent".
    said = _messages(second)
    assert said[-1] == str(ALREADY_SENT) and len(said) == 2, said


def test_each_showing_of_the_form_adds_its_own(owner_client, world):
    path = url("partner.create", world)

    for _ in range(2):
        owner_client.post(path, {**PARTNER, "sent_once": _key(owner_client, path)})

    assert Partner.objects.filter(event=world.event, name="Portaal").count() == 2


def test_a_form_refused_keeps_its_key_and_adds_once_corrected(owner_client, world):
    path = url("partner.create", world)
    key = _key(owner_client, path)

    refused = owner_client.post(path, {"name": "", "order": "1", "sent_once": key})
    assert refused.status_code == 200 and refused.context["sent_once"] == key
    assert not SentForm.objects.exists()  # a refused form leaves its key unused
    for _ in range(2):
        owner_client.post(path, {**PARTNER, "sent_once": key})

    assert Partner.objects.filter(event=world.event, name="Portaal").count() == 1


def test_negative_control_without_a_key_a_form_sent_twice_adds_twice(owner_client, world):
    path = url("partner.create", world)

    for _ in range(2):
        owner_client.post(path, PARTNER)

    assert Partner.objects.filter(event=world.event, name="Portaal").count() == 2


def test_a_new_mailing_sent_twice_is_one_draft_and_both_lead_to_it(owner_client, world):
    path = reverse("backoffice:mailing.create", kwargs={"event": world.event.slug})
    data = {
        "subject_nl": "Nieuws",
        "body_nl": "Beste {{ name }}",
        "filter_status": ["confirmed"],
        "sent_once": _key(owner_client, path),
    }

    first = owner_client.post(path, data)
    second = owner_client.post(path, data)

    mailing = Mailing.objects.get(event=world.event)
    detail = reverse(
        "backoffice:mailing.detail", kwargs={"event": world.event.slug, "pk": mailing.pk}
    )
    assert first.url == second.url == detail


def test_a_new_event_sent_twice_is_made_once_and_both_lead_to_it(owner_client, world):
    path = reverse("backoffice:event.create", kwargs={"organiser": world.organiser.slug})
    data = {**EVENT, "sent_once": _key(owner_client, path)}

    first = owner_client.post(path, data)
    second = owner_client.post(path, data)

    event = Event.objects.get(slug=EVENT["slug"])
    assert (
        first.url == second.url == reverse("backoffice:event.detail", kwargs={"event": event.slug})
    )


def test_the_key_of_another_users_page_makes_nothing_and_tells_no_address(db):
    first_user, other_user = UserFactory(), UserFactory()
    key = sent_once.new_key()
    sent_once.make_once(key, user=first_user, make=lambda: "/secret-place/")

    made = sent_once.make_once(key, user=other_user, make=lambda: pytest.fail("made again"))

    assert made == sent_once.Made("", before=True)


@pytest.mark.parametrize("value", ["", "short", "x" * 23, "a" * 21 + "!", ["list"]])
def test_a_missing_or_malformed_key_is_no_key(value):
    assert sent_once.key_in({"sent_once": value}) == ""


def test_keys_go_after_two_days_with_the_daily_retention(db):
    now = timezone.now()
    old, recent = sent_once.new_key(), sent_once.new_key()
    for key in (old, recent):
        sent_once.make_once(key, user=None, make=lambda: "/")
    SentForm.objects.filter(key=old).update(created=now - dt.timedelta(days=2, minutes=1))

    report = apply_retention(now=now)

    assert list(SentForm.objects.values_list("key", flat=True)) == [recent]
    assert ("", "sent_forms", 1) in report.lines


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sent_twice_at_once_the_second_waits_for_the_first_and_finds_it(world):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    key, made = sent_once.new_key(), []
    lock = threading.Lock()

    def make_while_the_other_waits() -> str:
        # The other sending is held at the key until this one is done: it must wait.
        deadline = time.monotonic() + 10
        while not someone_waits_for_a_lock():
            assert time.monotonic() < deadline, "the other sending never waited"
            time.sleep(0.005)  # polling a condition, with a deadline
        with lock:
            made.append(Partner.objects.create(event=world.event, name=f"P{len(made)}"))
        return f"/made/{made[-1].pk}/"

    results = all_at_once(
        2, lambda n: sent_once.make_once(key, user=world.owner, make=make_while_the_other_waits)
    )

    assert not any(isinstance(r, Exception) for r in results), results
    assert len(made) == 1
    assert {r.address for r in results} == {f"/made/{made[0].pk}/"}
    assert sorted(r.before for r in results) == [False, True]


@pytest.mark.parametrize("level", ["event", "organiser"])
def test_an_invitation_sent_twice_is_one_invitation(owner_client, world, level):
    if level == "event":
        path = reverse("backoffice:team.event", args=[world.event.slug])
        data = {"email": "nieuw@example.org", "role": Role.EDITOR}
    else:
        path = reverse("backoffice:team.organiser", args=[world.organiser.slug])
        data = {"email": "nieuw@example.org", "role": Role.EDITOR, "event": world.event.pk}
    data["sent_once"] = _key(owner_client, path)

    answers = [owner_client.post(path, data) for _ in range(2)]

    assert Invitation.objects.filter(email="nieuw@example.org").count() == 1
    assert [a.url for a in answers] == [path, path]


def test_a_new_link_confirmed_twice_is_one_new_link_and_one_mail(owner_client, world):
    from goedeburen.common.models import LogEntry
    from goedeburen.mail.models import OutgoingMail

    path = url("registration.resend_link", world)
    key = _key(owner_client, path)
    before = Registration.objects.get(pk=world.registration.pk).manage_token_hash

    answers = [owner_client.post(path, {"confirm": "yes", "sent_once": key}) for _ in range(2)]

    detail = url("registration.detail", world)
    assert [a.url for a in answers] == [detail, detail]
    assert Registration.objects.get(pk=world.registration.pk).manage_token_hash != before
    renewed = LogEntry.objects.filter(action="registration.link_renewed")
    assert renewed.count() == 1
    assert OutgoingMail.objects.filter(registration=world.registration).count() == 1


def test_negative_control_a_new_link_confirmed_twice_without_a_key_renews_twice(
    owner_client, world
):
    from goedeburen.common.models import LogEntry

    path = url("registration.resend_link", world)

    for _ in range(2):
        owner_client.post(path, {"confirm": "yes"})

    assert LogEntry.objects.filter(action="registration.link_renewed").count() == 2


def test_an_approval_confirmed_twice_says_it_was_sent_not_that_it_is_refused(owner_client, world):
    world.registration.status = "awaiting_approval"
    world.registration.save(update_fields=["status"])
    path = url("registration.approve", world)
    data = {"confirm": "yes", "message": "", "sent_once": _key(owner_client, path)}

    first, second = (owner_client.post(path, data) for _ in range(2))

    assert first.status_code == second.status_code == 302
    assert _messages(second)[-1] == str(ALREADY_SENT)
