"""The states and choices of registrations and attendees."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegistrationStatus(models.TextChoices):
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    PENDING_PAYMENT = "pending_payment", _("Pending payment")
    CONFIRMED = "confirmed", _("Confirmed")
    CANCELLED = "cancelled", _("Cancelled")
    WAITING_LIST = "waiting_list", _("On the waiting list")


# What a role that sees names only (check-in) is told of a registration's status: "awaiting
# approval" would mark a resident (theirs is the free ticket the organiser approves), so it
# and "pending payment" read as one "not confirmed yet" there, in lists, filters and exports.
NOT_CONFIRMED_YET = "not_confirmed"
NOT_CONFIRMED_STATUSES = (RegistrationStatus.AWAITING_APPROVAL, RegistrationStatus.PENDING_PAYMENT)


def names_only_status_choices() -> list[tuple[str, str]]:
    """Return the statuses a role that sees names only may see and filter by."""
    return [
        (NOT_CONFIRMED_YET, _("Not confirmed yet")),
        *((s.value, s.label) for s in RegistrationStatus if s not in NOT_CONFIRMED_STATUSES),
    ]


def names_only_status(status: str) -> str:
    """Return the value of `names_only_status_choices` that `status` shows as."""
    return NOT_CONFIRMED_YET if status in NOT_CONFIRMED_STATUSES else status


# Who holds a seat and may choose sessions: also while a bank transfer is on its way (the
# seat is held meanwhile; a registration that lapses unpaid loses its choices with its seat).
MAY_RANK = frozenset({RegistrationStatus.CONFIRMED, RegistrationStatus.PENDING_PAYMENT})


class CancelReason(models.TextChoices):
    """Why a registration was cancelled: decisions read this, never the log."""

    BY_PARTICIPANT = "by_participant", _("Cancelled by the booker")
    BY_ORGANISER = "by_organiser", _("Cancelled by the organiser")
    REJECTED = "rejected", _("Rejected by the organiser")
    HOLD_EXPIRED = "hold_expired", _("The seats were no longer held")
    OFFER_EXPIRED = "offer_expired", _("The offered place was not taken in time")
    UNPAID = "unpaid", _("Not paid in time")


class ReviewReason(models.TextChoices):
    """Why a registration that needs no approval by its tickets awaits it all the same."""

    MANY_SEATS = (
        "many_seats",
        _("Many seats from one internet address within an hour, without online payment"),
    )


# Statuses whose attendees take a seat: held ones only until their `hold_until`.
HELD_STATUSES = (RegistrationStatus.AWAITING_APPROVAL, RegistrationStatus.PENDING_PAYMENT)


class AttendingRole(models.TextChoices):
    HOUSING_CORPORATION = "housing_corporation", _("Housing corporation")
    CARE_WELFARE = "care_welfare", _("Care, shelter or welfare organisation")
    MUNICIPALITY = "municipality", _("Municipality")
    NATIONAL_PLATFORM = "national_platform", _("National platform or knowledge centre")
    MINISTRY = "ministry", _("Ministry")
    RESEARCH_EDUCATION = "research_education", _("Research or education")
    RESIDENT = "resident", _("Resident of a mixed-housing project")
    OTHER = "other", _("Other")


class BadgeName(models.TextChoices):
    FULL = "full", _("Full name")
    FIRST_NAME = "first_name", _("First name only")


class QuestionKind(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    YES_NO = "yes_no", _("Yes or no")
    SINGLE_CHOICE = "single_choice", _("One choice from a list")
    MULTIPLE_CHOICE = "multiple_choice", _("Several choices from a list")


# The kinds whose answers are options of the question rather than a typed value.
CHOICE_KINDS = (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE)
# How a yes/no answer is stored in `Answer.value`.
YES, NO = "yes", "no"
