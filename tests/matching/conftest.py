"""A small event with two rounds of living-room conversations and confirmed attendees."""

import datetime as dt
from dataclasses import dataclass

import pytest

from goedeburen.events.models import SessionKind
from goedeburen.registration import tokens
from goedeburen.registration.enums import AttendingRole
from tests.factories import (
    AttendeeFactory,
    OpenEventFactory,
    QuotaFactory,
    RegistrationFactory,
    RoundFactory,
    SessionFactory,
    TicketTypeFactory,
)

ROLES = [
    AttendingRole.HOUSING_CORPORATION,
    AttendingRole.MUNICIPALITY,
    AttendingRole.RESIDENT,
    AttendingRole.CARE_WELFARE,
]


@dataclass
class Small:
    event: object
    ticket: object
    rounds: list
    sessions: list  # per round
    attendees: list
    tokens: dict  # registration pk → manage token


def make_small(*, people: int = 12) -> Small:
    event = OpenEventFactory(date=dt.date(2030, 3, 5))
    ticket = TicketTypeFactory(event=event, price=0)
    QuotaFactory(event=event, size=200, ticket_types=[ticket])
    rounds, sessions = [], []
    for n, (start, end) in enumerate([((11, 0), (12, 0)), ((13, 0), (14, 0))]):
        round_ = RoundFactory(
            event=event, title_nl=f"Ronde {n + 1}", start=dt.time(*start), end=dt.time(*end)
        )
        rounds.append(round_)
        sessions.append(
            [
                SessionFactory(
                    round=round_,
                    title_nl=f"Huiskamer {k}",
                    capacity=5,
                    order=k,
                    kind=SessionKind.LIVING_ROOM,
                )
                for k in range(1, 4)
            ]
        )
    attendees, manage = [], {}
    for i in range(people):
        token, hashed = tokens.new_manage_token()
        registration = RegistrationFactory(
            event=event,
            manage_token_hash=hashed,
            email=f"p{i}@example.org",
            booker_name=f"Booker {i}",
        )
        manage[registration.pk] = token
        attendees.append(
            AttendeeFactory(
                registration=registration,
                ticket_type=ticket,
                given_name=f"Person{i}",
                family_name="Test",
                role=ROLES[i % len(ROLES)],
                email=f"p{i}@example.org",
            )
        )
    return Small(event, ticket, rounds, sessions, attendees, manage)


@pytest.fixture
def small(db) -> Small:
    return make_small()
