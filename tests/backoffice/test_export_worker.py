"""A large export goes to the worker (the real `goedeburen worker --burst`): a progress page
while it waits, the file once the queue is drained, only for the user who asked, and a
friendly "not found" for a wrong or expired one."""

import datetime as dt
import io
import os
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from goedeburen.accounts import exports as export_services
from goedeburen.accounts.models import ExportJob
from goedeburen.events.models import Role
from tests.backoffice.conftest import make_world
from tests.factories import AttendeeFactory, TeamMemberFactory, UserFactory
from tests.mail.conftest import (
    ROOT,
    drain,  # noqa: F401 (fixture)
)

FORMULA = '=HYPERLINK("http://x")'


def _job_url(world, job, name="export.job"):
    return reverse(f"backoffice:{name}", kwargs={"event": world.event.slug, "job": job.pk})


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_large_export_is_made_by_the_worker_with_progress_and_a_download(
    client,
    settings,
    drain,  # noqa: F811 (the imported fixture)
):
    settings.EXPORT_WORKER_ROWS = 3
    world = make_world()
    for n in range(4):
        AttendeeFactory(
            registration=world.registration,
            ticket_type=world.ticket_type,
            given_name=f"Deelnemer {n}",
            organisation=FORMULA,
        )
    client.force_login(world.owner)
    path = reverse(
        "backoffice:attendee.export", kwargs={"event": world.event.slug, "format": "xlsx"}
    )

    started = client.post(path, {"columns": ["given_name", "organisation", "registered"]})

    job = ExportJob.objects.get()
    assert started.status_code == 302 and started.url == _job_url(world, job)
    assert (job.state, job.rows_total, job.requested_by) == ("queued", 5, world.owner)
    waiting = client.get(started.url)
    assert waiting.status_code == 200 and b'<progress id="export-progress" max="5"' in (
        waiting.content
    )
    assert client.get(_job_url(world, job, "export.job_status")).json() == {
        "state": "queued",
        "done": 0,
        "total": 5,
        "percent": 0,
    }

    # The worker writes where this test reads, and imports this checkout's code first.
    drain(
        PROTECTED_ROOT=str(settings.PROTECTED_ROOT),
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    )

    job.refresh_from_db()
    assert (job.state, job.rows_done) == ("done", 5)
    assert str(settings.PROTECTED_ROOT) in job.file.path  # private, no public URL
    ready = client.get(started.url)
    assert _job_url(world, job, "export.job_download").encode() in ready.content
    download = client.get(_job_url(world, job, "export.job_download"))
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    header, *body = list(sheet.iter_rows())
    assert [c.value for c in header] == ["Aangemeld", "Voornaam", "Organisatie"]
    assert len(body) == 5
    assert all(row[0].is_date for row in body)
    evil = [row[2] for row in body if row[2].value == FORMULA]
    assert len(evil) == 4 and all(cell.data_type == "s" for cell in evil)

    # Someone else, even with the same rights, does not find it.
    colleague = UserFactory()
    TeamMemberFactory(organiser=world.organiser, user=colleague, role=Role.OWNER)
    client.force_login(colleague)
    assert client.get(_job_url(world, job, "export.job_download")).status_code == 404


@pytest.mark.django_db
def test_a_small_list_posted_is_downloaded_at_once(owner_client, world, settings):
    settings.EXPORT_WORKER_ROWS = 2000
    path = reverse(
        "backoffice:attendee.export", kwargs={"event": world.event.slug, "format": "csv"}
    )

    response = owner_client.post(path)

    assert response.status_code == 200 and ExportJob.objects.count() == 0


@pytest.mark.django_db
def test_the_chooser_says_a_large_list_is_made_in_the_background(owner_client, world, settings):
    settings.EXPORT_WORKER_ROWS = 0
    path = reverse("backoffice:attendee.export_form", kwargs={"event": world.event.slug})

    page = owner_client.get(path)

    assert page.context["background"] is True
    assert "op de achtergrond" in page.content.decode()


def _job(world, *, hours=1, state="done") -> ExportJob:
    return ExportJob.objects.create(
        event=world.event,
        kind="attendees",
        format="csv",
        requested_by=world.owner,
        state=state,
        expires=timezone.now() + dt.timedelta(hours=hours),
    )


@pytest.mark.django_db
def test_an_unknown_or_expired_export_is_a_friendly_not_found(owner_client, world):
    expired = _job(world, hours=-1)

    for job_id in (uuid.uuid4(), expired.pk):
        url = reverse("backoffice:export.job", kwargs={"event": world.event.slug, "job": job_id})
        response = owner_client.get(url)
        assert response.status_code == 404
        assert "Export niet gevonden" in response.content.decode()


@pytest.mark.django_db
def test_an_export_of_another_event_is_not_found_through_this_one(owner_client, world):
    other = make_world(organiser=world.organiser)
    job = _job(other)
    job.requested_by = world.owner
    job.save()

    url = reverse("backoffice:export.job", kwargs={"event": world.event.slug, "job": job.pk})

    assert owner_client.get(url).status_code == 404


@pytest.mark.django_db
def test_expired_exports_are_deleted_with_their_files(world):
    from django.core.files.base import ContentFile

    old = _job(world, hours=-1)
    old.file.save("x.csv", ContentFile(b"a"), save=True)
    path = old.file.path
    fresh = _job(world)

    assert export_services.delete_expired_exports() == 1

    assert list(ExportJob.objects.all()) == [fresh]
    assert not os.path.exists(path)


@pytest.mark.django_db
def test_a_job_is_made_once_however_often_its_task_runs(world):
    job = _job(world, state="queued")

    assert export_services.claim_export(str(job.pk)) is not None
    assert export_services.claim_export(str(job.pk)) is None
