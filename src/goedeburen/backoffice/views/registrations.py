"""Registrations in the back office: lists, one registration's detail and edit, capacity.

Who sees what is set in `events.rules` (`registration.*`): the attending role, dietary
wishes and accessibility needs are left out of the page, not merely hidden, for roles
without `registration.view_special_category`.
"""

import abc
import functools
from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.generic import ListView, TemplateView

from goedeburen.backoffice import exports
from goedeburen.backoffice.forms.registrations import (
    ATTENDEE_SORTS,
    REGISTRATION_SORTS,
    AttendeeDetailsForm,
    RegistrationDetailsForm,
)
from goedeburen.backoffice.permissions import EventPermissionMixin
from goedeburen.common import snapshot
from goedeburen.common.audit import history
from goedeburen.common.logtypes import describe
from goedeburen.mail import queries as mail_queries
from goedeburen.registration import queries, services
from goedeburen.registration.enums import (
    AttendingRole,
    RegistrationStatus,
    names_only_status,
    names_only_status_choices,
)
from goedeburen.registration.exceptions import RegistrationError
from goedeburen.registration.forms import posted_seen, seen_value
from goedeburen.registration.models import Attendee, TicketType

PAGE_SIZE = 50
PAGE_SIZES = (25, 50, 100, 200)
HISTORY_LENGTH = 200

# The buttons another screen area adds (POST views); shown once their URL exists, with the
# statuses they apply to (None: any).
ACTIONS = [
    ("registration.approve", gettext_lazy("Approve"), {RegistrationStatus.AWAITING_APPROVAL}),
    ("registration.reject", gettext_lazy("Reject"), {RegistrationStatus.AWAITING_APPROVAL}),
    (
        "registration.cancel",
        gettext_lazy("Cancel registration"),
        set(RegistrationStatus) - {RegistrationStatus.CANCELLED},
    ),
    ("registration.resend_link", gettext_lazy("Resend the manage link"), None),
]


class RegistrationScreenMixin(EventPermissionMixin):
    """What every registration screen knows: the menu entry and what the user may see."""

    section = "registration"

    def may(self, permission: str) -> bool:
        return self.request.user.has_perm(permission, self.event)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("section", self.section)
        kwargs.update(
            can_view_registrations=self.may("registration.view_registrations"),
            can_change=self.may("registration.change_registration"),
            show_special_category=self.may("registration.view_special_category"),
            names_only=not self.may("registration.view_registrations"),
        )
        return super().get_context_data(**kwargs)


class KeptCountPaginator(Paginator):
    """Pages whose number of rows is kept while the database snapshot stays the same
    (`common.snapshot`): on a list of 10,000 attendees that count is the page's dearest
    query (~4 ms of database CPU), and it is the same for every page and every colleague."""

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if not isinstance(rows, QuerySet):
            return len(rows)
        key = snapshot.query_key(rows)
        return rows.count() if key is None else snapshot.kept(("count", *key), rows.count)


# The lists' search forms as rendered, by key (`_SearchListView.search_form_html`).
_SEARCH_FORMS: dict[tuple, str] = {}
_SEARCH_FORMS_KEPT = 256


class _SearchListView(RegistrationScreenMixin, ListView, abc.ABC):
    """A paged list with the search form of `RegistrationSearchForm` (GET, no JavaScript)."""

    paginate_by = PAGE_SIZE
    paginator_class = KeptCountPaginator
    sorts: list = []

    def get_queryset(self):
        # The export's search form too (`exports.search_form`): an export has the same rows.
        self.ticket_types = list(TicketType.objects.filter(event=self.event))
        self.form = exports.search_form(
            self.event,
            self.request.user,
            self.request.GET,
            sorts=self.sorts,
            ticket_types=self.ticket_types,
        )
        return self.search(self.form.filters(), self.form.sort_order("-created"))

    @abc.abstractmethod
    def search(self, filters, sort):
        """Return the rows that match `filters`, in `sort` order."""

    def get_paginate_by(self, queryset):
        """The page size the user chose (`?per_page=`), else the default."""
        try:
            chosen = int(self.request.GET.get("per_page", ""))
        except ValueError:
            return PAGE_SIZE
        return chosen if chosen in PAGE_SIZES else PAGE_SIZE

    def paginate_queryset(self, queryset, page_size):
        # A page number past the end shows the last page instead of a 404.
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def search_form_html(self) -> str:
        """Return the search form's HTML, rendered once a process for each key.

        Its selects cost ~2 ms of CPU to render, and the form depends on nothing but the key:
        the query, the page, the language, the ticket types and what the user may filter on.
        A search for words (names, addresses) is rendered each time and never kept.
        """
        render = functools.partial(
            render_to_string,
            "backoffice/registrations/_search_form.html",
            {"form": self.form, "request": self.request},
        )
        query = self.request.GET
        if query.get("q"):
            return render()
        key = (
            type(self).__name__,
            self.request.path,
            query.urlencode(),
            get_language(),
            tuple((t.pk, t.name_nl, t.name_en) for t in self.ticket_types),
            tuple(self.form.fields),
            self.form.names_only,
        )
        html = _SEARCH_FORMS.get(key)
        if html is None:
            html = _SEARCH_FORMS[key] = render()
            if len(_SEARCH_FORMS) > _SEARCH_FORMS_KEPT:
                _SEARCH_FORMS.pop(next(iter(_SEARCH_FORMS)))
        return html

    def get_context_data(self, **kwargs):
        kwargs["form"] = self.form
        kwargs["search_form_html"] = self.search_form_html()
        kwargs["page_sizes"] = PAGE_SIZES
        # A bad filter value filters nothing: say so rather than silently showing everything.
        kwargs["ignored_filters"] = [
            str(self.form.fields[name].label)
            for name in self.form.errors
            if name in self.form.fields
        ]
        context = super().get_context_data(**kwargs)
        page = context.get("page_obj")
        if page is not None:
            context["page_range"] = page.paginator.get_elided_page_range(
                page.number, on_each_side=2, on_ends=1
            )
        return context


class RegistrationListView(_SearchListView):
    """The event's registrations, with a count per status."""

    permission_required = "registration.view_registrations"
    template_name = "backoffice/registrations/registration_list.html"
    sorts = REGISTRATION_SORTS

    def search(self, filters, sort):
        return queries.search_registrations(self.event, filters=filters, sort=sort)

    def get_context_data(self, **kwargs):
        counts = queries.status_counts(self.event)
        kwargs["status_counts"] = [
            (status, status.label, counts[status]) for status in RegistrationStatus
        ]
        kwargs["total"] = sum(counts.values())
        return super().get_context_data(**kwargs)


# What a row of the attendee list shows: loaded, and nothing else (the exports load theirs).
ATTENDEE_ROW_FIELDS = (
    "given_name",
    "family_name",
    "badge_name",
    "email",
    "organisation",
    "role",
    "ticket_type",
    "registration__code",
    "registration__status",
)


@dataclass(frozen=True, kw_only=True)
class AttendeeRow:
    """One row of the attendee list."""

    attendee: Attendee
    ticket: str
    role: str
    status: str
    url: str


class AttendeeListView(_SearchListView):
    """Everyone registered, one row per attendee; check-in staff see names only."""

    permission_required = "registration.view_attendees"
    template_name = "backoffice/registrations/attendee_list.html"
    section = "attendee"
    sorts = ATTENDEE_SORTS

    def search(self, filters, sort):
        found = queries.search_attendees(self.event, filters=filters, sort=sort)
        # The ticket's name comes from the search form's ticket types (`rows`), not a join.
        return found.select_related(None).select_related("registration").only(*ATTENDEE_ROW_FIELDS)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["table_html"] = self.table_html(context)
        return context

    def table_html(self, context) -> str:
        """Return the page's table, kept while the database snapshot stays the same
        (`common.snapshot`) for the same page query, language and permissions: on a quiet
        event every colleague's view of a page costs no reading and no rendering of rows."""
        shown = ("can_view_registrations", "show_special_category", "names_only")
        allowed = {name: context[name] for name in shown}
        page = context["object_list"]

        def render() -> str:
            rows = self.rows(page)
            html = render_to_string(
                "backoffice/registrations/_attendee_table.html", {"rows": rows, **allowed}
            )
            return mark_safe(html)  # noqa: S308 - rendered by the template engine, which escaped it

        rows_key = snapshot.query_key(page)
        if rows_key is None:
            return render()
        key = ("attendee-table", *rows_key, get_language(), get_script_prefix())
        return snapshot.kept((*key, *allowed.values()), render)

    def rows(self, attendees) -> list[AttendeeRow]:
        """Return the page's attendees with what each row shows worked out once a page:
        the labels of their choices (Django's `get_FOO_display` hashes every choice of the
        field on each call), the ticket's name and the link to the registration."""
        statuses = {value: str(label) for value, label in RegistrationStatus.choices}
        if self.form.names_only:
            shown = dict(names_only_status_choices())
            statuses = {value: str(shown[names_only_status(value)]) for value in statuses}
        roles = {value: str(label) for value, label in AttendingRole.choices}
        tickets = {t.pk: str(t) for t in self.ticket_types}
        placeholder = "CODE"
        detail = reverse(
            "backoffice:registration.detail", kwargs={"event": self.event.slug, "code": placeholder}
        ).rsplit(placeholder, 1)
        return [
            AttendeeRow(
                attendee=attendee,
                ticket=tickets.get(attendee.ticket_type_id, ""),
                role=roles.get(attendee.role, attendee.role),
                status=statuses.get(attendee.registration.status, attendee.registration.status),
                url=attendee.registration.code.join(detail),
            )
            for attendee in attendees
        ]


class _LoadRegistration:
    """Load `self.registration` by the URL's code, after the permission checks.

    An unknown code, or one of another event, is a 404 whatever the HTTP method.
    """

    def dispatch(self, request, *args, **kwargs):
        self.registration = queries.event_registration(self.event, kwargs["code"])
        if self.registration is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_registration(self):
        return self.registration


class RegistrationMixin(RegistrationScreenMixin, _LoadRegistration):
    """A screen about the registration whose code is in the URL."""


# The mails shown on a registration's page, newest first; the outbox has them all.
MAILS_SHOWN = 50


class RegistrationDetailView(RegistrationMixin, TemplateView):
    """One registration: booker, billing, status, hold, attendees, history, actions."""

    permission_required = "registration.view_registrations"
    template_name = "backoffice/registrations/registration_detail.html"

    def get_context_data(self, **kwargs):
        registration = self.get_registration()
        show_sensitive = self.may("registration.view_special_category")
        attendees = list(registration.attendees.all())
        queries.prefetch_answers(attendees)
        entries = list(history(registration)[:HISTORY_LENGTH])
        now = timezone.now()
        changeable = (
            self.may("registration.change_registration")
            and registration.status != RegistrationStatus.CANCELLED
        )
        kwargs.update(
            registration=registration,
            attendees=attendees,
            hold_running=bool(registration.hold_until and registration.hold_until > now),
            history=[(entry, describe(entry, show_sensitive=show_sensitive)) for entry in entries],
            actions=self.actions(registration)
            if self.may("registration.change_registration")
            else [],
            # One attendee of several may go on their own (the last one: cancel it all).
            can_cancel_attendees=changeable and len(attendees) > 1,
            can_substitute=changeable,
            mails=list(mail_queries.mails_of(registration)[:MAILS_SHOWN]),
        )
        return super().get_context_data(**kwargs)

    def actions(self, registration) -> list[tuple[str, str]]:
        """Return (label, url) of the actions whose screens exist and fit the status."""
        found = []
        for name, label, statuses in ACTIONS:
            if statuses is not None and registration.status not in statuses:
                continue
            try:
                url = reverse(
                    f"backoffice:{name}",
                    kwargs={"event": self.event.slug, "code": registration.code},
                )
            except NoReverseMatch:
                continue
            found.append((label, url))
        return found


class RegistrationUpdateView(RegistrationMixin, TemplateView):
    """Change the booker's, billing and attendees' details (`services.change_registration`)."""

    permission_required = "registration.change_registration"
    template_name = "backoffice/registrations/registration_form.html"

    def forms(self, registration, data=None):
        show = self.may("registration.view_special_category")
        details = RegistrationDetailsForm(data, registration=registration)
        self.asked = [
            question
            for question in queries.event_questions(self.event)
            if show or not question.special_category
        ]
        rows = list(registration.attendees.all())
        queries.prefetch_answers(rows)
        attendees = [
            AttendeeDetailsForm(
                data, attendee=attendee, show_special_category=show, asked=self.asked
            )
            for attendee in rows
        ]
        return details, attendees

    def get(self, request, *args, **kwargs):
        registration = self.get_registration()
        details, attendees = self.forms(registration)
        return self.render_to_response(
            self.get_context_data(registration=registration, form=details, attendees=attendees)
        )

    def post(self, request, *args, **kwargs):
        registration = self.get_registration()
        details, attendees = self.forms(registration, request.POST)
        valid = details.is_valid()
        valid = all([form.is_valid() for form in attendees]) and valid
        error = None
        if valid:
            try:
                changes = services.change_registration(
                    registration,
                    by=request.user,
                    details=details.changes(),
                    attendees={form.attendee.pk: form.changes() for form in attendees},
                    answers={form.attendee.pk: form.answers() for form in attendees},
                    asked=self.asked,
                    seen=posted_seen(request.POST),
                )
            except RegistrationError as refused:
                error = refused.message
                if refused.code == "changed_meanwhile":
                    # The registration as it is now, to change again.
                    found = queries.event_registration(self.event, registration.code)
                    if found is not None:
                        registration = self.registration = found
                        details, attendees = self.forms(registration)
            else:
                messages.success(
                    request,
                    _("Registration %(code)s saved.") % {"code": registration.code}
                    if changes
                    else _("Nothing was changed."),
                )
                return redirect(
                    "backoffice:registration.detail", event=self.event.slug, code=registration.code
                )
        return self.render_to_response(
            self.get_context_data(
                registration=registration, form=details, attendees=attendees, error=error
            )
        )

    def get_context_data(self, **kwargs):
        kwargs["seen"] = seen_value(kwargs["registration"])
        kwargs["any_errors"] = bool(
            kwargs.get("error")
            or kwargs["form"].errors
            or any(form.errors for form in kwargs["attendees"])
        )
        return super().get_context_data(**kwargs)


class CapacityView(RegistrationScreenMixin, TemplateView):
    """Seats per quota and ticket type: confirmed, held, free and waiting."""

    permission_required = "registration.view_capacity"
    template_name = "backoffice/registrations/capacity.html"
    section = "capacity"

    def get_context_data(self, **kwargs):
        kwargs["capacity"] = queries.capacity(self.event, now=timezone.now())
        return super().get_context_data(**kwargs)
