"""The invoices of a period as one ZIP for the bookkeeping: each invoice and credit note as
PDF (as its own download names it), its e-invoice where it has one, and the list as CSV
with the ticked columns; by the worker from `EXPORT_WORKER_FILES` invoices on."""

import csv
import io
import os
import tracemalloc
import zipfile

import pdfplumber
import pytest
from django.http import QueryDict
from django.urls import reverse

from goedeburen.accounts.models import ExportJob
from goedeburen.backoffice import exports
from goedeburen.events.models import Role
from goedeburen.payments import services
from goedeburen.payments.models import Invoice
from tests.backoffice.conftest import _invoice, make_world
from tests.factories import TeamMemberFactory, UserFactory
from tests.mail.conftest import (
    ROOT,
    drain,  # noqa: F401 (fixture)
)


def _path(world, fmt="zip", name="invoice.export") -> str:
    return reverse(f"backoffice:{name}", kwargs={"event": world.event.slug, "format": fmt})


def _archive(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def _text(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return "\n".join(page.extract_text() or "" for page in document.pages)


def _download(client, url) -> tuple[str, bytes]:
    response = client.get(url)
    assert response.status_code == 200
    name = response["Content-Disposition"].split('filename="')[1].rstrip('"')
    return name, response.content


@pytest.mark.django_db
def test_the_zip_holds_every_pdf_and_e_invoice_and_the_list(owner_client, world):
    invoice = _invoice(world)  # a buyer with a KvK number: with an e-invoice
    credit, fresh = services.reissue_invoice(invoice, reason="Ander adres")

    answer = owner_client.get(_path(world), {"columns": ["number", "kind", "total"]})

    assert answer.status_code == 200 and answer["Content-Type"] == "application/zip"
    assert (
        answer["Content-Disposition"] == f'attachment; filename="invoices-{world.event.slug}.zip"'
    )
    files = _archive(answer.content)
    for one in (invoice, credit, fresh):
        pdf_name, _pdf = _download(owner_client, _path_of(world, one, "invoice.pdf"))
        ubl_name, ubl = _download(owner_client, _path_of(world, one, "invoice.ubl"))
        assert one.number in _text(files[pdf_name])
        assert files[ubl_name] == ubl
    table = list(csv.reader(io.StringIO(files["invoices.csv"].decode("utf-8-sig")), delimiter=";"))
    assert table[0] == ["Factuurnummer", "Soort", "Totaal incl. btw"]
    assert sorted(row[0] for row in table[1:]) == sorted(i.number for i in (invoice, credit, fresh))
    assert len(files) == 3 * 2 + 1


def _peak_bytes(make) -> tuple[int, bytes]:
    """Return the most memory Python held while `make()` ran (beyond what it held before),
    and the ZIP it made."""
    tracemalloc.start()
    try:
        made, _written = make()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    with made:
        return peak, made.read()


@pytest.mark.django_db
def test_a_big_zip_is_made_in_a_temporary_file_not_in_memory(world, monkeypatch):
    invoice = _invoice(world)
    for _ in range(10):
        _credit, invoice = services.reissue_invoice(invoice, reason="Ander adres")
    spec = exports.KINDS["invoices"]
    found = spec.search(world.event, world.owner, QueryDict())
    columns = exports.chosen(spec.columns(world.event, world.owner), [])

    def make():
        return exports.write_file(spec, found, columns=columns, fmt=exports.ARCHIVE)

    make()[0].close()  # fonts and templates loaded once, before anything is measured
    monkeypatch.setattr(exports, "ARCHIVE_IN_MEMORY", 64 * 1024)
    on_disk, spooled = _peak_bytes(make)
    # Negative control: kept in memory whole, as before.
    monkeypatch.setattr(exports, "ARCHIVE_IN_MEMORY", 1024 * 1024 * 1024)
    in_memory, kept = _peak_bytes(make)

    assert len(_archive(spooled)) == len(_archive(kept)) == 21 * 2 + 1
    assert len(spooled) > 500_000
    assert in_memory - on_disk > len(spooled) / 2


def _path_of(world, invoice: Invoice, name: str) -> str:
    return reverse(f"backoffice:{name}", kwargs={"event": world.event.slug, "pk": invoice.pk})


@pytest.mark.django_db
def test_an_invoice_without_e_invoice_is_its_pdf_only(owner_client, world):
    invoice = _invoice(world, org_id="")

    files = _archive(owner_client.get(_path(world)).content)

    assert not invoice.has_einvoice
    assert sorted(files) == sorted(
        [_download(owner_client, _path_of(world, invoice, "invoice.pdf"))[0], "invoices.csv"]
    )


@pytest.mark.django_db
def test_the_zip_keeps_the_period_of_the_list(owner_client, world):
    invoice = _invoice(world)
    day = invoice.issue_date.isoformat()
    later = invoice.issue_date.replace(year=invoice.issue_date.year + 1).isoformat()

    inside = _archive(owner_client.get(_path(world), {"start": day, "end": day}).content)
    outside = _archive(owner_client.get(_path(world), {"start": later}).content)

    assert len(inside) == 3 and list(outside) == ["invoices.csv"]


@pytest.mark.django_db
def test_only_the_invoices_export_as_a_zip(owner_client, world):
    for name in ("registration.export", "attendee.export", "payment.export", "bank.export"):
        assert owner_client.get(_path(world, name=name)).status_code == 404, name
    form = owner_client.get(reverse("backoffice:invoice.export_form", args=[world.event.slug]))
    other = owner_client.get(reverse("backoffice:payment.export_form", args=[world.event.slug]))
    assert _path(world).encode() in form.content and b".zip" not in other.content


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.EDITOR, Role.REGISTRATIONS, Role.CHECKIN])
def test_the_zip_is_for_owner_and_finance_only(client, world, role):
    _invoice(world)
    user = UserFactory()
    TeamMemberFactory(organiser=world.organiser, event=world.event, user=user, role=role)
    client.force_login(user)

    assert client.get(_path(world)).status_code == 403


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_zip_of_many_invoices_is_made_by_the_worker(
    client,
    settings,
    drain,  # noqa: F811 (the imported fixture)
):
    settings.EXPORT_WORKER_FILES = 1  # two invoices: more than one
    world = make_world()
    invoice = _invoice(world)
    credit, fresh = services.reissue_invoice(invoice)
    client.force_login(world.owner)

    started = client.post(_path(world))

    job = ExportJob.objects.get()
    assert (job.kind, job.format, job.rows_total) == ("invoices", "zip", 3)
    drain(
        PROTECTED_ROOT=str(settings.PROTECTED_ROOT),
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    )
    job.refresh_from_db()
    assert (job.state, job.rows_done) == ("done", 3)
    download = client.get(
        reverse("backoffice:export.job_download", kwargs={"event": world.event.slug, "job": job.pk})
    )
    assert started.status_code == 302 and download["Content-Type"] == "application/zip"
    files = _archive(b"".join(download.streaming_content))
    assert len(files) == 3 * 2 + 1
