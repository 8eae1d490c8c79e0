"""Background work for registrations: thin wrappers that call a service.

`release_expired_holds` is enqueued by `services.register` to run at each hold's end and
`expire_offers` by `services.offer_free_seats` at each waiting-list offer's end
(`run_after`, which the database and RQ backends support); `goedeburen
release_expired_holds` runs both sweeps by hand or from cron for a backend that cannot defer.
`offer_free_seats` follows a booking that released expired holds to find its seats, and an
offer that passed over part of a waiting line another transaction was changing;
`recount_seats` is the nightly check of every quota's counter (`goedeburen recount`).
"""

from django_tasks import task

from . import services


@task()
def release_expired_holds() -> int:
    """Cancel the registrations whose hold has ended; return how many."""
    return services.release_expired_holds()


@task()
def expire_offers() -> int:
    """Pass on the waiting-list offers that ran out; return how many."""
    return services.expire_offers()


@task()
def offer_free_seats(event_id: int) -> int:
    """Offer the event's free seats to its waiting list; return how many were offered."""
    return len(services.offer_free_seats_of(event_id))


@task()
def send_manage_links(event_id: int, email: str) -> int:
    """Send the registrations of `email` a new manage link (`services.request_manage_links`)."""
    return services.send_manage_links(event_id, email=email)


@task()
def recount_seats() -> int:
    """Compare every quota's counter with its records, repair and report; return the
    number of quotas that differed."""
    return len(services.recount_seats(repair=True))
