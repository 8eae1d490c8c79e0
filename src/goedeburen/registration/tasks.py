"""Background work for registrations: thin wrappers that call a service.

`release_expired_holds` is enqueued by `services.register` to run at each hold's end and
`expire_offers` by `services.offer_free_seats` at each waiting-list offer's end
(`run_after`, which the database and RQ backends support); `goedeburen
release_expired_holds` runs both sweeps by hand or from cron for a backend that cannot defer.
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
