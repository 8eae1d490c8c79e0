"""Publish a run: participants see their programme and get it by mail with a calendar file."""

from django.db import transaction
from django.utils import timezone

from goedeburen.common.audit import log_action
from goedeburen.events.models import Event
from goedeburen.mail.enums import MailKind
from goedeburen.mail.services import queue_registration_mail, queue_registration_mails
from goedeburen.registration.models import Registration

from .. import exceptions, queries
from ..exceptions import MatchingError
from ..models import AssignmentRun, Placement, RunStatus


def publish_run(
    run: AssignmentRun,
    *,
    by,
    only_changed_from: dict | None = None,
    breaks_accepted: bool = False,
) -> AssignmentRun:
    """Make `run` the event's published placement and mail everyone their programme.

    With `only_changed_from` (the previous placement, as instance ids) only registrations
    with an attendee whose sessions changed get a mail. Refused for a run that is not done,
    that left someone unplaced, or that breaks a rule (after moves by hand) unless
    `breaks_accepted`. Side effects: the run published and any other unpublished; each
    placement's calendar sequence carried on from the placement published before (raised
    where the session changed); one personal programme mail per registration; a log entry.
    """
    if run.status != RunStatus.DONE:
        raise MatchingError(exceptions.RUN_NOT_DONE, code="run_not_done")
    if run.unassigned:
        raise MatchingError(exceptions.RUN_HAS_UNPLACED, code="unplaced")
    breaks = queries.rule_breaks(run)
    if breaks and not breaks_accepted:
        raise MatchingError(exceptions.RUN_BREAKS_RULES, code="rule_breaks")
    with transaction.atomic():
        lock_event(run.event_id)
        registrations = _registrations_to_tell(run, only_changed_from)
        _lock_registrations(registrations)
        before = queries.published_run(run.event)
        if before is not None and before.pk != run.pk:
            _carry_sequences(before, run)
        AssignmentRun.objects.filter(event_id=run.event_id, is_published=True).update(
            is_published=False
        )
        AssignmentRun.objects.filter(pk=run.pk).update(
            is_published=True, published_at=timezone.now()
        )
        queue_registration_mails(registrations, kind=MailKind.PERSONAL_PROGRAMME)
        data = {"run": run.pk, "mails": len(registrations)}
        if breaks:
            data["breaks"] = sum(breaks.values())
        log_action(run.event, action="matching.published", by=by, data=data)
    run.refresh_from_db()
    return run


def lock_event(event_id: int) -> None:
    """Hold the event's other publishes and runs until this transaction ends.

    FOR NO KEY UPDATE, not FOR UPDATE: a transaction that wrote rows pointing at the event (a
    cancellation's log entry, a check-in) takes a key-share lock on it at its commit (the
    foreign keys are checked then) and need not wait. With FOR UPDATE it did, while the
    publish waited for its registration: a deadlock
    (tests/matching/test_concurrency.py).
    """
    Event.objects.select_for_update(no_key=True).filter(pk=event_id).values_list("pk").first()


def _lock_registrations(registrations: list[Registration]) -> None:
    """Hold changes of these registrations (in order of id) until this transaction ends.

    Before the placements are touched, in the order of every change of a registration (a
    cancellation of a person locks their registration, then deletes their placements): the
    mails queued for them lock the registrations at the commit (their foreign keys), and
    the publish's commit and such a change then waited for each other, a deadlock. FOR NO
    KEY UPDATE: rows that merely point at a registration are still written meanwhile.
    """
    list(
        Registration.objects.filter(pk__in=[r.pk for r in registrations])
        .order_by("pk")
        .select_for_update(no_key=True)
        .values_list("pk", flat=True)
    )


def _carry_sequences(before: AssignmentRun, run: AssignmentRun) -> None:
    old = {
        (attendee, round_): (session, sequence)
        for attendee, round_, session, sequence in Placement.objects.filter(run=before).values_list(
            "attendee_id", "round_id", "session_id", "sequence"
        )
    }
    changed = []
    for placement in Placement.objects.filter(run=run):
        session, sequence = old.get((placement.attendee_id, placement.round_id), (None, -1))
        if session is None:
            continue
        placement.sequence = max(
            placement.sequence, sequence + (0 if session == placement.session_id else 1)
        )
        changed.append(placement)
    Placement.objects.bulk_update(changed, ["sequence"], batch_size=500)


def mails_on_publishing(run: AssignmentRun) -> int:
    """Return how many programme mails publishing `run` would queue (one per registration)."""
    return len(_registrations_to_tell(run, None))


def _registrations_to_tell(run: AssignmentRun, previous: dict | None) -> list[Registration]:
    rows = Placement.objects.filter(run=run).values_list(
        "attendee__registration_id", "attendee_id", "round_id", "session_id"
    )
    changed = set()
    for registration_id, attendee_id, round_id, session_id in rows:
        if previous is None or previous.get(f"a{attendee_id}", {}).get(f"r{round_id}") != (
            f"s{session_id}"
        ):
            changed.add(registration_id)
    return list(Registration.objects.filter(pk__in=changed).order_by("pk"))


def queue_programme_mails(event: Event) -> int:
    """Mail every registration its published programme again; return how many mails."""
    run = queries.published_run(event)
    if run is None:
        return 0
    with transaction.atomic():
        registrations = _registrations_to_tell(run, None)
        queue_registration_mails(registrations, kind=MailKind.PERSONAL_PROGRAMME)
    return len(registrations)


def queue_programme_mail(registration: Registration):
    """Queue the personal programme mail to the booker.

    The worker renders it: mail6's default text (or the organiser's) with the
    `personal_programme` placeholder and the .ics attachment, both read from the published
    placement through `queries.programme_entries` (the source registered with
    `mail.programme`). Nothing but the kind goes into the queued row.
    """
    return queue_registration_mail(registration, kind=MailKind.PERSONAL_PROGRAMME)
