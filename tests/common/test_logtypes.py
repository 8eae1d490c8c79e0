"""The typed audit log: every action any code logs is declared, with a sentence in nl and en."""

import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

import goedeburen
from goedeburen.common.audit import event_history, log_action, scope_of
from goedeburen.common.logtypes import registry
from goedeburen.common.models import LogEntry
from goedeburen.events.logtypes import PART_MODELS, VENUE_MODELS
from goedeburen.payments.enums import PaymentState, RefundState
from tests.factories import (
    AttendeeFactory,
    EventFactory,
    RegistrationFactory,
    RoomFactory,
    RoundFactory,
    SessionFactory,
)

SRC = Path(goedeburen.__file__).parent
# `action="app.verb"`, `action=f"…"` or `action = "…"` (a name later passed to `log_action`);
# the dot tells a log action from argparse's `action="store_true"`.
ACTION = re.compile(r"""\baction\s*=\s*(f?)("[^"\n]*\.[^"\n]*"|'[^'\n]*\.[^'\n]*')""")
# The other branch of `action="a.b" if … else "a.c"`.
ELSE_ACTION = re.compile(r"""\baction\s*=\s*"[^"\n]*"\s+if\s[^\n]*?\selse\s+("[^"\n]*\.[^"\n]*")""")
# The actions written from an f-string, spelled as in the source, with every value they take.
# `save_event_part` saves the event itself too.
_SAVED = ("event", *PART_MODELS, *VENUE_MODELS)
_PARTS = [f"{m}.{v}" for m in _SAVED for v in ("created", "changed")]
DYNAMIC = {
    "f\"{instance._meta.model_name}.{'changed' if before else 'created'}\"": _PARTS,
    'f"{instance._meta.model_name}.deleted"': [
        f"{m}.deleted" for m in (*PART_MODELS, *VENUE_MODELS)
    ],
    "f\"question.{'created' if created else 'changed'}\"": ["question.created", "question.changed"],
    "f\"ticket_type.{'created' if created else 'changed'}\"": [
        "ticket_type.created",
        "ticket_type.changed",
    ],
    'f"payment.{status.state}"': [f"payment.{state}" for state in PaymentState.values],
    'f"refund.{locked.state}"': [f"refund.{state}" for state in RefundState.values],
}


def logged_actions() -> set[str]:
    """Return every action that code under src/ passes to `log_action`."""
    found = set()
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts or path.name == "logtypes.py":
            continue  # the declarations themselves, not code that logs
        text = path.read_text()
        found.update(literal[1:-1] for literal in ELSE_ACTION.findall(text))
        for is_f, literal in ACTION.findall(text):
            if not is_f:
                found.add(literal[1:-1])
                continue
            source = f"f{literal}"
            assert source in DYNAMIC, f"{path}: add the values of {source} to DYNAMIC"
            found.update(DYNAMIC[source])
    return found


def test_the_source_logs_the_actions_the_walk_knows_of():
    # A guard on the walk itself: it must see literals, f-strings and the event parts.
    found = logged_actions()
    assert {"registration.approved", "payment.paid", "session.created", "question.deleted"} <= (
        found
    )
    assert len(found) > 60


def test_every_action_any_code_logs_is_declared_with_a_sentence():
    missing = sorted(action for action in logged_actions() if action not in registry)
    assert missing == []
    for log_type in registry:
        assert str(log_type.sentence).strip(), log_type.action


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("log_type", list(registry), ids=lambda t: t.action)
def test_every_sentence_renders_with_example_and_with_missing_data(log_type, language):
    with translation.override(language):
        full = log_type.display(log_type.example, show_sensitive=True)
        hidden = log_type.display(log_type.example, show_sensitive=False)
        bare = log_type.display({})
    for text in (full, hidden, bare):
        assert text.strip()
        assert "%(" not in text
        assert log_type.action not in text


def test_every_sentence_is_translated_to_dutch():
    untranslated = []
    for log_type in registry:
        with translation.override("en"):
            english = str(log_type.sentence)
        with translation.override("nl"):
            dutch = str(log_type.sentence)
        if english == dutch:
            untranslated.append(log_type.action)
    assert untranslated == []


def test_log_action_refuses_an_undeclared_action(db):
    registration = RegistrationFactory()
    with pytest.raises(LookupError, match="registration.frobbed"):
        log_action(registration, action="registration.frobbed")
    assert LogEntry.objects.count() == 0


@pytest.mark.django_db
def test_an_entry_knows_the_event_and_organiser_of_its_subject():
    attendee = AttendeeFactory()
    event = attendee.registration.event
    session = SessionFactory(round=RoundFactory(event=event))
    room = RoomFactory(venue=event.venue)

    assert scope_of(event) == (event.pk, event.organiser_id)
    assert scope_of(event.organiser) == (None, event.organiser_id)
    assert scope_of(attendee.registration) == (event.pk, event.organiser_id)
    assert scope_of(attendee) == (event.pk, event.organiser_id)
    assert scope_of(session) == (event.pk, event.organiser_id)
    assert scope_of(room) == (None, event.venue.organiser_id)
    entry = log_action(attendee, action="matching.pinned", data={"session": session.pk})
    assert (entry.event_id, entry.organiser_id) == (event.pk, event.organiser_id)


@pytest.mark.django_db
def test_an_events_whole_history_is_one_query():
    event = EventFactory()
    registration = RegistrationFactory(event=event)
    other = RegistrationFactory()
    log_action(event, action="event.created")
    log_action(registration, action="registration.link_renewed")
    log_action(other, action="registration.link_renewed")

    with CaptureQueriesContext(connection) as queries:
        entries = list(event_history(event.pk))
        actors = [entry.actor for entry in entries]

    assert len(queries) == 1
    assert [e.action for e in entries] == ["registration.link_renewed", "event.created"]
    assert actors == [None, None]
