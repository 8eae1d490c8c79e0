"""The one way a domain app reacts to another's signals without ever breaking its flow.

A receiver only writes rows and enqueues work. It runs in a savepoint inside the sender's
transaction: when it fails, the failure is logged and only its own writes roll back, so a
broken reaction (a mail, a re-run) never undoes a registration (DESIGN.md, invariant 2).
Anything that must happen whatever fails (money) is a task enqueued on commit plus a sweep
that finds what was missed; never only a receiver.
"""

import functools
import logging
from collections.abc import Callable, Mapping

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)


def never_breaks_the_flow(
    handler: Callable, *, app: str, when: Callable[..., bool] | None = None
) -> Callable:
    """Return `handler` wrapped to run in a savepoint whose failure is logged, not raised.

    The handler is called with the signal's keyword arguments, without `sender` and `signal`.
    `when`, called with the same arguments, says whether the handler has anything to do:
    when not, no savepoint is made (two statements saved on a busy path, such as booking).
    It must only read what the signal brings, never the database.
    """

    @functools.wraps(handler)
    def wrapper(sender, signal=None, **kwargs):
        if when is not None and not when(**kwargs):
            return
        try:
            with transaction.atomic():
                handler(**kwargs)
        except Exception:
            subject = kwargs.get("registration")
            logger.exception(
                "%s.%s failed for %s", app, handler.__name__, getattr(subject, "pk", subject)
            )

    return wrapper


def connect_receivers(
    receivers: Mapping[Signal, Callable | tuple[Callable, Callable[..., bool]]],
    *,
    app: str,
    sender=None,
) -> None:
    """Connect each handler to its signal, wrapped by `never_breaks_the_flow` (from `ready`).

    A handler may come as `(handler, when)`, with the `when` of `never_breaks_the_flow`.
    The dispatch uid is `<app>.<handler name>`, so that connecting twice connects once.
    """
    for signal, entry in receivers.items():
        handler, when = entry if isinstance(entry, tuple) else (entry, None)
        signal.connect(
            never_breaks_the_flow(handler, app=app, when=when),
            sender=sender,
            weak=False,
            dispatch_uid=f"{app}.{handler.__name__}",
        )
