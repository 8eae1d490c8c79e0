"""factory_boy factories for the domain; tests build data with these, never with mocks."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model

from goedeburen.events import models


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery")


class OrganiserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Organiser

    name = factory.Sequence(lambda n: f"Organiser {n}")
    slug = factory.Sequence(lambda n: f"organiser-{n}")


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Venue

    organiser = factory.SubFactory(OrganiserFactory)
    name = "Buurthuis De Linde"
    street = "Lindelaan 1"
    city = "Utrecht"


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Room

    venue = factory.SubFactory(VenueFactory)
    name = factory.Sequence(lambda n: f"Room {n}")
    capacity = 20


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Event

    organiser = factory.SubFactory(OrganiserFactory)
    slug = factory.Sequence(lambda n: f"event-{n}")
    name_nl = factory.Sequence(lambda n: f"Bijeenkomst {n}")
    name_en = factory.Sequence(lambda n: f"Meeting {n}")
    date = dt.date(2027, 3, 5)
    start_time = dt.time(10, 0)
    end_time = dt.time(16, 30)
    venue = factory.SubFactory(VenueFactory, organiser=factory.SelfAttribute("..organiser"))
    status = models.EventStatus.PUBLISHED


class TeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.TeamMember

    organiser = factory.SubFactory(OrganiserFactory)
    user = factory.SubFactory(UserFactory)
    role = models.Role.OWNER


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Partner

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Partner {n}")


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Speaker

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Speaker {n}")
    slug = factory.Sequence(lambda n: f"speaker-{n}")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Project

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Project {n}")
    slug = factory.Sequence(lambda n: f"project-{n}")
    place = "Utrecht"
    groups_nl = "studenten en ouderen"


class ProgrammeItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ProgrammeItem

    event = factory.SubFactory(EventFactory)
    kind = models.ItemKind.PLENARY
    title_nl = factory.Sequence(lambda n: f"Onderdeel {n}")
    start = dt.time(10, 0)
    end = dt.time(10, 30)


class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Round

    event = factory.SubFactory(EventFactory)
    title_nl = factory.Sequence(lambda n: f"Ronde {n}")
    start = dt.time(11, 0)
    end = dt.time(12, 0)


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Session

    round = factory.SubFactory(RoundFactory)
    kind = models.SessionKind.LIVING_ROOM
    title_nl = factory.Sequence(lambda n: f"Sessie {n}")
    capacity = 11
