"""Check people in and undo it: scans from phones, online one at a time or as an offline queue.

Every scan carries a nonce the device made; a scan is stored once per nonce, so a queue
uploaded again (or a request retried after a timeout) returns what the first upload
decided and changes nothing. The attendees of a batch are locked in id order before
anything is decided, so two devices that check the same person in at the same moment
happen one after the other: one check-in, and the other device hears "already checked in".
An offline scan of someone another device checked in meanwhile is a conflict: stored, kept
once, and listed for the owner; an offline scan the server refuses (a cancelled ticket on
an old list) is listed there too. Nothing a device sends is dropped without a trace.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from goedeburen.common.audit import log_actions
from goedeburen.events.models import Event, Session
from goedeburen.registration.models import Attendee

from .. import decisions, tickets
from ..enums import Refusal, ScanOutcome
from ..models import UNDO_WINDOW, CheckIn, Scan, Ticket

# A device clock this far ahead of ours is not believed: the scan counts as made now.
CLOCK_SLACK = dt.timedelta(minutes=5)
# Nor one that makes a scan older than a phone keeps its queue: a clock that was reset, or
# a made-up time (the first of January of year 1 east of Greenwich is before year 1 in UTC,
# which PostgreSQL stores but nobody can read back or show).
OLDEST_SCAN = dt.timedelta(days=7)
MAX_BATCH = 1000


def _now() -> dt.datetime:
    return timezone.now()


@dataclass(frozen=True, kw_only=True)
class ScanInput:
    """One scan as a device sends it.

    A check-in names the ticket by the SHA-256 of its scanned code (`ticket_hash`, the
    phones hash before they send or store anything) or the attendee found by name
    (`attendee_id`); `session_id` None is the door. An undo names the scan whose check-in it
    undoes (`undoes`, that scan's nonce).
    """

    nonce: str
    at: dt.datetime | None = None
    ticket_hash: str = ""
    attendee_id: int | None = None
    session_id: int | None = None
    undoes: str = ""


@dataclass(frozen=True, kw_only=True)
class Staff:
    """Who scans: the user, their device's id, the door they stand at, and whether they may
    undo any check-in at any time (owners)."""

    user: object
    device: str
    door: str = ""
    undo_any: bool = False


@dataclass(frozen=True)
class ScanResult:
    nonce: str
    outcome: str
    reason: str = ""
    attendee: Attendee | None = None
    check_in: CheckIn | None = None
    replayed: bool = False


def record_scan(
    event: Event, scan: ScanInput, *, staff: Staff, offline: bool = False
) -> ScanResult:
    """Record one scan (`record_scans` with one) and return what it decided."""
    return record_scans(event, [scan], staff=staff, offline=offline)[0]


def record_scans(
    event: Event, scans: list[ScanInput], *, staff: Staff, offline: bool = False
) -> list[ScanResult]:
    """Decide and store `scans` in their order, in one transaction; return one result each.

    Outcomes: checked in; already checked in (the check-in that stands, with its time and
    staff member); refused with a `Refusal`; conflict (an `offline` scan of someone another
    device checked in); undone, or undo refused (too late, another device). A nonce stored
    before returns its stored outcome (`replayed`).

    Side effects: scan rows; check-in rows made or undone; a log entry per check-in,
    undo and conflict.
    """
    if len(scans) > MAX_BATCH:
        scans = scans[:MAX_BATCH]
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                return _Batch(event, staff=staff, offline=offline).run(scans)
        except IntegrityError:
            # The same nonce arrived twice at once (a retry racing its original): the second
            # try finds it stored and answers as the first did.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def lock_attendees(event: Event, attendee_ids) -> dict[int, Attendee]:
    """Return the event's attendees `attendee_ids` with their registrations, their rows
    locked in id order until the transaction ends.

    The lock that makes two devices' scans of one person happen one after the other: the
    second reads the first's check-in and answers "already checked in". (The partial
    unique constraints on `CheckIn` hold even without it; then the second scan fails and
    its batch is decided again.)
    """
    return {
        a.pk: a
        for a in Attendee.objects.select_for_update(of=("self",))
        .filter(pk__in=sorted(attendee_ids), registration__event=event)
        .select_related("registration")
        .order_by("pk")
    }


class _Batch:
    def __init__(self, event, *, staff, offline):
        self.event, self.staff, self.offline = event, staff, offline
        self.now = _now()

    def run(self, scans):
        hashes = {s.ticket_hash for s in scans if s.ticket_hash}
        self.tickets = {
            t.secret_hash: t
            for t in Ticket.objects.filter(event=self.event, secret_hash__in=hashes)
        }
        undone_nonces = [s.undoes for s in scans if s.undoes]
        self.undo_targets = {
            s.nonce: s.check_in_id
            for s in Scan.objects.filter(event=self.event, nonce__in=undone_nonces)
        }
        attendee_ids = {t.attendee_id for t in self.tickets.values()}
        attendee_ids |= {s.attendee_id for s in scans if s.attendee_id}
        check_in_ids = {pk for pk in self.undo_targets.values() if pk}
        if check_in_ids:
            attendee_ids |= set(
                CheckIn.objects.filter(pk__in=check_in_ids).values_list("attendee_id", flat=True)
            )
        self.attendees = lock_attendees(self.event, attendee_ids)
        self.known = {
            s.nonce: s
            for s in Scan.objects.filter(nonce__in=[s.nonce for s in scans]).select_related(
                "check_in__by", "attendee"
            )
        }
        self.active = {
            (c.attendee_id, c.session_id): c
            for c in CheckIn.objects.filter(
                attendee_id__in=list(self.attendees), undone__isnull=True
            ).select_related("by")
        }
        self.check_ins_by_id = {c.pk: c for c in self.active.values()}
        session_ids = {s.session_id for s in scans if s.session_id}
        self.sessions = Session.objects.filter(round__event=self.event).in_bulk(list(session_ids))
        self.new_check_ins: list[CheckIn] = []
        self.new_scans: list[Scan] = []
        self.logs: list[tuple] = []
        results = []
        for scan in scans:
            stored = self.known.get(scan.nonce)
            if stored is not None:
                results.append(_replay(stored))
                continue
            result = self._undo(scan) if scan.undoes else self._check_in(scan)
            results.append(result)
        self._write()
        return results

    def _log(self, obj, *, action: str, data: dict) -> None:
        self.logs.append((obj, action, data))

    def _write(self) -> None:
        # A queue of 500 scans is three inserts, not 1,500: the rows are collected while
        # deciding and written together (PostgreSQL returns the new check-ins' ids).
        CheckIn.objects.bulk_create(self.new_check_ins)
        Scan.objects.bulk_create(self.new_scans)
        log_actions([(obj, action, self.staff.user, data) for obj, action, data in self.logs])

    def _at(self, scan) -> dt.datetime:
        if not self.offline or scan.at is None or scan.at < self.now - OLDEST_SCAN:
            return self.now
        return min(scan.at, self.now + CLOCK_SLACK)

    def _store(self, scan, *, outcome, reason="", attendee=None, check_in=None) -> ScanResult:
        stored = Scan(
            nonce=scan.nonce,
            event=self.event,
            attendee=attendee,
            session_id=scan.session_id if scan.session_id in self.sessions else None,
            door=self.staff.door,
            device=self.staff.device,
            by=_user(self.staff.user),
            at=self._at(scan),
            offline=self.offline,
            outcome=outcome,
            reason=reason,
            check_in=check_in,
        )
        self.new_scans.append(stored)
        self.known[scan.nonce] = stored
        return ScanResult(scan.nonce, outcome, reason, attendee, check_in)

    def _check_in(self, scan) -> ScanResult:
        if scan.session_id is not None and scan.session_id not in self.sessions:
            return self._store(scan, outcome=ScanOutcome.REFUSED, reason=Refusal.UNKNOWN)
        if scan.ticket_hash:
            ticket = self.tickets.get(scan.ticket_hash)
            attendee = self.attendees.get(ticket.attendee_id) if ticket else None
            reason = decisions.refusal_for_ticket(ticket, attendee)
        else:
            attendee = self.attendees.get(scan.attendee_id)
            reason = decisions.refusal_for_attendee(attendee) if attendee else Refusal.UNKNOWN
        if reason:
            # An unknown code names nobody: the scan row tells nothing of whom it matched.
            shown = None if reason == Refusal.UNKNOWN else attendee
            return self._store(scan, outcome=ScanOutcome.REFUSED, reason=reason, attendee=shown)
        key = (attendee.pk, scan.session_id)
        existing = self.active.get(key)
        if existing is not None:
            if self.offline and existing.device != self.staff.device:
                self._log(
                    existing,
                    action="checkin.conflict",
                    data={
                        "name": attendee.full_name,
                        "devices": [existing.device, self.staff.device],
                    },
                )
                outcome = ScanOutcome.CONFLICT
            else:
                outcome = ScanOutcome.ALREADY
            return self._store(scan, outcome=outcome, attendee=attendee, check_in=existing)
        check_in = CheckIn(
            event=self.event,
            attendee=attendee,
            session_id=scan.session_id,
            door=self.staff.door,
            device=self.staff.device,
            by=_user(self.staff.user),
            at=self._at(scan),
        )
        self.new_check_ins.append(check_in)
        self.active[key] = check_in
        self._log(
            check_in,
            action="checkin.checked_in",
            data={
                "name": attendee.full_name,
                "where": self._where(check_in),
                "at": check_in.at.isoformat(),
                "offline": self.offline,
            },
        )
        return self._store(
            scan, outcome=ScanOutcome.CHECKED_IN, attendee=attendee, check_in=check_in
        )

    def _where(self, check_in) -> str:
        if check_in.session_id:
            session = self.sessions.get(check_in.session_id)
            if session is None:
                session = Session.objects.filter(pk=check_in.session_id).first()
            return str(session or "")
        return check_in.door or "—"

    def _undo(self, scan) -> ScanResult:
        target = self.known.get(scan.undoes)
        check_in = None
        if target is not None and target.pk is None:
            check_in = target.check_in  # made earlier in this batch, not written yet
        else:
            check_in = self.check_ins_by_id.get(self.undo_targets.get(scan.undoes))
        standing = check_in is not None and check_in.undone is None
        if not standing or (target is not None and target.outcome != ScanOutcome.CHECKED_IN):
            return self._store(scan, outcome=ScanOutcome.NOT_UNDONE, reason="not_checked_in")
        attendee = self.attendees.get(check_in.attendee_id)
        when = self._at(scan)
        if not self.staff.undo_any:
            if check_in.device != self.staff.device:
                return self._store(
                    scan,
                    outcome=ScanOutcome.NOT_UNDONE,
                    reason="other_device",
                    attendee=attendee,
                    check_in=check_in,
                )
            if when - check_in.at > UNDO_WINDOW:
                return self._store(
                    scan,
                    outcome=ScanOutcome.NOT_UNDONE,
                    reason="too_late",
                    attendee=attendee,
                    check_in=check_in,
                )
        if check_in.pk is not None:
            CheckIn.objects.filter(pk=check_in.pk).update(
                undone=when, undone_by=_user(self.staff.user)
            )
        check_in.undone, check_in.undone_by = when, _user(self.staff.user)
        self.active.pop((check_in.attendee_id, check_in.session_id), None)
        self._log(
            check_in,
            action="checkin.undone",
            data={"name": attendee.full_name if attendee else "", "where": self._where(check_in)},
        )
        return self._store(scan, outcome=ScanOutcome.UNDONE, attendee=attendee, check_in=check_in)


def _replay(stored: Scan) -> ScanResult:
    return ScanResult(
        stored.nonce,
        stored.outcome,
        stored.reason,
        stored.attendee,
        stored.check_in,
        replayed=True,
    )


def _user(user):
    return user if getattr(user, "is_authenticated", False) else None


def hash_code(code: str) -> str:
    """Return the ticket hash of a code typed or scanned on a device without JavaScript."""
    return tickets.hash_secret(code) if tickets.looks_like_secret(code) else "0" * 64
