"""Background work of the back office: a large list export, written by the worker.

The export is the screen's own (`exports.KINDS`: the same search, filters and columns as a
download made at once); this task only runs it out of the request and reports progress.
"""

from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task

from goedeburen.accounts import exports as export_services

from . import exports


@task()
def make_export(job_id: str) -> int:
    """Write the file of the export `job_id` and store it for its requester; return its
    number of rows (0 when the job is gone, expired or made already)."""
    job = export_services.claim_export(job_id)
    if job is None:
        return 0
    spec = exports.KINDS.get(job.kind)
    # The requester's rights now, not when they asked: a role taken away meanwhile ends it.
    if spec is None or not spec.may(job.requested_by, job.event):
        export_services.fail_export(job, error=_("You may no longer export this list."))
        return 0
    try:
        with override(job.language):  # the headers in the language of the screen it came from
            found = spec.search(job.event, job.requested_by, QueryDict(job.query))
            if found.error:
                export_services.fail_export(job, error=found.error)
                return 0
            columns = exports.chosen(spec.columns(job.event, job.requested_by), job.columns)
            content, written = exports.write_file(
                spec,
                found,
                columns=columns,
                fmt=job.format,
                progress=lambda done: export_services.export_progress(job, rows_done=done),
            )
    except Exception:
        # The progress page says so instead of waiting for ever; the worker logs the error.
        export_services.fail_export(job, error=_("The file could not be made. Please try again."))
        raise
    with content:
        export_services.finish_export(
            job, content=content, filename=spec.filename(job.event, job.format), rows=written
        )
    return written
