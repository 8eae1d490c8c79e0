"""The check-in app on staff phones, its JSON endpoints, walk-ins, conflicts and settings.

The app is one page (`checkin/app.html`) that works without JavaScript (type or scan a
code with a scanner that types it and Enter, or search a name; the server decides) and,
with it (`static/goedeburen/checkin.js`), scans with the camera, decides offline from the
downloaded list and queues scans in IndexedDB until the network is back. Both send each
scan with a nonce, so a repeated request is one scan.
"""

import datetime as dt
import json
import secrets

from csp.decorators import csp_update
from django.contrib import messages
from django.core.exceptions import BadRequest
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from goedeburen.accounts import services as account_services
from goedeburen.backoffice import exports
from goedeburen.backoffice.forms.checkin import CheckinSettingsForm, WalkInForm
from goedeburen.backoffice.permissions import EventPermissionMixin
from goedeburen.checkin import decisions, pdf, queries, services
from goedeburen.checkin.enums import Refusal, ScanOutcome
from goedeburen.checkin.exceptions import CheckinError
from goedeburen.common.text import holds_surrogate
from goedeburen.events.models import Session
from goedeburen.matching.models import SessionHost
from goedeburen.registration import queries as registration_queries
from goedeburen.registration import tokens
from goedeburen.registration.enums import RegistrationStatus

from .badges import pdf_response
from .exports import filter_query

DEVICE_KEY = "checkin_device"
MAX_BODY = 512 * 1024  # an offline queue of 1,000 scans is about 200 kB


def _text(value) -> str:
    """Return a nonce or a door name as sent; refuse a NUL byte or a lone surrogate
    (`ValueError`).

    No phone or page of ours sends one, and PostgreSQL cannot store it: a 500 otherwise.
    """
    text = str(value or "")
    if "\x00" in text or holds_surrogate(text):
        raise ValueError("NUL byte or lone surrogate")
    return text


def outcome_texts() -> dict:
    """Return the answers the app shows, with %(name)s, %(at)s and %(by)s to fill in.

    The server's answers and the phone's offline answers come from this one table.
    """
    return {
        ScanOutcome.CHECKED_IN: _("Checked in: %(name)s"),
        ScanOutcome.ALREADY: _("Already checked in at %(at)s by %(by)s."),
        ScanOutcome.CONFLICT: _(
            "Also checked in on another device (at %(at)s by %(by)s); kept once and listed "
            "for the organiser."
        ),
        ScanOutcome.UNDONE: _("Check-in of %(name)s undone."),
        "too_late": str(
            _("This check-in is more than 15 minutes old; an owner of the event can undo it.")
        ),
        "other_device": _(
            "Only the device that checked this person in, or an owner of the event, can undo it."
        ),
        "not_checked_in": _("This person is not checked in (any more)."),
        **{refusal.value: str(refusal.label) for refusal in Refusal},
        "offline": _("Offline: scans are decided on this phone and sent when the network is back."),
        "online": _("Online."),
        "queued": _("%(count)s scans waiting to be sent."),
        "no_photos": _("No photos"),
        "needs": _("Accessibility needs"),
        "none_found": _("Nobody found by that name."),
        "check_in": _("Check in"),
        "undo": _("Undo"),
        "counts": _("%(checked)s of %(expected)s checked in"),
        "camera_failed": _("The camera could not be started; type or search instead."),
        "scan_stop": _("Stop scanning"),
        "scan_start": _("Scan with the camera"),
    }


def describe(result, *, staff_name=queries.staff_name) -> str:
    texts = outcome_texts()
    attendee = result.attendee
    name = attendee.full_name if attendee else ""
    if result.outcome == ScanOutcome.REFUSED:
        return str(texts.get(result.reason, texts[Refusal.UNKNOWN]))
    if result.outcome == ScanOutcome.NOT_UNDONE:
        return str(texts.get(result.reason, texts["not_checked_in"]))
    check_in = result.check_in
    at = timezone.localtime(check_in.at).strftime("%H:%M") if check_in else ""
    by = staff_name(check_in.by) if check_in else ""
    return str(texts[result.outcome]) % {"name": name, "at": at, "by": by or "—"}


class CheckinMixin(EventPermissionMixin):
    """A check-in screen: the device's id, the door or session it works at, what it may do."""

    permission_required = "checkin.check_in_sessions"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and DEVICE_KEY not in request.session:
            # One id per signed-in phone or browser: undo is allowed to the device that
            # checked someone in.
            request.session[DEVICE_KEY] = secrets.token_hex(8)
        return super().dispatch(request, *args, **kwargs)

    def may(self, permission: str) -> bool:
        return self.request.user.has_perm(permission, self.event)

    def allowed_sessions(self):
        sessions = Session.objects.filter(round__event=self.event).select_related("round", "room")
        if not self.may("checkin.check_in_all_sessions"):
            own = SessionHost.objects.filter(user=self.request.user).values("session_id")
            sessions = sessions.filter(pk__in=own)
        return list(sessions.order_by("round__start", "order", "pk"))

    def staff(self, door: str = "") -> services.Staff:
        return services.Staff(
            user=self.request.user,
            device=self.request.session[DEVICE_KEY],
            door=door[:50],
            undo_any=self.may("checkin.undo_any"),
        )

    def where(self, data) -> tuple[Session | None, str]:
        """Return the session (None: the door) and the door name the request works at."""
        session = None
        raw = (data.get("session") or "").strip()
        if raw:
            allowed = {str(s.pk): s for s in self.allowed_sessions()}
            session = allowed.get(raw)
            if session is None:
                raise Http404
        elif not self.may("checkin.check_in"):
            # A host checks people into their sessions only.
            sessions = self.allowed_sessions()
            if not sessions:
                raise Http404
            session = sessions[0]
        return session, " ".join(_text(data.get("door")).split())[:50]


@method_decorator(never_cache, name="dispatch")
@method_decorator(csp_update({"worker-src": ["'self'", "blob:"]}), name="dispatch")
class CheckinAppView(CheckinMixin, TemplateView):
    """The phone app: scan, type or search, see the answer, undo; counts at the top."""

    template_name = "backoffice/checkin/app.html"

    def get(self, request, *args, **kwargs):
        session, door = self.where(request.GET)
        return self.render_to_response(self.get_context_data(session=session, door=door))

    def post(self, request, *args, **kwargs):
        try:
            session, door = self.where(request.POST)
            nonce = _text(request.POST.get("nonce"))[:64] or secrets.token_hex(16)
            undoes = _text(request.POST.get("undoes"))[:64]
        except ValueError as error:
            raise BadRequest("NUL byte in the check-in form") from error
        attendee = request.POST.get("attendee") or ""
        code = request.POST.get("code") or ""
        if not (undoes or attendee or code.strip()):
            # Enter on an empty field (the app without JavaScript): nothing was scanned, so
            # no refused scan is recorded and nobody reads "Unknown code".
            notice = _("Nothing was scanned: scan a ticket or type its code, then press Enter.")
            return self.render_to_response(
                self.get_context_data(session=session, door=door, notice=notice)
            )
        scan = services.ScanInput(
            nonce=nonce,
            undoes=undoes,
            session_id=session.pk if session else None,
            attendee_id=int(attendee) if attendee.isdecimal() else None,
            ticket_hash="" if (undoes or attendee) else services.hash_code(code),
        )
        result = services.record_scan(self.event, scan, staff=self.staff(door))
        return self.render_to_response(
            self.get_context_data(session=session, door=door, result=result)
        )

    def get_context_data(self, *, session, door, result=None, notice="", **kwargs):
        query = (self.request.GET.get("q") or "").strip()[:100]
        found = queries.search_people(self.event, query) if query else []
        person = result.attendee if result else None
        shown = [person] if person else []
        lines = queries.programme_lines(self.event, found + shown)
        stands = queries.active_check_ins(self.event, [a.pk for a in found + shown])
        key = session.pk if session else None
        kwargs.update(
            section="checkin",
            sessions=self.allowed_sessions(),
            session=session,
            door=door,
            may_door=self.may("checkin.check_in"),
            show_needs=self.may("registration.view_special_category"),
            query=query,
            found=[(a, lines.get(a.pk, []), stands.get((a.pk, key)), _refused(a)) for a in found],
            result=result,
            notice=notice,
            result_text=describe(result) if result else "",
            result_lines=lines.get(person.pk, []) if person else [],
            result_ok=bool(
                result and result.outcome in (ScanOutcome.CHECKED_IN, ScanOutcome.UNDONE)
            ),
            can_undo=bool(result and result.outcome == ScanOutcome.CHECKED_IN),
            counts=queries.counts(self.event),
            new_nonce=secrets.token_hex(16),
            texts={k: str(v) for k, v in outcome_texts().items()},
            device=self.request.session[DEVICE_KEY],
            urls={
                "data": reverse("backoffice:checkin.data", kwargs={"event": self.event.slug}),
                "scans": reverse("backoffice:checkin.scans", kwargs={"event": self.event.slug}),
                "badge": reverse(
                    "backoffice:checkin.badge", kwargs={"event": self.event.slug, "attendee": 0}
                ),
            },
        )
        return super().get_context_data(**kwargs)


def _refused(attendee) -> str:
    reason = decisions.refusal_for_attendee(attendee)
    return str(Refusal(reason).label) if reason else ""


@method_decorator(never_cache, name="dispatch")
class CheckinDataView(CheckinMixin, View):
    """The list a phone keeps for deciding offline: ticket hashes and what the screen shows."""

    def get(self, request, *args, **kwargs):
        services.sync_event_tickets(self.event)
        data = queries.offline_list(
            self.event, with_needs=self.may("registration.view_special_category")
        )
        data["device"] = request.session[DEVICE_KEY]
        return JsonResponse(data)


class ScansView(CheckinMixin, View):
    """Take scans as JSON, one (online) or a queue (offline), and answer each."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            if len(request.body) > MAX_BODY:
                raise ValueError("too large")
            body = json.loads(request.body)
            door = _text(body.get("door"))
            offline = bool(body.get("offline"))
            scans = [self._scan(item) for item in body["scans"]][: services.checking.MAX_BATCH]
        # OverflowError: an id of 1e309, which JSON reads as infinity; RecursionError:
        # arrays nested deeper than Python reads.
        except (ValueError, KeyError, TypeError, AttributeError, OverflowError, RecursionError):
            return JsonResponse(
                {"error": str(_("This scan could not be read; scan again."))}, status=400
            )
        wanted = {s.session_id for s in scans if s.session_id is not None}
        allowed = {s.pk for s in self.allowed_sessions()} if wanted else set()
        if not wanted <= allowed or (
            any(s.session_id is None for s in scans) and not self.may("checkin.check_in")
        ):
            return JsonResponse({"error": str(_("You may not check people in there."))}, status=403)
        results = services.record_scans(self.event, scans, staff=self.staff(door), offline=offline)
        people = [r.attendee for r in results if r.attendee is not None]
        lines = queries.programme_lines(self.event, people)
        with_needs = self.may("registration.view_special_category")
        answer = {"results": [self._result(r, lines, with_needs) for r in results]}
        if body.get("counts"):
            # Asked for when a queue is sent or the phone looks for the network; after one
            # scan the phone counts itself, which spares four queries per scan.
            answer["counts"] = queries.counts(self.event).as_json()
        return JsonResponse(answer)

    @staticmethod
    def _scan(item: dict) -> services.ScanInput:
        nonce = _text(item["nonce"])
        if not 8 <= len(nonce) <= 64:
            raise ValueError("nonce")
        at = parse_datetime(str(item["at"])) if item.get("at") else None
        if at is not None and timezone.is_naive(at):
            at = timezone.make_aware(at, dt.UTC)
        ticket = str(item.get("ticket") or "")
        if ticket and (len(ticket) != 64 or not all(c in "0123456789abcdef" for c in ticket)):
            ticket = "0" * 64  # not a hash we gave out: refused as unknown
        attendee = item.get("attendee")
        session = item.get("session")
        return services.ScanInput(
            nonce=nonce,
            at=at,
            ticket_hash=ticket,
            attendee_id=int(attendee) if attendee not in (None, "") else None,
            session_id=int(session) if session not in (None, "") else None,
            undoes=_text(item.get("undoes"))[:64],
        )

    def _result(self, result, lines, with_needs) -> dict:
        attendee = result.attendee
        check_in = result.check_in
        person = None
        if attendee is not None:
            person = {
                "id": attendee.pk,
                "name": attendee.full_name,
                "organisation": attendee.organisation,
                "sessions": lines.get(attendee.pk, []),
                "no_photos": not attendee.photo_consent,
            }
            if with_needs and attendee.accessibility_needs:
                person["needs"] = attendee.accessibility_needs
        return {
            "nonce": result.nonce,
            "outcome": result.outcome,
            "reason": result.reason,
            "message": describe(result),
            "person": person,
            "check_in": {
                "id": check_in.pk,
                "at": check_in.at.isoformat(),
                "by": queries.staff_name(check_in.by),
                "device": check_in.device,
                "session": check_in.session_id,
            }
            if check_in
            else None,
            "replayed": result.replayed,
        }


class ConflictListView(EventPermissionMixin, TemplateView):
    """Scans the owner should look at: double check-ins made offline, offline refusals."""

    permission_required = "checkin.view_conflicts"
    template_name = "backoffice/checkin/conflicts.html"

    def get_context_data(self, **kwargs):
        kwargs.update(section="checkin", scans=list(queries.conflicts(self.event)[:500]))
        return super().get_context_data(**kwargs)


class WalkInView(CheckinMixin, TemplateView):
    """The door's short form for someone who is not registered: register, check in, badge."""

    permission_required = "checkin.check_in"
    template_name = "backoffice/checkin/walk_in.html"

    def form(self, data=None) -> WalkInForm:
        return WalkInForm(
            data,
            event=self.event,
            initial={"form_token": tokens.issue_form_token(event_id=self.event.pk)},
        )

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.form()))

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            door = " ".join(_text(request.POST.get("door")).split())[:50]
        except ValueError as error:
            raise BadRequest("NUL byte in the door") from error
        try:
            attendee = services.register_walk_in(
                self.event,
                walk_in=form.walk_in(),
                form_token=form.cleaned_data["form_token"],
                staff=self.staff(door),
                language=request.LANGUAGE_CODE,
            )
        except CheckinError as error:
            form.add_error(None, error.message)
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(
            request, _("%(name)s is registered and checked in.") % {"name": attendee.full_name}
        )
        return self.render_to_response(self.get_context_data(form=self.form(), done=attendee))

    def get_context_data(self, **kwargs):
        kwargs.setdefault("section", "checkin")
        data = self.request.POST if self.request.method == "POST" else self.request.GET
        kwargs["door"] = " ".join((data.get("door") or "").split())[:50]
        return super().get_context_data(**kwargs)


class CertificatesPdfView(EventPermissionMixin, View):
    """Every certificate issued for the event in one PDF to print (by name), each in its
    registration's language."""

    permission_required = "checkin.change_settings"

    def get(self, request, *args, **kwargs):
        issued = list(
            self.event.certificates.select_related(
                "event__organiser", "attendee__registration"
            ).order_by("name", "pk")
        )
        if not issued:
            messages.error(request, _("No certificates are issued yet."))
            return redirect("backoffice:checkin.settings", event=self.event.slug)
        content = pdf.certificates.render_certificates(issued, own_languages=True)
        account_services.record_export(
            self.event, by=request.user, what="certificates", rows=len(issued)
        )
        return pdf_response(content, f"certificates-{self.event.slug}.pdf")


class CheckinSettingsView(EventPermissionMixin, TemplateView):
    """Badge layout, QR on badges, certificates: the organiser's settings for the day."""

    permission_required = "checkin.change_settings"
    template_name = "backoffice/checkin/settings.html"

    def get(self, request, *args, **kwargs):
        form = CheckinSettingsForm(instance=queries.checkin_settings(self.event))
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        if "issue" in request.POST:
            try:
                count = services.issue_certificates(self.event, by=request.user)
            except CheckinError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request, _("%(count)s new certificates issued.") % {"count": count}
                )
            return redirect("backoffice:checkin.settings", event=self.event.slug)
        form = CheckinSettingsForm(request.POST, instance=queries.checkin_settings(self.event))
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            services.save_settings(self.event, values=form.cleaned_data, by=request.user)
        except CheckinError as error:
            form.add_error(None, error.message)
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, _("Settings saved."))
        return redirect("backoffice:checkin.settings", event=self.event.slug)

    def get_context_data(self, **kwargs):
        kwargs.update(
            section="checkin_settings",
            certificates=self.event.certificates.count(),
            checked_in=len(set(queries.checked_in_attendee_ids(self.event))),
        )
        return super().get_context_data(**kwargs)


class TicketLettersView(EventPermissionMixin, View):
    """The letters with the QR code of every confirmed registration of the registrations
    list as it is filtered now (e.g. the residents), in one PDF to print."""

    permission_required = "registration.view_registrations"
    # A letter costs 1.5-2.6 ms (the demo's 220 in 0.56 s): 500 registrations of a few
    # attendees each stay well within the web server's timeout.
    most_at_once = 500

    def get(self, request, *args, **kwargs):
        query = filter_query(request.GET)
        back = reverse("backoffice:registration.list", kwargs={"event": self.event.slug})
        back = redirect(f"{back}?{query.urlencode()}" if query else back)
        found = exports.KINDS["registrations"].search(self.event, request.user, query)
        if found.error:
            messages.error(request, found.error)
            return back
        confirmed = found.objects.filter(status=RegistrationStatus.CONFIRMED)
        registrations = list(confirmed[: self.most_at_once + 1])
        if len(registrations) > self.most_at_once:
            messages.error(
                request,
                _(
                    "Letters for at most %(count)d registrations at once; filter the list "
                    "further. Nothing was made."
                )
                % {"count": self.most_at_once},
            )
            return back
        content = pdf.tickets.render_letters(self.event, registrations)
        if not content:
            messages.error(
                request,
                _("No confirmed registration in this list: only a confirmed one has tickets."),
            )
            return back
        attendees = sum(len(r.attendees.all()) for r in registrations)
        account_services.record_export(
            self.event, by=request.user, what="ticket_letters", rows=attendees
        )
        return pdf_response(content, f"ticket-letters-{self.event.slug}.pdf")


class TicketLetterView(EventPermissionMixin, View):
    """The printable letter with the QR code, for someone without a smartphone."""

    permission_required = "registration.view_registrations"

    def get(self, request, *args, **kwargs):
        registration = registration_queries.event_registration(self.event, kwargs["code"])
        if registration is None:
            raise Http404
        content = pdf.tickets.render_tickets(registration, letter=True)
        if not content:
            messages.error(request, _("Only a confirmed registration has tickets."))
            return redirect(
                "backoffice:registration.detail", event=self.event.slug, code=registration.code
            )
        return pdf_response(content, f"ticket-letter-{registration.code}.pdf")
