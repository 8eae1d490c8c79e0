"""Signals the registration domain sends; other domain apps (mail, payments …) react to them.

Every signal is sent inside the transaction of the change, after the change is written, so
a receiver that writes (an outbox mail, a log entry) commits or rolls back with it.
Receivers must not do I/O themselves: they write rows or enqueue work with
`common.tasks.enqueue_on_commit`. The registration flow never depends on a receiver.

All are sent with `sender=Registration` and these keyword arguments:

registration_created(registration, manage_token, attendees)
    A registration was made. `manage_token` is the secret of the booker's manage link,
    known only now (only its hash is stored); `attendees` are its new attendee rows (so
    that a receiver need not read them back). Sent before the quotas are locked (to keep
    that lock short), so the transaction may still roll back when the seats are gone.
manage_link_renewed(registration, manage_token)
    The booker asked for their link again; the old link no longer works.
registration_approved(registration, message)
registration_rejected(registration, message)
    The organiser decided on a registration that awaited approval; `message` may be "".
registration_confirmed(registration)
    A held registration became confirmed (approved and free, or paid).
registration_changed(registration, by)
    Details or attendees changed (self-service or back office).
registration_cancelled(registration, reason, by)
    Cancelled by the booker, the organiser (`by` set) or because its hold ran out
    (`by` None, `reason` "hold_expired").
attendee_substituted(registration, attendee, previous, by)
    A colleague goes instead of an attendee (self-service or back office, `by` set):
    `attendee` is the row as it is now, with the new person's name and address and a new
    ticket secret; `previous` is an unsaved copy of the row as it was (the previous
    person's name, address and old ticket secret), to read and never to save. Sent after
    `registration_changed`.
attendee_cancelled(registration, attendee, reason, free, by)
    One attendee of several cancelled by the booker or the organiser (`by` set). Sent
    before the attendee's row is deleted, so `attendee` can still be read; `free` says
    whether the event's policy made it free of charge.
waiting_list_offer_made(registration, offer_url_token, expires)
    A seat is offered to someone on the waiting list until `expires`.
"""

from django.dispatch import Signal

registration_created = Signal()
manage_link_renewed = Signal()
registration_approved = Signal()
registration_rejected = Signal()
registration_confirmed = Signal()
registration_changed = Signal()
registration_cancelled = Signal()
attendee_substituted = Signal()
attendee_cancelled = Signal()
waiting_list_offer_made = Signal()
