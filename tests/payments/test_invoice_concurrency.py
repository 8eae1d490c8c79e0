"""30 registrations confirmed at once on PostgreSQL get invoice numbers with no gap and no
duplicate; without the counter's row lock (negative control) numbers are taken twice."""

import threading

import pytest
from django.db import connections

from goedeburen.payments import services
from goedeburen.payments.enums import ProviderName
from goedeburen.payments.models import Invoice
from tests import seams

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

COUNT = 30


def _confirm(registration):
    services.choose_provider(registration, provider=ProviderName.INVOICE)


def _issue(registration):
    services.issue_invoice(registration)


def _all_at_once(registrations, work) -> list:
    barrier = threading.Barrier(len(registrations))
    results = [None] * len(registrations)

    def run(n):
        try:
            barrier.wait()
            work(registrations[n])
            results[n] = "ok"
        except Exception as error:  # reported by the assertions
            results[n] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(registrations))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.parametrize("work", [_confirm, _issue], ids=["confirm_on_invoice", "issue_invoice"])
def test_parallel_confirmations_get_gap_free_numbers(on_postgresql, register, work):
    # `_confirm` is the booker's way in; `_issue` skips the registration's own locks
    # (which already serialise changes to one event's registrations), so that only the
    # counter's lock stands between the 30 transactions.
    registrations = [register(email=f"b{n}@example.org") for n in range(COUNT)]

    results = _all_at_once(registrations, work)

    assert results == ["ok"] * COUNT
    sequences = sorted(Invoice.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, COUNT + 1))
    assert len(set(Invoice.objects.values_list("number", flat=True))) == COUNT


def test_without_the_counter_lock_numbers_clash(on_postgresql, register, monkeypatch):
    # Negative control: with the row lock taken away (a test seam that also widens the gap
    # between reading and writing) the same number is taken twice, which the unique
    # constraint refuses: the test above can fail.
    seams.without_invoice_counter_lock(monkeypatch.setattr)
    registrations = [register(email=f"b{n}@example.org") for n in range(COUNT)]

    results = _all_at_once(registrations, _issue)

    assert any(result != "ok" for result in results)
    assert Invoice.objects.count() < COUNT
