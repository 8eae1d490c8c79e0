"""Exports of the back office's lists: choose columns (and presets of them), download as
CSV or XLSX with the list's filters, and follow a large export the worker makes.

Each list's export is one entry of `exports.KINDS`; `for_kind` makes its views, which declare
the list screen's permission (tests/backoffice/test_access.py holds them to it). A download
by GET is made at once (links, scripts, the benchmark); the column chooser sends a list
longer than `EXPORT_WORKER_ROWS` by POST to the worker, and its progress page follows it.
The presets and the worker's files are the user's or their team's own things, reached by id:
their views check the list's permission themselves and answer "not found" to anyone else.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from goedeburen.accounts import exports as export_services
from goedeburen.accounts import services as account_services
from goedeburen.accounts.exceptions import AccountError
from goedeburen.accounts.models import ExportJob, ExportPreset, ExportState
from goedeburen.backoffice import exports, tasks
from goedeburen.backoffice.forms.exports import PresetForm, RenamePresetForm
from goedeburen.backoffice.permissions import EventPermissionMixin
from goedeburen.backoffice.views.base import SentOnceMixin
from goedeburen.backoffice.views.confirm import ConfirmFirstMixin
from goedeburen.common import sent_once
from goedeburen.common.files import protected_response
from goedeburen.events.models import Event

# Parameters of the export itself, not filters of the list.
NOT_FILTERS = {
    "columns",
    "page",
    "per_page",
    "preset",
    "csrfmiddlewaretoken",
    "name",
    "shared",
    sent_once.FIELD,
}


def filter_query(params: QueryDict) -> QueryDict:
    """Return the list filters among `params` (what the list screen's URL query holds)."""
    query = QueryDict(mutable=True)
    for name, values in params.lists():
        if name not in NOT_FILTERS:
            query.setlist(name, values)
    return query


def visible_presets(event: Event, user, kind: str):
    """Return the presets of `kind` for `event` that `user` sees: the team's and their own."""
    return ExportPreset.objects.filter(event=event, kind=kind).filter(
        Q(owner__isnull=True) | Q(owner=user)
    )


class ExportMixin(EventPermissionMixin):
    """One list's export: `kind` is a key of `exports.KINDS`."""

    kind = ""

    @classmethod
    def for_kind(cls, kind: str) -> type:
        """Return this view for the list `kind`, declaring its screen's permission."""
        spec = exports.KINDS[kind]
        return type(
            f"{spec.name.title().replace('_', '')}{cls.__name__}",
            (cls,),
            {
                "kind": kind,
                "permission_required": spec.permission,
                "permission_object": "organiser" if spec.organiser_level else "event",
                "__doc__": cls.__doc__,
            },
        )

    def dispatch(self, request, *args, **kwargs):
        self.spec = exports.KINDS[self.kind]
        return super().dispatch(request, *args, **kwargs)

    def params(self) -> QueryDict:
        return self.request.POST if self.request.method == "POST" else self.request.GET

    def list_url(self, query: QueryDict) -> str:
        url = reverse(f"backoffice:{self.spec.list_url}", kwargs={"event": self.event.slug})
        return f"{url}?{query.urlencode()}" if query else url

    def form_url(self, query: QueryDict) -> str:
        url = reverse(f"backoffice:{self.spec.name}.export_form", kwargs={"event": self.event.slug})
        return f"{url}?{query.urlencode()}" if query else url


class ExportDownloadView(ExportMixin, View):
    """The list as CSV or XLSX (the invoices also as a ZIP of their files) with its filters
    (`?columns=` chooses, none: all): a GET is made at once; a POST of a list longer than
    its format's `worker_rows` goes to the worker."""

    def get(self, request, *args, **kwargs):
        return self.export(kwargs["format"], background=False)

    def post(self, request, *args, **kwargs):
        return self.export(kwargs["format"], background=True)

    def export(self, fmt: str, *, background: bool):
        if fmt not in self.spec.formats:
            raise Http404
        params = self.params()
        query = filter_query(params)
        found = self.spec.search(self.event, self.request.user, query)
        if found.error:
            # A bad filter would export everything: say so and export nothing.
            messages.error(self.request, found.error)
            return redirect(self.list_url(query))
        keys = params.getlist("columns")
        count = found.count()
        if background and count > self.spec.worker_rows(fmt):
            job = export_services.start_export(
                self.event,
                kind=self.kind,
                fmt=fmt,
                query=query.urlencode(),
                columns=keys,
                language=translation.get_language() or settings.LANGUAGE_CODE,
                rows=count,
                by=self.request.user,
                task=tasks.make_export,
            )
            return redirect("backoffice:export.job", event=self.event.slug, job=job.pk)
        columns = exports.chosen(self.spec.columns(self.event, self.request.user), keys)
        content, written = exports.write(self.spec, found, columns=columns, fmt=fmt)
        account_services.record_export(
            self.event.organiser if self.spec.organiser_level else self.event,
            by=self.request.user,
            what=self.kind,
            rows=written,
        )
        response = HttpResponse(content, content_type=exports.CONTENT_TYPES[fmt])
        filename = self.spec.filename(self.event, fmt)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store"
        return response


class ExportFormView(SentOnceMixin, ExportMixin, TemplateView):
    """Choose the columns of a list's export (or a preset), then download it; save the
    ticked columns as a named preset (POST: sent twice, one preset)."""

    template_name = "backoffice/exports/form.html"

    def get_context_data(self, **kwargs):
        params = self.request.GET
        query = filter_query(params)
        user = self.request.user
        columns = self.spec.columns(self.event, user)
        presets = list(visible_presets(self.event, user, self.kind))
        preset = None
        if params.get("preset", "").isdecimal():
            preset = next((p for p in presets if p.pk == int(params["preset"])), None)
        keys = kwargs.pop("ticked", None)
        if keys is None:
            keys = preset.columns if preset else params.getlist("columns")
        ticked = {c.key for c in exports.chosen(columns, keys)}
        found = self.spec.search(self.event, user, query)
        count = 0 if found.error else found.count()
        kwargs.setdefault("preset_form", PresetForm())
        kwargs.update(
            section=self.section(),
            spec=self.spec,
            columns=[(c, c.key in ticked) for c in columns],
            presets=presets,
            preset=preset,
            rename_form=RenamePresetForm(initial={"name": preset.name}) if preset else None,
            filters=list(query.lists()),
            filtered=bool(query),
            error=found.error,
            count=count,
            background=count > settings.EXPORT_WORKER_ROWS,
            threshold=settings.EXPORT_WORKER_ROWS,
            list_url=self.list_url(query),
            csv_url=reverse(
                f"backoffice:{self.spec.name}.export",
                kwargs={"event": self.event.slug, "format": "csv"},
            ),
            xlsx_url=reverse(
                f"backoffice:{self.spec.name}.export",
                kwargs={"event": self.event.slug, "format": "xlsx"},
            ),
            # The invoices: also one ZIP of their PDFs and e-invoices.
            zip_url=reverse(
                f"backoffice:{self.spec.name}.export",
                kwargs={"event": self.event.slug, "format": exports.ARCHIVE},
            )
            if exports.ARCHIVE in self.spec.formats
            else "",
            zip_background=count > self.spec.worker_rows(exports.ARCHIVE),
            zip_threshold=self.spec.worker_rows(exports.ARCHIVE),
        )
        return super().get_context_data(**kwargs)

    def section(self) -> str:
        return {
            "registrations": "registration",
            "attendees": "attendee",
            "invoices": "invoices",
            "bank_lines": "bank",
            "session_lists": "lists",
        }.get(self.kind, self.kind)

    def post(self, request, *args, **kwargs):
        earlier = self.sent_before()
        if earlier is not None:
            return earlier
        form = PresetForm(request.POST)
        keys = [c.key for c in exports.chosen(self.spec.columns(self.event, request.user), [])]
        wanted = [key for key in request.POST.getlist("columns") if key in keys]
        if form.is_valid():
            saved = []

            def save() -> str:
                preset = export_services.save_preset(
                    self.event,
                    kind=self.kind,
                    name=form.cleaned_data["name"],
                    columns=wanted,
                    shared=form.cleaned_data["shared"],
                    by=request.user,
                )
                saved.append(preset)
                query = filter_query(request.POST)
                query["preset"] = str(preset.pk)
                return self.form_url(query)

            try:
                address, _before = self.make(save)
            except AccountError as refused:
                form.add_error("name", refused.message)
            else:
                if saved:
                    messages.success(request, _("Preset %(name)s saved.") % {"name": saved[0].name})
                return redirect(address)
        return self.render_to_response(self.get_context_data(preset_form=form, ticked=wanted))

    def fallback_address(self) -> str:
        return self.form_url(filter_query(self.request.POST))


class _OwnThingMixin(LoginRequiredMixin):
    """A user's (or their team's) export thing under an event's address: whoever may not
    have it gets "not found", whatever it is."""

    permission_required = None  # checked per object: the list's permission, see `allowed`
    permission_object = "user"

    def load_event(self) -> Event:
        event = get_object_or_404(
            Event.objects.select_related("organiser"), slug=self.kwargs["event"]
        )
        if not self.request.user.has_perm("events.view_event", event):
            raise Http404
        self.event = event
        return event

    def spec_for(self, kind: str) -> exports.ListExport:
        spec = exports.KINDS.get(kind)
        if spec is None or not spec.may(self.request.user, self.event):
            raise Http404
        return spec

    def get_context_data(self, **kwargs):
        kwargs["event"] = self.event
        return super().get_context_data(**kwargs)


class _PresetMixin(_OwnThingMixin):
    def preset(self) -> ExportPreset:
        if not hasattr(self, "_preset"):
            event = self.load_event()
            found = (
                ExportPreset.objects.filter(event=event, pk=self.kwargs["pk"])
                .filter(Q(owner__isnull=True) | Q(owner=self.request.user))
                .first()
            )
            if found is None:
                raise Http404
            self.spec = self.spec_for(found.kind)
            self._preset = found
        return self._preset

    def back(self, preset_id=None):
        url = reverse(f"backoffice:{self.spec.name}.export_form", kwargs={"event": self.event.slug})
        return redirect(f"{url}?preset={preset_id}" if preset_id else url)


class ExportPresetView(_PresetMixin, View):
    """Rename a preset (the team's, or one's own)."""

    def get(self, request, *args, **kwargs):
        return self.back(self.preset().pk)

    def post(self, request, *args, **kwargs):
        preset = self.preset()
        form = RenamePresetForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give the preset a name."))
            return self.back(preset.pk)
        try:
            export_services.rename_preset(preset, name=form.cleaned_data["name"], by=request.user)
        except AccountError as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("Preset renamed to %(name)s.") % {"name": preset.name})
        return self.back(preset.pk)


class ExportPresetDeleteView(_PresetMixin, ConfirmFirstMixin, View):
    """Delete a preset, after a confirmation (a shared one is gone for the whole team)."""

    confirm_title = gettext_lazy("Delete this preset?")
    confirm_button = gettext_lazy("Delete the preset")

    def confirmation_text(self, request) -> str:
        preset = self.preset()
        if preset.shared:
            return _(
                "Preset %(name)s is the team's: nobody can use it any more. Files made "
                "with it stay as they are."
            ) % {"name": preset.name}
        return _("Preset %(name)s is deleted. Files made with it stay as they are.") % {
            "name": preset.name
        }

    def check_target(self) -> None:
        self.preset()

    def get(self, request, *args, **kwargs):
        return self.back(self.preset().pk)

    def post(self, request, *args, **kwargs):
        preset = self.preset()
        export_services.delete_preset(preset, by=request.user)
        messages.success(request, _("Preset %(name)s deleted.") % {"name": preset.name})
        return self.back()


class _JobMixin(_OwnThingMixin):
    def job(self) -> ExportJob:
        """Return the export in the URL: asked for by this user, for this event, not
        expired (and the user may still export its list); else a friendly "not found"."""
        event = self.load_event()
        job = (
            ExportJob.objects.filter(
                pk=self.kwargs["job"], event=event, requested_by=self.request.user
            )
            .exclude(expires__lte=timezone.now())
            .first()
        )
        if job is None:
            raise _Gone
        self.spec = self.spec_for(job.kind)
        return job

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        try:
            # Looked up whatever the method, so that another's export is "not found" first.
            self.current = self.job()
            return super().dispatch(request, *args, **kwargs)
        except _Gone:
            return TemplateResponse(
                request,
                "backoffice/exports/gone.html",
                {"event": self.event, "hours": settings.EXPORT_FILE_HOURS},
                status=404,
            )


class _Gone(Exception):
    """The export asked for is not (or no longer) there for this user."""


class ExportJobView(_JobMixin, TemplateView):
    """A large export's progress (rows done of the total) and, once made, its download."""

    template_name = "backoffice/exports/job.html"

    def get_context_data(self, **kwargs):
        job = self.current
        kwargs.update(
            job=job,
            spec=self.spec,
            done=job.state == ExportState.DONE,
            failed=job.state == ExportState.FAILED,
            section="",
        )
        return super().get_context_data(**kwargs)


class ExportJobStatusView(_JobMixin, View):
    """The progress as JSON, for the progress page's script (the page works without it)."""

    def get(self, request, *args, **kwargs):
        job = self.current
        return JsonResponse(
            {
                "state": job.state,
                "done": job.rows_done,
                "total": job.rows_total,
                "percent": job.percent,
            },
            headers={"Cache-Control": "no-store"},
        )


class ExportJobDownloadView(_JobMixin, View):
    """The file of a made export, for the user who asked for it."""

    def get(self, request, *args, **kwargs):
        job = self.current
        if job.state != ExportState.DONE or not job.file:
            return redirect("backoffice:export.job", event=self.event.slug, job=job.pk)
        if not job.file.storage.exists(job.file.name):
            raise _Gone  # deleted from the disk (a cleaned-up server): not a server error
        export_services.record_download(job, by=request.user)
        response = protected_response(
            job.file, filename=job.filename, content_type=exports.CONTENT_TYPES[job.format]
        )
        response["Cache-Control"] = "no-store"
        return response
