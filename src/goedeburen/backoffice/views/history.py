"""The audit log as people read it: an event's history and the organiser's, in sentences,
filtered by person, kind of action, kind of object and date, and exported by owners."""

import csv
import io

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from goedeburen.accounts import services as account_services
from goedeburen.backoffice.exports import bad_filters
from goedeburen.backoffice.forms.base import style
from goedeburen.backoffice.permissions import EventPermissionMixin, OrganiserPermissionMixin
from goedeburen.common.logtypes import describe, registry
from goedeburen.common.models import LogEntry
from goedeburen.events.models import Event, TeamMember

PAGE_SIZE = 50
EXPORT_LIMIT = 50_000
# The kinds of action, by the first part of their key; unknown ones show the key.
KINDS = {
    "event": _("Event details and status"),
    "programmeitem": _("Programme"),
    "round": _("Programme"),
    "session": _("Programme"),
    "speaker": _("Programme"),
    "partner": _("Programme"),
    "project": _("Programme"),
    "venue": _("Venues and rooms"),
    "room": _("Venues and rooms"),
    "question": _("Registration questions"),
    "registration": _("Registrations"),
    "attendee": _("Registrations"),
    "waiting_list": _("Registrations"),
    "payment": _("Payments"),
    "refund": _("Payments"),
    "invoice": _("Invoices"),
    "bank_transaction": _("Bank statements"),
    "bank_statement": _("Bank statements"),
    "mail": _("Mail"),
    "mailing": _("Mail"),
    "matching": _("Assignment"),
    "team": _("Team"),
    "login": _("Signing in"),
    "second_factor": _("Signing in"),
    "export": _("Downloads of personal data"),
}


def _kind_choices() -> list[tuple[str, str]]:
    labels: dict[str, set[str]] = {}
    for log_type in registry:
        prefix = log_type.action.partition(".")[0]
        labels.setdefault(str(KINDS.get(prefix, prefix)), set()).add(prefix)
    return [("", _("All"))] + [(",".join(sorted(p)), label) for label, p in sorted(labels.items())]


class HistoryFilterForm(forms.Form):
    person = forms.ChoiceField(label=_("Person"), required=False)
    kind = forms.ChoiceField(label=_("Kind of change"), required=False)
    subject = forms.ChoiceField(label=_("Kind of object"), required=False)
    number = forms.IntegerField(label=_("Object number"), required=False, min_value=1)
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, people, events=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [
            ("", _("Everyone")),
            ("system", _("The system (no person)")),
            *[(str(user.pk), user.get_username()) for user in people],
        ]
        self.fields["kind"].choices = _kind_choices()
        self.fields["subject"].choices = [("", _("All"))] + sorted(
            (
                (str(ct.pk), capfirst(str(ct.model_class()._meta.verbose_name)))
                for ct in ContentType.objects.filter(
                    app_label__in=["events", "registration", "payments", "mail", "matching"]
                )
                if ct.model_class() is not None
            ),
            key=lambda choice: choice[1],
        )
        if events is not None:
            self.fields["event"] = forms.ModelChoiceField(
                label=_("Event"), queryset=events, required=False, empty_label=_("All")
            )
            self.order_fields(["event"])
        for field in self.fields.values():
            style(field)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            raise forms.ValidationError(_("The end of the period is before its start."))
        return cleaned

    def apply(self, entries):
        """Return `entries` narrowed to what the (valid) form asks for."""
        data = self.cleaned_data
        if data.get("person") == "system":
            entries = entries.filter(actor__isnull=True)
        elif data.get("person"):
            entries = entries.filter(actor_id=int(data["person"]))
        if data.get("kind"):
            prefixes = Q()
            for prefix in data["kind"].split(","):
                prefixes |= Q(action__startswith=f"{prefix}.")
            entries = entries.filter(prefixes)
        if data.get("subject"):
            entries = entries.filter(content_type_id=int(data["subject"]))
        if data.get("number"):
            entries = entries.filter(object_id=str(data["number"]))
        if data.get("event"):
            entries = entries.filter(event=data["event"])
        if data.get("start"):
            entries = entries.filter(created__date__gte=data["start"])
        if data.get("end"):
            entries = entries.filter(created__date__lte=data["end"])
        return entries


class _HistoryMixin:
    """The shared part of both history screens and their exports."""

    section = "history"

    def all_entries(self):
        raise NotImplementedError

    def people(self):
        raise NotImplementedError

    def form_events(self):
        return None

    def show_sensitive(self) -> bool:
        return False

    def filtered(self):
        """Return (form, entries): the filter form and the entries it lets through."""
        form = HistoryFilterForm(
            self.request.GET or None, people=self.people(), events=self.form_events()
        )
        entries = self.all_entries().select_related("actor", "content_type")
        if form.is_bound and form.is_valid():
            entries = form.apply(entries)
        elif form.is_bound:
            entries = entries.none()
        return form, entries

    def rows(self, entries) -> list[dict]:
        sensitive = self.show_sensitive()
        return [
            {
                "entry": entry,
                "sentence": describe(entry, show_sensitive=sensitive),
                "subject": _subject_label(entry),
            }
            for entry in entries
        ]


def _subject_label(entry: LogEntry) -> str:
    model = entry.content_type.model_class()
    name = capfirst(str(model._meta.verbose_name)) if model else entry.content_type.model
    return f"{name} {entry.object_id}"


class _HistoryScreen(_HistoryMixin, TemplateView):
    template_name = "backoffice/history/list.html"
    export_url_name = ""

    def get_context_data(self, **kwargs):
        form, entries = self.filtered()
        page = Paginator(entries, PAGE_SIZE).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        kwargs.update(
            base_template="backoffice/event_base.html"
            if hasattr(self, "event")
            else "backoffice/base.html",
            section=self.section,
            form=form,
            page=page,
            rows=self.rows(page.object_list),
            query=query.urlencode(),
            may_export=self.may_export(),
        )
        return super().get_context_data(**kwargs)


class _HistoryExport(_HistoryMixin, View):
    """The entries the filter lets through as CSV (semicolons, UTF-8), logged as a download."""

    screen_url_name = ""

    def get(self, request, *args, **kwargs):
        form, entries = self.filtered()
        if form.is_bound and (error := bad_filters(form)):
            # A file with only its header would not say why: the screen shows the filters.
            messages.error(request, error)
            screen = reverse(f"backoffice:{self.screen_url_name}", kwargs=self.kwargs)
            return redirect(f"{screen}?{request.GET.urlencode()}")
        rows = self.rows(entries[:EXPORT_LIMIT])
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow([_("When"), _("Who"), _("What"), _("Object")])
        for row in rows:
            entry = row["entry"]
            writer.writerow(
                [
                    timezone.localtime(entry.created).isoformat(timespec="seconds"),
                    _cell(entry.actor.get_username() if entry.actor else ""),
                    _cell(row["sentence"]),
                    _cell(row["subject"]),
                ]
            )
        account_services.record_export(
            self.export_subject(), by=request.user, what="history", rows=len(rows)
        )
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.filename()}.csv"'
        return response


def _cell(text: str) -> str:
    # A cell that starts with = + - @ would run as a formula in a spreadsheet.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


class EventHistoryMixin(EventPermissionMixin):
    permission_required = "events.view_history"

    def all_entries(self):
        return LogEntry.objects.filter(event_id=self.event.pk)

    def people(self):
        return (
            get_user_model()
            .objects.filter(
                pk__in=TeamMember.objects.filter(organiser_id=self.event.organiser_id).values(
                    "user"
                )
            )
            .order_by("username")
        )

    def show_sensitive(self) -> bool:
        return self.request.user.has_perm("registration.view_special_category", self.event)

    def may_export(self) -> bool:
        return self.request.user.has_perm("events.export_history", self.event)

    def export_subject(self):
        return self.event

    def filename(self) -> str:
        return f"history-{self.event.slug}"


class EventHistoryView(EventHistoryMixin, _HistoryScreen):
    """Everything that happened to the event and its parts, newest first."""

    export_url_name = "history.event_export"


class EventHistoryExportView(EventHistoryMixin, _HistoryExport):
    permission_required = "events.export_history"
    screen_url_name = "history.event"


class OrganiserHistoryMixin(OrganiserPermissionMixin):
    permission_required = "events.manage_organiser"

    def all_entries(self):
        return LogEntry.objects.filter(organiser_id=self.organiser.pk)

    def people(self):
        return (
            get_user_model()
            .objects.filter(
                pk__in=TeamMember.objects.filter(organiser=self.organiser).values("user")
            )
            .order_by("username")
        )

    def form_events(self):
        return Event.objects.filter(organiser=self.organiser).order_by("-date")

    def show_sensitive(self) -> bool:
        return True  # the organiser's owner is an owner of every event

    def may_export(self) -> bool:
        return True

    def export_subject(self):
        return self.organiser

    def filename(self) -> str:
        return f"history-{self.organiser.slug}"


class OrganiserHistoryView(OrganiserHistoryMixin, _HistoryScreen):
    """Everything that happened at the organiser: every event, the team, signing in."""

    export_url_name = "history.organiser_export"


class OrganiserHistoryExportView(OrganiserHistoryMixin, _HistoryExport):
    screen_url_name = "history.organiser"
