"""Test data for the whole suite: factory_boy factories and the service inputs they build.

One package, one module per domain app; import from `tests.factories`.
"""

from .events import (
    EventFactory,
    OrganiserFactory,
    PartnerFactory,
    ProgrammeItemFactory,
    ProjectFactory,
    RoomFactory,
    RoundFactory,
    SessionFactory,
    SpeakerFactory,
    TeamMemberFactory,
    UserFactory,
    VenueFactory,
)
from .mail import (
    OutgoingMailFactory,
    many_registrations,
)
from .payments import OrganiserBillingFactory
from .registration import (
    AttendeeFactory,
    OpenEventFactory,
    QuestionFactory,
    QuotaFactory,
    RegistrationFactory,
    RegistrationSettingsFactory,
    TicketTypeFactory,
    attendee,
    billing,
    booker,
    fill_seats,
    form_token,
    sync_seat_counters,
)

__all__ = [
    "AttendeeFactory",
    "EventFactory",
    "OpenEventFactory",
    "OrganiserBillingFactory",
    "OrganiserFactory",
    "OutgoingMailFactory",
    "PartnerFactory",
    "ProgrammeItemFactory",
    "ProjectFactory",
    "QuestionFactory",
    "QuotaFactory",
    "RegistrationFactory",
    "RegistrationSettingsFactory",
    "RoomFactory",
    "RoundFactory",
    "SessionFactory",
    "SpeakerFactory",
    "TeamMemberFactory",
    "TicketTypeFactory",
    "UserFactory",
    "VenueFactory",
    "attendee",
    "billing",
    "booker",
    "fill_seats",
    "form_token",
    "many_registrations",
    "sync_seat_counters",
]
