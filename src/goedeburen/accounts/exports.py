"""Use cases of a staff user's exports: named column presets, and the large exports the
worker makes (their progress, their file, and its deletion once it expires).

The list behind an export is the back office's (`backoffice.exports`); this domain keeps
what was asked and the file, and knows nothing of the columns' contents.
"""

import datetime as dt

from django.conf import settings
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from goedeburen.common.audit import log_action
from goedeburen.common.tasks import enqueue_on_commit
from goedeburen.events.models import Event

from .exceptions import AccountError
from .models import ExportJob, ExportPreset, ExportState


def _now() -> dt.datetime:
    return timezone.now()


def _clean_name(name: str) -> str:
    return " ".join((name or "").split())[:100]


def _name_taken(preset_or_none, *, event, kind, name, owner) -> bool:
    found = ExportPreset.objects.filter(event=event, kind=kind, name__iexact=name, owner=owner)
    if preset_or_none is not None:
        found = found.exclude(pk=preset_or_none.pk)
    return found.exists()


def _taken_error(name: str) -> AccountError:
    return AccountError(
        _("A preset named %(name)s exists already for this list: choose another name.")
        % {"name": name},
        code="preset_name_taken",
    )


def save_preset(
    event: Event, *, kind: str, name: str, columns: list[str], shared: bool, by
) -> ExportPreset:
    """Save a named choice of `columns` for the `kind` list of `event`: the team's when
    `shared`, else `by`'s own. A name is unique per list (and owner), whatever its case.

    Side effects: a log entry on the event.
    """
    name = _clean_name(name)
    if not columns:
        raise AccountError(_("Tick at least one column to save."), code="preset_without_columns")
    owner = None if shared else by
    if _name_taken(None, event=event, kind=kind, name=name, owner=owner):
        raise _taken_error(name)
    try:
        with transaction.atomic():
            preset = ExportPreset.objects.create(
                event=event, kind=kind, name=name, columns=list(columns), owner=owner, created_by=by
            )
            log_action(
                event,
                action="export_preset.saved",
                by=by,
                data={"name": name, "list": kind, "shared": shared},
            )
    except IntegrityError:  # saved twice at once: the other one won
        raise _taken_error(name) from None
    return preset


def rename_preset(preset: ExportPreset, *, name: str, by) -> ExportPreset:
    """Give `preset` a new name (unique for its list and owner).

    Side effects: a log entry on the event.
    """
    name = _clean_name(name)
    if _name_taken(preset, event=preset.event, kind=preset.kind, name=name, owner=preset.owner):
        raise _taken_error(name)
    before = preset.name
    with transaction.atomic():
        preset.name = name
        preset.save(update_fields=["name", "changed"])
        log_action(
            preset.event,
            action="export_preset.renamed",
            by=by,
            data={"before": before, "name": name, "list": preset.kind},
        )
    return preset


def delete_preset(preset: ExportPreset, *, by) -> None:
    """Delete `preset` (the exports made with it are not touched).

    Side effects: a log entry on the event.
    """
    with transaction.atomic():
        log_action(
            preset.event,
            action="export_preset.deleted",
            by=by,
            data={"name": preset.name, "list": preset.kind},
        )
        preset.delete()


def start_export(
    event: Event,
    *,
    kind: str,
    fmt: str,
    query: str,
    columns: list[str],
    language: str,
    rows: int,
    by,
    task,
) -> ExportJob:
    """Record a large export of `rows` rows and enqueue `task(job id)` to make its file.

    Files of earlier exports that have expired are deleted first.
    Side effects: the task enqueued on commit; expired exports deleted.
    """
    delete_expired_exports()
    now = _now()
    with transaction.atomic():
        job = ExportJob.objects.create(
            event=event,
            kind=kind,
            format=fmt,
            query=query,
            columns=list(columns),
            language=language,
            requested_by=by,
            rows_total=rows,
            expires=now + dt.timedelta(hours=settings.EXPORT_FILE_HOURS),
        )
        enqueue_on_commit(task, str(job.pk))
    return job


def claim_export(job_id: str) -> ExportJob | None:
    """Mark the waiting export `job_id` as being made and return it; None when it is gone,
    expired, or claimed already (a task run twice makes the file once)."""
    claimed = ExportJob.objects.filter(
        pk=job_id, state=ExportState.QUEUED, expires__gt=_now()
    ).update(state=ExportState.RUNNING)
    if not claimed:
        return None
    return ExportJob.objects.select_related("event", "requested_by").get(pk=job_id)


def export_progress(job: ExportJob, *, rows_done: int) -> None:
    """Record how many rows of `job` are written (for its progress page)."""
    ExportJob.objects.filter(pk=job.pk).update(rows_done=rows_done)


def finish_export(job: ExportJob, *, content: File, filename: str, rows: int) -> None:
    """Store the made file privately (copied from `content`) and mark `job` done."""
    job.file.save(filename, content, save=False)
    job.filename = filename
    job.rows_done = rows
    job.rows_total = max(job.rows_total, rows)
    job.state = ExportState.DONE
    job.finished = _now()
    job.save(update_fields=["file", "filename", "rows_done", "rows_total", "state", "finished"])


def fail_export(job: ExportJob, *, error: str) -> None:
    """Mark `job` failed with a message its progress page shows."""
    ExportJob.objects.filter(pk=job.pk).update(
        state=ExportState.FAILED, error=error[:500], finished=_now()
    )


def record_download(job: ExportJob, *, by) -> None:
    """Log that `by` downloaded the file of `job` (personal data).

    Side effects: a log entry on the event.
    """
    log_action(
        job.event,
        action="export.downloaded",
        by=by,
        data={"what": job.kind, "rows": job.rows_done},
    )


def delete_expired_exports() -> int:
    """Delete the exports whose time is up, with their files; return how many."""
    expired = list(ExportJob.objects.filter(expires__lte=_now()))
    for job in expired:
        if job.file:
            job.file.delete(save=False)
    ExportJob.objects.filter(pk__in=[job.pk for job in expired]).delete()
    return len(expired)
