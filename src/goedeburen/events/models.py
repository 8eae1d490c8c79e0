"""Organisers, events, venues and the programme.

Texts a visitor reads exist in Dutch and English (`*_nl`, `*_en`); `obj.t.<name>` gives
the active language's one (see `common.translation`).
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from goedeburen.common.translation import TranslatedFieldsMixin


def _nl_en(name: str, verbose: str, *, long: bool = False, required: bool = False):
    """Return a Dutch and an English field for one text."""
    field = models.TextField if long else models.CharField
    options = {} if long else {"max_length": 300}
    return (
        field(format_lazy("{} (NL)", verbose), blank=not required, **options),
        field(format_lazy("{} (EN)", verbose), blank=True, **options),
    )


class Organiser(models.Model):
    """The body that runs events and issues their invoices."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), unique=True)
    email = models.EmailField(_("email address"), blank=True)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        verbose_name = _("organiser")
        verbose_name_plural = _("organisers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def log_scope(self) -> tuple[int | None, int | None]:
        """Return (event id, organiser id) for the log entries about this organiser."""
        return None, self.pk


class Role(models.TextChoices):
    """What a team member does. Owner and finance exist at both levels (see `ORGANISER_ROLES`);
    the others only for one event. `events.rules` says what each may do."""

    OWNER = "owner", _("Owner")
    EDITOR = "editor", _("Editor")
    FINANCE = "finance", _("Finance")
    REGISTRATIONS = "registrations", _("Registrations (secretariat)")
    HOST = "host", _("Session host")
    CHECKIN = "checkin", _("Check-in")
    CATERER = "caterer", _("Caterer")


# The roles a member can have for all events of an organiser (a TeamMember without event):
# the owner (legal and bank details, teams, all events) and finance (bank statements, all
# invoices). Every other role is for one event.
ORGANISER_ROLES = (Role.OWNER, Role.FINANCE)


class TeamMember(models.Model):
    """A user's role for one event of an organiser, or for all its events when event is empty.

    Only the roles of `ORGANISER_ROLES` may leave the event empty (a check constraint).
    """

    organiser = models.ForeignKey(Organiser, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    event = models.ForeignKey(
        "Event",
        verbose_name=_("event"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="team",
        help_text=_("Leave empty for all events of the organiser."),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(
                fields=["organiser", "user", "event", "role"], name="unique_team_role"
            ),
            # NULLs are distinct in a unique constraint: the organiser-wide rows need their own.
            models.UniqueConstraint(
                fields=["organiser", "user", "role"],
                condition=Q(event__isnull=True),
                name="unique_organiser_team_role",
            ),
            models.CheckConstraint(
                condition=Q(event__isnull=False) | Q(role__in=[r.value for r in ORGANISER_ROLES]),
                name="organiser_wide_roles_only_owner_or_finance",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"

    @property
    def is_organiser_wide(self) -> bool:
        return self.event_id is None

    def log_scope(self) -> tuple[int | None, int | None]:
        """Return (event id, organiser id): an event's role is in its history."""
        return self.event_id, self.organiser_id


class Invitation(models.Model):
    """An invitation by e-mail to take a role, for one event or (event empty) the organiser.

    The link in the mail is signed (`events.teams.invitation_token`) and not stored: nothing
    in the database opens it. It works once (`accepted_at`), until `expires_at`, and only for
    an account with this e-mail address.
    """

    organiser = models.ForeignKey(Organiser, on_delete=models.CASCADE, related_name="invitations")
    event = models.ForeignKey(
        "Event",
        verbose_name=_("event"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created"]
        constraints = [
            models.CheckConstraint(
                condition=Q(event__isnull=False) | Q(role__in=[r.value for r in ORGANISER_ROLES]),
                name="invitation_organiser_wide_roles_only_owner_or_finance",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_role_display()})"

    def log_scope(self) -> tuple[int | None, int | None]:
        return self.event_id, self.organiser_id

    @property
    def is_open(self) -> bool:
        from django.utils import timezone

        used = self.accepted_at is not None or self.revoked_at is not None
        return not used and self.expires_at > timezone.now()


class Venue(TranslatedFieldsMixin, models.Model):
    organiser = models.ForeignKey(Organiser, on_delete=models.CASCADE, related_name="venues")
    name = models.CharField(_("name"), max_length=200)
    street = models.CharField(_("street and number"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100)
    route_nl, route_en = _nl_en("route", _("Route"), long=True)
    accessibility_nl, accessibility_en = _nl_en("accessibility", _("Accessibility"), long=True)

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}, {self.city}"

    @property
    def address(self) -> str:
        return f"{self.street}, {self.city}"


class Room(models.Model):
    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("name"), max_length=100)
    capacity = models.PositiveIntegerField(_("capacity"), validators=[MinValueValidator(1)])
    step_free = models.BooleanField(_("step-free access"), default=True)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["venue", "name"], name="unique_room_name")]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.pk and self.capacity:
            too_big = Session.objects.filter(room_id=self.pk, capacity__gt=self.capacity)
            if too_big.exists():
                raise ValidationError(
                    {
                        "capacity": _(
                            "Sessions in this room have more seats than that; "
                            "lower their capacity first."
                        )
                    }
                )


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    REGISTRATION_OPEN = "registration_open", _("Registration open")
    CLOSED = "closed", _("Registration closed")
    ARCHIVED = "archived", _("Archived")


PUBLIC_STATUSES = (
    EventStatus.PUBLISHED,
    EventStatus.REGISTRATION_OPEN,
    EventStatus.CLOSED,
    EventStatus.ARCHIVED,
)


# First path segments of the site (see `goedeburen.urls`) and of the back office: an event
# with one of these as its web address would be hidden behind them.
RESERVED_SLUGS = frozenset(
    {
        "accessibility",
        "api",
        "backoffice",
        "django-admin",
        "en",
        "i18n",
        "media",
        "nl",
        "payments",
        "static",
        # /backoffice/<event>/ shares its first segment with these back-office pages.
        "account",
        "login",
        "logout",
        "organisers",
    }
)


class EventQuerySet(models.QuerySet):
    def public(self):
        return self.filter(status__in=PUBLIC_STATUSES)


class Event(TranslatedFieldsMixin, models.Model):
    organiser = models.ForeignKey(Organiser, on_delete=models.PROTECT, related_name="events")
    slug = models.SlugField(_("web address"), unique=True)
    name_nl, name_en = _nl_en("name", _("Name"), required=True)
    tagline_nl, tagline_en = _nl_en("tagline", _("Question or tagline"))
    description_nl, description_en = _nl_en("description", _("Theme text"), long=True)
    expectations_nl, expectations_en = _nl_en(
        "expectations", _("What you can expect (introduction)"), long=True
    )
    audience_nl, audience_en = _nl_en("audience", _("Who it is for"), long=True)
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start time"))
    end_time = models.TimeField(_("end time"))
    venue = models.ForeignKey(
        Venue, verbose_name=_("venue"), null=True, blank=True, on_delete=models.PROTECT
    )
    # No capacity or price of its own: both follow from the ticket types and their quotas
    # (`registration.queries.price_list`, `registration.queries.capacity`), so that no
    # second figure can disagree with what the form sells.
    contact_name = models.CharField(_("contact"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact email address"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=EventStatus.choices, default=EventStatus.DRAFT
    )
    calendar_file = models.FileField(_("calendar file"), upload_to="calendars/", blank=True)
    updated = models.DateTimeField(auto_now=True)
    # The version of the event and its programme in calendar files (their SEQUENCE): one
    # more with every change, at least the seconds since 2020 (`calendar.next_sequence`).
    calendar_sequence = models.PositiveIntegerField(default=0, editable=False)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-date"]

    def __str__(self) -> str:
        return self.name_nl

    def save(self, *args, **kwargs):
        # `calendar_sequence` moves only by its own UPDATE (`calendar.next_sequence`): a save
        # of a copy read before a change must not write the older value back.
        if not (self._state.adding or kwargs.get("force_insert")) and (
            kwargs.get("update_fields") is None
        ):
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name != "calendar_sequence"
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("public:event.home", kwargs={"event": self.slug})

    def log_scope(self) -> tuple[int | None, int | None]:
        """Return (event id, organiser id) for the log entries about this event."""
        return self.pk, self.organiser_id

    def clean(self):
        errors = {}
        if self.slug and self.slug.lower() in RESERVED_SLUGS:
            errors["slug"] = _("This web address is reserved for the site itself; choose another.")
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            errors["end_time"] = _("The end time must be after the start time.")
        elif self.pk and self.start_time and self.end_time:
            outside = Q(start__lt=self.start_time) | Q(end__gt=self.end_time)
            if self.items.filter(outside).exists() or self.rounds.filter(outside).exists():
                errors["start_time"] = _(
                    "Parts of the programme fall outside these hours; move them first."
                )
        if errors:
            raise ValidationError(errors)

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    def starts_at(self) -> dt.datetime:
        return _aware(self.date, self.start_time)

    def ends_at(self) -> dt.datetime:
        return _aware(self.date, self.end_time)


def _aware(date: dt.date, time: dt.time) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(date, time))


class Partner(TranslatedFieldsMixin, models.Model):
    """A co-organiser, shown with its logo."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="partners")
    name = models.CharField(_("name"), max_length=200)
    website = models.URLField(_("website"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Speaker(TranslatedFieldsMixin, models.Model):
    """A person on the programme: a speaker, a film maker or a session host."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="speakers")
    slug = models.SlugField(_("web address"))
    name = models.CharField(_("name"), max_length=200)
    affiliation_nl, affiliation_en = _nl_en("affiliation", _("Role and organisation"))
    bio_nl, bio_en = _nl_en("bio", _("Biography"), long=True)

    class Meta:
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["event", "slug"], name="unique_speaker_slug")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(
            "public:speaker.detail", kwargs={"event": self.event.slug, "speaker": self.slug}
        )


class Project(TranslatedFieldsMixin, models.Model):
    """A mixed-housing project: who lives there together, and where."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="projects")
    slug = models.SlugField(_("web address"))
    name = models.CharField(_("name"), max_length=200)
    place = models.CharField(_("place"), max_length=100)
    groups_nl, groups_en = _nl_en("groups", _("Who live there"), required=True)
    description_nl, description_en = _nl_en("description", _("Description"), long=True)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["event", "slug"], name="unique_project_slug")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(
            "public:project.detail", kwargs={"event": self.event.slug, "project": self.slug}
        )


class TimeSlotMixin(models.Model):
    """A part of the event's day; it must start before it ends and fit within the event."""

    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"))

    class Meta:
        abstract = True

    def clean(self):
        errors = {}
        if self.start and self.end and self.end <= self.start:
            errors["end"] = _("The end must be after the start.")
        event = self._slot_event()
        outside = (
            event
            and self.start
            and self.end
            and not errors
            and (self.start < event.start_time or self.end > event.end_time)
        )
        if outside:
            errors["start"] = _("This must fall within the event's hours (%(start)s–%(end)s).") % {
                "start": event.start_time.strftime("%H:%M"),
                "end": event.end_time.strftime("%H:%M"),
            }
        if errors:
            raise ValidationError(errors)

    def _slot_event(self):
        return getattr(self, "event", None) if self.event_id else None


class ItemKind(models.TextChoices):
    PLENARY = "plenary", _("Plenary")
    REFLECTION = "reflection", _("Reflection")
    FILM = "film", _("Short film")
    DISCUSSION = "discussion", _("Discussion")
    LUNCH = "lunch", _("Lunch")
    DRINKS = "drinks", _("Drinks")
    BREAK = "break", _("Break")


class ProgrammeItem(TranslatedFieldsMixin, TimeSlotMixin):
    """A plenary part of the timetable that everyone attends together."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices)
    title_nl, title_en = _nl_en("title", _("Title"), required=True)
    description_nl, description_en = _nl_en("description", _("Description"), long=True)
    room = models.ForeignKey(
        Room, verbose_name=_("room"), null=True, blank=True, on_delete=models.SET_NULL
    )
    speakers = models.ManyToManyField(
        Speaker, verbose_name=_("speakers"), blank=True, related_name="items"
    )
    projects = models.ManyToManyField(
        Project, verbose_name=_("projects"), blank=True, related_name="items"
    )

    class Meta:
        verbose_name = _("programme item")
        verbose_name_plural = _("programme items")
        ordering = ["start", "end", "pk"]

    def __str__(self) -> str:
        return self.title_nl


class Round(TranslatedFieldsMixin, TimeSlotMixin):
    """A time slot in which participants split over parallel sessions."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rounds")
    title_nl, title_en = _nl_en("title", _("Title"), required=True)
    description_nl, description_en = _nl_en("description", _("Description"), long=True)

    class Meta:
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        ordering = ["start", "pk"]

    def __str__(self) -> str:
        return self.title_nl

    def clean(self):
        super().clean()
        if self.pk and self.start and self.end:
            # Sessions without their own times follow the round; the others must still fit.
            outside = (
                Q(start__lt=self.start)
                | Q(start__gte=self.end)
                | Q(end__gt=self.end)
                | Q(end__lte=self.start)
            )
            if self.sessions.filter(outside).exists():
                raise ValidationError(
                    {
                        "start": _(
                            "Sessions of this round have times outside these; change them first."
                        )
                    }
                )


class SessionKind(models.TextChoices):
    LIVING_ROOM = "living_room", _("Living-room conversation")
    WORK_SESSION = "work_session", _("Work session")


class Session(TranslatedFieldsMixin, models.Model):
    """One of the parallel sessions of a round, in a room, for a limited number of people."""

    round = models.ForeignKey(
        Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="sessions"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=SessionKind.choices)
    title_nl, title_en = _nl_en("title", _("Title"), required=True)
    description_nl, description_en = _nl_en("description", _("Description"), long=True)
    room = models.ForeignKey(
        Room, verbose_name=_("room"), null=True, blank=True, on_delete=models.SET_NULL
    )
    capacity = models.PositiveIntegerField(_("capacity"), validators=[MinValueValidator(1)])
    start = models.TimeField(
        _("start"), null=True, blank=True, help_text=_("Empty: the round's start.")
    )
    end = models.TimeField(_("end"), null=True, blank=True, help_text=_("Empty: the round's end."))
    hosts = models.ManyToManyField(
        Speaker, verbose_name=_("hosts"), blank=True, related_name="sessions"
    )
    projects = models.ManyToManyField(
        Project, verbose_name=_("projects"), blank=True, related_name="sessions"
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["round__start", "order", "pk"]

    def __str__(self) -> str:
        return self.title_nl

    @property
    def starts(self) -> dt.time:
        return self.start or self.round.start

    @property
    def ends(self) -> dt.time:
        return self.end or self.round.end

    def clean(self):
        errors = {}
        if not self.round_id:
            return
        start, end = self.starts, self.ends
        if end <= start:
            errors["end"] = _("The end must be after the start.")
        elif start < self.round.start or end > self.round.end:
            errors["start"] = _("A session must fall within its round (%(start)s–%(end)s).") % {
                "start": self.round.start.strftime("%H:%M"),
                "end": self.round.end.strftime("%H:%M"),
            }
        if self.room_id and self.capacity and self.capacity > self.room.capacity:
            errors["capacity"] = _("The room %(room)s holds at most %(count)d people.") % {
                "room": self.room.name,
                "count": self.room.capacity,
            }
        if self.room_id and "end" not in errors and "start" not in errors:
            clash = self.clash(start, end)
            if clash is not None:
                errors["room"] = _(
                    "The room %(room)s already holds “%(session)s” from %(start)s to %(end)s."
                ) % {
                    "room": self.room.name,
                    "session": clash.title_nl,
                    "start": clash.starts.strftime("%H:%M"),
                    "end": clash.ends.strftime("%H:%M"),
                }
        if errors:
            raise ValidationError(errors)

    def clash(self, start: dt.time, end: dt.time) -> "Session | None":
        """Return another session of the event in this room whose time overlaps start–end."""
        others = (
            Session.objects.filter(room_id=self.room_id, round__event_id=self.round.event_id)
            .exclude(pk=self.pk)
            .select_related("round")
        )
        for other in others:
            if other.starts < end and start < other.ends:
                return other
        return None
