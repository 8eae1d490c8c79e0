"""PATCHes of one registration (or attendee) at the same moment, on PostgreSQL.

docs/api.md promises that a PATCH with `If-Match` changes the resource only when it is
still as the client read it. The `If-Match` is checked before the registration's row lock
is taken: each client here reads the same ETag, sends a change made from what it read,
and every request passes its `If-Match` before any takes the lock (they meet at a
barrier, `seams.meet_before_the_change_lock`). Under the lock `change_registration`
compares what the client read (`seen`) with the row: one change is made, the others are
refused with 412 and no change is lost. The negative control takes that comparison away
(`seams.without_the_seen_check`): every client is told 200, and all changes but the last
are lost.

A consent withdrawn while another request adds dietary wishes or a special-category
answer passes the serializer's consent check in both requests; the one that comes second
under the lock is refused at the field as the serializer refuses it (400): at
`special_category_consent` (`consent_missing`), or at the answer.
"""

import threading

import pytest
from django.conf import settings
from django.utils import translation

from goedeburen.common.models import LogEntry
from goedeburen.registration.exceptions import CONSENT_MISSING
from goedeburen.registration.models import Answer, Attendee, Registration, lacks_consent
from tests import seams
from tests.factories import QuestionFactory
from tests.threads import all_at_once

from .conftest import Api, make_token

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CLIENTS = 3


def _registration(world) -> tuple[str, str]:
    path = f"/api/v1/events/{world.event.slug}/registrations/{world.registration.code}/"
    return path, "booker_name"


def _attendee(world) -> tuple[str, str]:
    return f"/api/v1/events/{world.event.slug}/attendees/{world.attendee.pk}/", "given_name"


def _changes(world) -> int:
    return LogEntry.objects.filter(
        object_id=str(world.registration.pk), action="registration.changed"
    ).count()


def _stored(world, field: str) -> str:
    if field == "booker_name":
        return Registration.objects.get(pk=world.registration.pk).booker_name
    return Attendee.objects.get(pk=world.attendee.pk).given_name


def _meet_before_the_lock(monkeypatch, parties: int) -> None:
    barrier = threading.Barrier(parties, timeout=30)
    seams.meet_before_the_change_lock(monkeypatch.setattr, barrier.wait)


def _patch_at_once(world, target, token: str) -> tuple[list[str], list]:
    """Let every client read the resource, then PATCH a change made from what it read
    with its ETag, all at once; return what each sent and each response."""
    path, field = target(world)
    read = Api(token).get(path)
    sent = [f"{read.json()[field]} {n}" for n in range(CLIENTS)]

    def client(n):
        return Api(token).patch(path, {field: sent[n]}, **{"If-Match": read["ETag"]})

    return sent, all_at_once(CLIENTS, client)


@pytest.mark.parametrize("target", [_registration, _attendee])
def test_patches_with_the_same_etag_at_once_change_once_and_lose_nothing(
    on_postgresql, world, monkeypatch, target
):
    token = make_token(world)
    _meet_before_the_lock(monkeypatch, CLIENTS)

    sent, responses = _patch_at_once(world, target, token)

    statuses = sorted(getattr(r, "status_code", r) for r in responses)
    assert statuses == [200] + [412] * (CLIENTS - 1), responses
    refused = [r.json()["code"] for r in responses if r.status_code == 412]
    assert refused == ["precondition_failed"] * (CLIENTS - 1)
    [applied] = [n for n, r in enumerate(responses) if r.status_code == 200]
    _path, field = target(world)
    assert _stored(world, field) == sent[applied]
    assert _changes(world) == 1


@pytest.mark.parametrize("target", [_registration, _attendee])
def test_negative_control_without_the_check_under_the_lock_changes_are_lost(
    on_postgresql, world, monkeypatch, target
):
    token = make_token(world)
    _meet_before_the_lock(monkeypatch, CLIENTS)
    seams.without_the_seen_check(monkeypatch.setattr)

    sent, responses = _patch_at_once(world, target, token)

    # Every client passed its If-Match and was told its change was made ...
    assert [getattr(r, "status_code", r) for r in responses] == [200] * CLIENTS, responses
    assert _changes(world) == CLIENTS
    # ... but only the last one is there: the others were overwritten unseen.
    _path, field = target(world)
    assert [value == _stored(world, field) for value in sent].count(True) == 1


def test_consent_withdrawn_while_wishes_are_added_refuses_one_at_the_consent(
    on_postgresql, world, monkeypatch
):
    Attendee.objects.filter(pk=world.attendee.pk).update(special_category_consent=True)
    token = make_token(world)
    path, _field = _attendee(world)
    bodies = [{"dietary_wishes": "vegan"}, {"special_category_consent": False}]
    _meet_before_the_lock(monkeypatch, len(bodies))

    responses = all_at_once(len(bodies), lambda n: Api(token).patch(path, bodies[n]))

    statuses = sorted(getattr(r, "status_code", r) for r in responses)
    assert statuses == [200, 400], responses
    [problem] = [r.json() for r in responses if r.status_code == 400]
    with translation.override(settings.LANGUAGE_CODE):  # the API answers in the site's
        message = str(CONSENT_MISSING)
    assert (problem["code"], problem["detail"]) == ("consent_missing", message)
    assert problem["errors"] == {"special_category_consent": [message]}
    attendee = Attendee.objects.get(pk=world.attendee.pk)
    assert not lacks_consent(
        dietary_wishes=attendee.dietary_wishes,
        accessibility_needs=attendee.accessibility_needs,
        special_category_consent=attendee.special_category_consent,
    )
    assert _changes(world) == 1


def test_a_special_category_answer_while_the_consent_is_withdrawn_is_refused_at_the_answer(
    on_postgresql, world, monkeypatch
):
    question = QuestionFactory(event=world.event, special_category=True)
    Attendee.objects.filter(pk=world.attendee.pk).update(special_category_consent=True)
    token = make_token(world)
    path, _field = _attendee(world)
    withdrawn = []

    def withdraw_meanwhile():
        # After the answer's request passed its serializer, before its lock: another
        # request withdraws the consent and commits.
        if not withdrawn:  # not again in the withdrawal's own request
            withdrawn.append("withdrawing")
            body = {"special_category_consent": False}
            withdrawn.extend(all_at_once(1, lambda n: Api(token).patch(path, body)))

    seams.meet_before_the_change_lock(monkeypatch.setattr, withdraw_meanwhile)
    answer = {"answers": {str(question.pk): "rolstoel"}}

    response = Api(token).patch(path, answer)

    assert withdrawn[1].status_code == 200, withdrawn
    assert response.status_code == 400, response.content
    assert not Answer.objects.filter(attendee=world.attendee).exists()
    # Refused as the serializer refuses the same answer once the consent is gone.
    again = Api(token).patch(path, answer)
    assert again.status_code == 400
    assert (response.json()["code"], response.json()["errors"]) == (
        again.json()["code"],
        again.json()["errors"],
    )
    assert list(response.json()["errors"]["answers"]) == [str(question.pk)]
