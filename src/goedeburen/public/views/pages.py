"""The event site: pages anyone can read."""

from django.conf import settings
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django.views.generic import TemplateView

from goedeburen.events import queries
from goedeburen.events.calendar import event_calendar, programme_calendar
from goedeburen.events.models import Event, EventStatus
from goedeburen.registration.queries import SOLD_OUT, availability, public_ticket_types

# A version of the event never changes: its calendar file in another language may be kept
# as long as the cache likes (a day, so that old versions leave it).
CALENDAR_CACHE_SECONDS = 24 * 3600


def without_dutch_prefix(request, rest: str):
    """Send `/nl/…` to `/…`: Dutch is the site's language without a prefix (English is
    under `/en/`), and a visitor who guesses or keeps an old `/nl/` address should land on
    the page, not on "We cannot find this page". Slashes and backslashes after the prefix
    are dropped, so the address stays on this site (`/nl//other.example/` is no way out).
    """
    target = "/" + rest.lstrip("/\\")
    if query := request.META.get("QUERY_STRING", ""):
        target += "?" + query
    return HttpResponsePermanentRedirect(target)


class EventPageMixin:
    """Load the published event named in the URL; 404 for drafts and unknown slugs.

    Pages are cached per language and per version of the event (`Event.updated`, which
    every programme change moves on), so a change shows at once and a busy day costs one
    narrow query per page view: the version is read from the database, not from the cache,
    because the cache may be a memory of one process that no change reaches. Pages that
    are not cached whole get the event itself from the cache by that version too
    (`events.queries.cached_public_event`).
    """

    cache_seconds = 600

    def dispatch(self, request, *args, **kwargs):
        key = None
        # A visitor with a message waiting (a flash message) gets the page made for them,
        # and that page is not kept: what one visitor is told is never shown to another.
        personal = _has_messages(request)
        if request.method == "GET" and self.cache_seconds and not personal:
            version = queries.public_event_version(kwargs["event"])
            if version is None:
                raise Http404
            key = f"page:{get_language()}:{request.path}:{version}{self.cache_variant()}"
            content = cache.get(key)
            if content is not None:
                return HttpResponse(content)
        self.event = queries.cached_public_event(kwargs["event"])
        if self.event is None:
            raise Http404
        response = super().dispatch(request, *args, **kwargs)
        if self.cache_seconds:
            # The same address answers differently for a visitor with messages.
            patch_vary_headers(response, ["Cookie"])
        if key is None or response.status_code != 200:
            return response
        response.render()
        if not _is_shareable(request, response):
            return response
        cache.set(key, response.content, self.cache_seconds)
        return response

    def cache_variant(self) -> str:
        """Return what else, besides the event's version, the cached page depends on."""
        return ""

    def get_context_data(self, **kwargs):
        kwargs["event"] = self.event  # the object, not the URL's slug
        return super().get_context_data(**kwargs)


def _has_messages(request) -> bool:
    """Whether messages wait for this visitor (read without marking them as shown)."""
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0


def _is_shareable(request, response) -> bool:
    """Whether a rendered page may be shown to every visitor: it showed no messages, set no
    cookie and did not read the visitor's session."""
    storage = getattr(request, "_messages", None)
    if storage is not None and (storage.used or len(storage)):
        return False
    session = getattr(request, "session", None)
    return not response.cookies and not (session is not None and session.accessed)


class IndexView(TemplateView):
    """List the published events; go straight to the event when there is only one."""

    template_name = "public/index.html"

    def get(self, request, *args, **kwargs):
        events = list(Event.objects.public().select_related("venue").order_by("date"))
        if len(events) == 1:
            return redirect(events[0])
        return self.render_to_response(self.get_context_data(events=events))


class EventHomeView(EventPageMixin, TemplateView):
    """The event's front page, with its tickets and whether places are left (up front,
    before anyone fills in the form): the page is cached per state of the seat counters."""

    template_name = "public/event_home.html"

    def cache_variant(self) -> str:
        self.availability = availability(slug=self.kwargs["event"])
        return ":" + ",".join(f"{pk}{state}" for pk, state in sorted(self.availability.items()))

    def get_context_data(self, **kwargs):
        registration_open = self.event.status == EventStatus.REGISTRATION_OPEN
        ticket_types = list(public_ticket_types(self.event)) if registration_open else []
        places = getattr(self, "availability", None)
        if places is None:
            places = availability(event_id=self.event.pk)
        for ticket in ticket_types:
            ticket.availability = places.get(ticket.pk, SOLD_OUT)
        return super().get_context_data(
            partners=self.event.partners.all(),
            registration_open=registration_open,
            ticket_types=ticket_types,
            sold_out=bool(ticket_types) and all(t.availability == SOLD_OUT for t in ticket_types),
            **kwargs,
        )


class ProgrammeView(EventPageMixin, TemplateView):
    template_name = "public/programme.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(timetable=queries.timetable(self.event), **kwargs)


class SpeakerListView(EventPageMixin, TemplateView):
    template_name = "public/speaker_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(speakers=queries.speakers(self.event), **kwargs)


class SpeakerDetailView(EventPageMixin, TemplateView):
    template_name = "public/speaker_detail.html"

    def get_context_data(self, **kwargs):
        try:
            speaker = queries.speaker(self.event, self.kwargs["speaker"])
        except self.event.speakers.model.DoesNotExist as missing:
            raise Http404 from missing
        kwargs["speaker"] = speaker
        return super().get_context_data(**kwargs)


class ProjectListView(EventPageMixin, TemplateView):
    template_name = "public/project_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(projects=queries.projects(self.event), **kwargs)


class ProjectDetailView(EventPageMixin, TemplateView):
    template_name = "public/project_detail.html"

    def get_context_data(self, **kwargs):
        try:
            project = queries.project(self.event, self.kwargs["project"])
        except self.event.projects.model.DoesNotExist as missing:
            raise Http404 from missing
        kwargs["project"] = project
        return super().get_context_data(**kwargs)


class PracticalView(EventPageMixin, TemplateView):
    template_name = "public/practical.html"

    def get_context_data(self, **kwargs):
        venue = self.event.venue
        rooms = venue.rooms.all() if venue else []
        return super().get_context_data(venue=venue, rooms=rooms, **kwargs)


class AccessibilityStatementView(TemplateView):
    template_name = "public/accessibility.html"


class CalendarFileView(EventPageMixin, TemplateView):
    """Serve the programme's calendar file in the reader's language.

    In the site's language it is the file the worker rendered (`events.tasks.render_calendar`);
    in another it is rendered here once per version of the event and language, and kept in
    the shared cache. Either exists only once the worker has rendered the file.
    """

    cache_seconds = 0

    def get(self, request, *args, **kwargs):
        event = self.event
        if not event.calendar_file:
            raise Http404
        language = get_language()
        if language == settings.LANGUAGE_CODE:
            return FileResponse(
                event.calendar_file.open("rb"),
                content_type="text/calendar; charset=utf-8",
                as_attachment=True,
                filename=f"{event.slug}.ics",
            )
        key = f"events:calendar:{event.pk}:{event.updated.isoformat()}:{language}"
        content = cache.get(key)
        if content is None:
            content = programme_calendar(event)
            cache.set(key, content, CALENDAR_CACHE_SECONDS)
        response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{event.slug}-{language}.ics"'
        return response


class EventOnlyCalendarView(EventPageMixin, TemplateView):
    """The event alone as a calendar file, in the reader's language: what "add to your
    calendar" adds (the programme's file has every part, parallel sessions too)."""

    cache_seconds = 0

    def get(self, request, *args, **kwargs):
        response = HttpResponse(
            event_calendar(self.event), content_type="text/calendar; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{self.event.slug}.ics"'
        return response
