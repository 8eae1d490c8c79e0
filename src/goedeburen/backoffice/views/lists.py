"""The day's lists: the door list, each session's list for its host, the caterer's counts
and the attendee list for participants; on screen and as PDF, CSV and XLSX.

Each list obeys consent and role (`checkin.queries`): the caterer role sees only its own
list, a host only their sessions' lists.
"""

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from goedeburen.backoffice.permissions import EventPermissionMixin
from goedeburen.checkin import exports, queries
from goedeburen.checkin.pdf import lists as pdf_lists
from goedeburen.events.models import Session
from goedeburen.matching.models import SessionHost

FORMATS = ("pdf", "csv", "xlsx")


def table_response(*, event, name: str, title: str, headers, rows, fmt: str, tick=False):
    """Return `rows` as a download in `fmt` (pdf, csv or xlsx)."""
    if fmt == "pdf":
        content = pdf_lists.render_list(
            title=title, event=event, rows=rows, headers=headers, tick=tick
        )
        content_type = "application/pdf"
    elif fmt == "csv":
        content, content_type = exports.as_csv(headers, rows), exports.CSV_TYPE
    elif fmt == "xlsx":
        content, content_type = exports.as_xlsx(headers, rows, sheet=title), exports.XLSX_TYPE
    else:
        raise Http404
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}-{event.slug}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


class ListsView(EventPermissionMixin, TemplateView):
    """The door list on screen, with the links to every list the user may have."""

    permission_required = "checkin.view_lists"
    template_name = "backoffice/checkin/lists.html"

    def get_context_data(self, **kwargs):
        kwargs.update(
            section="day_lists",
            rows=queries.door_list(self.event),
            sessions=list(
                Session.objects.filter(round__event=self.event)
                .select_related("round", "room")
                .order_by("round__start", "order", "pk")
            ),
            formats=FORMATS,
        )
        return super().get_context_data(**kwargs)


class DoorListExportView(EventPermissionMixin, View):
    permission_required = "checkin.view_lists"

    def get(self, request, *args, **kwargs):
        rows = [(r.name, r.organisation) for r in queries.door_list(self.event)]
        return table_response(
            event=self.event,
            name="door-list",
            title=_("Door list"),
            headers=[_("Name"), _("Organisation")],
            rows=rows,
            fmt=kwargs["format"],
            tick=True,
        )


class ParticipantListExportView(EventPermissionMixin, View):
    """The attendee list for participants: only those who opted in."""

    permission_required = "checkin.view_lists"

    def get(self, request, *args, **kwargs):
        rows = [(r.name, r.organisation) for r in queries.participant_list(self.event)]
        return table_response(
            event=self.event,
            name="attendees",
            title=_("Who is coming"),
            headers=[_("Name"), _("Organisation")],
            rows=rows,
            fmt=kwargs["format"],
        )


class SessionListMixin(EventPermissionMixin):
    """A session's list: the organisers and door staff see every session, a host their own."""

    permission_required = "checkin.check_in_sessions"

    def session(self) -> Session:
        sessions = Session.objects.filter(round__event=self.event).select_related("round", "room")
        if not self.request.user.has_perm("checkin.check_in_all_sessions", self.event):
            own = SessionHost.objects.filter(user=self.request.user).values("session_id")
            sessions = sessions.filter(pk__in=own)
        session = sessions.filter(pk=self.kwargs["session"]).first()
        if session is None:
            raise Http404
        return session


class SessionListView(SessionListMixin, TemplateView):
    template_name = "backoffice/checkin/session_list.html"

    def get_context_data(self, **kwargs):
        session = self.session()
        [(session, rows)] = queries.session_lists(self.event, sessions=[session])
        kwargs.update(section="day_lists", session=session, rows=rows, formats=FORMATS)
        return super().get_context_data(**kwargs)


class SessionListExportView(SessionListMixin, View):
    def get(self, request, *args, **kwargs):
        session = self.session()
        [(session, rows)] = queries.session_lists(self.event, sessions=[session])
        return table_response(
            event=self.event,
            name=f"session-{session.pk}",
            title=f"{session.starts:%H:%M} {session.t.title}",
            headers=[_("Name"), _("Organisation")],
            rows=[(r.name, r.organisation) for r in rows],
            fmt=kwargs["format"],
            tick=True,
        )


class CatererListView(EventPermissionMixin, TemplateView):
    """Counts of dietary wishes; names only of those who said the caterer may see them."""

    permission_required = "checkin.view_caterer_list"
    template_name = "backoffice/checkin/caterer.html"

    def get_context_data(self, **kwargs):
        kwargs.update(section="caterer", caterer=queries.caterer_list(self.event), formats=FORMATS)
        return super().get_context_data(**kwargs)


class CatererListExportView(EventPermissionMixin, View):
    permission_required = "checkin.view_caterer_list"

    def get(self, request, *args, **kwargs):
        caterer = queries.caterer_list(self.event)
        rows = [(wish, str(count)) for wish, count in caterer.wishes]
        rows.append((_("No dietary wishes"), str(caterer.without_wishes)))
        rows.append((_("Expected in total"), str(caterer.expected)))
        rows += [(f"{name}: {wish}", "1") for name, wish in caterer.names]
        return table_response(
            event=self.event,
            name="catering",
            title=_("Catering"),
            headers=[_("Dietary wish"), _("Number")],
            rows=rows,
            fmt=kwargs["format"],
        )
