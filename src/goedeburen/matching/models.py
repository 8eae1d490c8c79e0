"""Session choice and assignment: rankings, pins, the organiser's rules and assignment runs.

A run keeps the figures and the placements it produced; runs are never overwritten, and at
most one run of an event is published (what participants see and get by mail).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from goedeburen.events.models import Event, Round, Session
from goedeburen.registration.enums import AttendingRole
from goedeburen.registration.models import Attendee


def default_spread_roles() -> list[str]:
    return [AttendingRole.RESIDENT.value]


def default_rank_costs() -> list[int]:
    return [0, 1, 3, 6, 10]


class MatchingSettings(models.Model):
    """The organiser's rules for placing participants; an event without a row uses defaults."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="matching_settings")
    ranking_deadline = models.DateTimeField(
        _("participants may rank sessions until"),
        null=True,
        blank=True,
        help_text=_("Leave empty to allow ranking until the event starts."),
    )
    max_group_share = models.DecimalField(
        _("maximum share of one role in a living-room conversation (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("40.00"),
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("100"))],
    )
    spread_roles = models.JSONField(
        _("roles to spread evenly over the living-room conversations"),
        default=default_spread_roles,
        blank=True,
    )
    rank_costs = models.JSONField(_("cost of a 1st, 2nd, 3rd … choice"), default=default_rank_costs)
    unranked_cost = models.PositiveIntegerField(_("cost of a session not ranked"), default=25)
    avoid_repeat_meetings = models.BooleanField(
        _("avoid meeting the same people again in the next round"), default=True
    )
    time_limit = models.PositiveIntegerField(
        _("time limit of a run (seconds)"),
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(3600)],
    )

    class Meta:
        verbose_name = _("assignment rules")
        verbose_name_plural = _("assignment rules")

    def __str__(self) -> str:
        return str(self.event)


class Ranking(models.Model):
    """One session an attendee ranked: 1 is their first choice in that session's round."""

    attendee = models.ForeignKey(Attendee, on_delete=models.CASCADE, related_name="rankings")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="rankings")
    rank = models.PositiveSmallIntegerField(_("choice"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("ranking")
        verbose_name_plural = _("rankings")
        ordering = ["attendee", "session__round__start", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["attendee", "session"], name="unique_ranked_session")
        ]

    def __str__(self) -> str:
        return f"{self.attendee}: {self.rank}. {self.session}"


class Pin(models.Model):
    """An attendee who must be in one session of its round: a host or speaker of it."""

    attendee = models.ForeignKey(Attendee, on_delete=models.CASCADE, related_name="pins")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="pins")

    class Meta:
        verbose_name = _("pinned attendee")
        verbose_name_plural = _("pinned attendees")
        constraints = [
            models.UniqueConstraint(fields=["attendee", "round"], name="one_pin_per_round")
        ]

    def __str__(self) -> str:
        return f"{self.attendee} → {self.session}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting for the worker")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    # An incremental run not started before a later one was queued: the later one reads
    # the event when it starts, so it places what this one would have (`execute_run`).
    SUPERSEDED = "superseded", _("Replaced by a later run")


class AssignmentRun(models.Model):
    """One run of the solver over the event's attendees, with its outcome and figures."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="assignment_runs")
    created = models.DateTimeField(_("started"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # An incremental run starts from this run's placements and moves only whom it must.
    base = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    phase = models.CharField(max_length=30, blank=True)
    solver_status = models.CharField(_("outcome"), max_length=20, blank=True)
    objective = models.IntegerField(_("cost"), null=True, blank=True)
    bound = models.IntegerField(_("proven lower bound"), null=True, blank=True)
    seconds = models.FloatField(_("seconds"), null=True, blank=True)
    # Rules, statistics, not-placed participants, and first-come-first-served figures.
    rules = models.JSONField(default=dict)
    stats = models.JSONField(default=dict)
    unassigned = models.JSONField(default=list)
    fcfs = models.JSONField(default=dict)
    error = models.TextField(_("error"), blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    is_published = models.BooleanField(_("published"), default=False)

    class Meta:
        verbose_name = _("assignment run")
        verbose_name_plural = _("assignment runs")
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event"], condition=Q(is_published=True), name="one_published_run"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} #{self.pk}"

    @property
    def finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED, RunStatus.SUPERSEDED)


class Placement(models.Model):
    """Where a run seats one attendee in one round."""

    run = models.ForeignKey(AssignmentRun, on_delete=models.CASCADE, related_name="placements")
    attendee = models.ForeignKey(Attendee, on_delete=models.CASCADE, related_name="placements")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="placements")
    # 1-based choice; None: a session the attendee did not rank, or a pinned one.
    rank = models.PositiveSmallIntegerField(null=True, blank=True)
    moved_by_hand = models.BooleanField(default=False)
    # The SEQUENCE of this session's entry in the person's calendar file (its UID is per
    # attendee and round): raised whenever a published placement changes, so that the
    # calendar file mailed next replaces the one mailed before.
    sequence = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "attendee", "round"], name="one_placement_per_round"
            )
        ]

    def __str__(self) -> str:
        return f"{self.attendee} → {self.session}"


class SessionHost(models.Model):
    """A user with the host role who sees the list of this session's participants."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="host_users")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hosted_sessions"
    )

    class Meta:
        verbose_name = _("session host login")
        verbose_name_plural = _("session host logins")
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="unique_session_host")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.session}"
