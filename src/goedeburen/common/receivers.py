"""The one way a domain app reacts to another's signals without ever breaking its flow.

A receiver only writes rows and enqueues work. It runs in a savepoint inside the sender's
transaction: when it fails, the failure is logged and only its own writes roll back, so a
broken reaction (a mail, a re-run) never undoes a registration (DESIGN.md, invariant 2).
Anything that must happen whatever fails (money) is a task enqueued on commit plus a sweep
that finds what was missed; never only a receiver.

On a busy path the sender calls `send_together`: all receivers in one savepoint, and only
when one of them fails, each again in a savepoint of its own (two statements instead of
two per receiver, whatever the outcome the same as one savepoint each).
"""

import contextvars
import functools
import logging
from collections.abc import Callable, Mapping

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

# Set while `send_together` runs the receivers in its one savepoint.
_together = contextvars.ContextVar("goedeburen_receivers_together", default=False)


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
        if _together.get():
            # Inside `send_together`'s savepoint: a failure rolls every receiver back
            # there, and each runs again in a savepoint of its own.
            handler(**kwargs)
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


def send_together(signal: Signal, *, sender, **kwargs) -> None:
    """Send `signal` with all its receivers in one savepoint; when any of them raises,
    roll them all back and send it again, each receiver in a savepoint of its own.

    The outcome is that of `signal.send` with every receiver in its own savepoint (a
    failing one logged and undone, the others kept), at two statements instead of two per
    receiver. A receiver connected directly, whose failure must break the sender's flow,
    still raises: from the second sending.
    """
    token = _together.set(True)
    try:
        with transaction.atomic():
            signal.send(sender=sender, **kwargs)
    except Exception:
        logger.info("A receiver of %s failed; each again on its own", signal, exc_info=True)
    else:
        return
    finally:
        _together.reset(token)
    signal.send(sender=sender, **kwargs)
