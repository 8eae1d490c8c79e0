"""Pay for a registration: choose a way, follow the provider's word, book money, refund.

A registration is paid when its confirmed payments (less refunds) cover what it owes;
`settle_registration` then confirms it through the registration domain and issues its
invoice. Provider calls (I/O) happen outside any transaction; what they report is written
under a row lock on the payment, so the same news twice has the effect of once
(DESIGN.md, invariant 3).
"""

import datetime as dt
import logging
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from goedeburen.common.audit import log_action
from goedeburen.common.money import euro
from goedeburen.common.prepared import Prepared
from goedeburen.common.tasks import enqueue_on_commit
from goedeburen.events.models import Event
from goedeburen.mail.enums import MailKind
from goedeburen.mail.services import queue_registration_mail
from goedeburen.registration import services as registration_services
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.exceptions import RegistrationError
from goedeburen.registration.models import Registration
from goedeburen.registration.services import abuse

from .. import exceptions, queries, tasks
from ..enums import FINAL_PAYMENT_STATES, PaymentState, ProviderName, RefundState
from ..exceptions import PaymentError
from ..models import Payment, Refund, Settlement
from ..providers import StartedPayment, get_provider
from ..providers.base import ProviderStatus
from .invoices import issue_invoice

logger = logging.getLogger(__name__)

# Statuses in which a registration may still pay online (a confirmed one on account too).
PAYABLE_STATUSES = (RegistrationStatus.PENDING_PAYMENT, RegistrationStatus.CONFIRMED)


def _now() -> dt.datetime:
    return timezone.now()


def available_providers(registration: Registration) -> list[str]:
    """Return the providers the booker may choose now for the registration's open amount.

    Read through `queries.payment_overview` (one written-out query with the invoices, the
    setup cached): the booking's POST asks this once.
    """
    overview = queries.payment_overview(registration)
    return providers_for(
        registration, balance=overview.balance, current=overview.current, setup=overview.setup
    )


def providers_for(
    registration: Registration,
    *,
    balance: queries.Balance,
    current,
    setup: queries.PaymentSetup,
) -> list[str]:
    """Return the providers the booker may choose, from figures the caller has read already
    (`queries.payment_overview`): the rule of `available_providers`."""
    if registration.status not in PAYABLE_STATUSES:
        return []
    if balance.open <= 0:
        return []
    names = setup.providers
    if registration.status == RegistrationStatus.CONFIRMED:
        # Already confirmed (on account): only paying online is left to choose.
        names = [name for name in names if name == ProviderName.MOLLIE]
    elif current is not None:
        # The transfer details are on the invoice already; choosing them again does nothing.
        names = [name for name in names if name != ProviderName.BANK_TRANSFER]
    return list(names)


def choose_provider(
    registration: Registration,
    *,
    provider: str,
    return_url: str = "",
    webhook_url: str = "",
    by=None,
    client: str = "",
) -> StartedPayment:
    """Pay the registration's open amount with `provider`, or raise `PaymentError`.

    - Mollie: a payment is started at Mollie; send the booker to `redirect_url`.
    - Bank transfer: the seats are held for the payment term and the invoice is issued,
      with the organiser's IBAN and the RF payment reference on it.
    - Invoice afterwards: the registration is confirmed at once and the invoice issued,
      due after the payment term.

    `client` is the visitor's address when the booker chooses on their page: an invoice or
    a transfer then counts the seats as booked without online payment (`abuse`), and past
    the hour's limit only paying online is accepted.

    Side effects: those of the registration services, `issue_invoice` and a log entry.
    """
    # The settings as cached per version of the event (`payments.versioning` moves it on).
    settings = queries.payment_setup(registration.event).settings
    if provider not in available_providers(registration):
        if provider in settings.enabled_providers():
            raise PaymentError(exceptions.NOT_PAYABLE, code="not_payable")
        raise PaymentError(exceptions.PROVIDER_DISABLED, code="provider_disabled")
    if provider == ProviderName.MOLLIE:
        return _start_online(registration, return_url=return_url, webhook_url=webhook_url, by=by)
    if client and abuse.too_many_seats(
        client, seats=registration.attendees.count(), now=timezone.now()
    ):
        raise PaymentError(exceptions.PAY_ONLINE_ONLY, code="many_seats")
    term = settings.payment_term
    try:
        with transaction.atomic():
            if provider == ProviderName.BANK_TRANSFER:
                registration_services.hold_for_transfer(registration, until=_now() + term, by=by)
            else:
                registration_services.confirm_on_account(registration, by=by)
            issue_invoice(registration, by=by)
    except RegistrationError as refused:
        raise PaymentError(refused.message, code=refused.code) from refused
    return StartedPayment()


# The ways to pay that call no provider: chosen in the booking's own transaction.
OFFLINE_PROVIDERS = (ProviderName.BANK_TRANSFER, ProviderName.INVOICE)


def register_paying_offline(event: Event, *, provider: str, **booking) -> tuple[Registration, str]:
    """Register (`registration.services.register`, `booking` its arguments) and pay the
    way chosen in the form, by bank transfer or by invoice afterwards, in the same
    transaction; raise `RegistrationError` as `register` does.

    Return the registration and, when the way to pay could not be chosen, why ("" when it
    was, or when there was nothing to pay yet: free, or awaiting approval). What
    `choose_provider` does after the booking, at one transaction instead of two: with a
    bank transfer the seats are held for the payment term from the start, and the invoice
    is issued; with an invoice afterwards the registration is confirmed on account and the
    invoice issued. The invoice comes after the seats, so that the quotas are locked before
    the organiser's invoice counter, as wherever else both are (a lapsed registration paid).

    A choice that fails (the way no longer offered, the organiser's invoice details
    incomplete) rolls back alone: the registration stands, holding its seats for the
    event's payment hold, and its page lets the booker choose again. A form sent again
    (`sent_before`) chooses nothing: its first sending did.
    """
    if provider not in OFFLINE_PROVIDERS:
        raise ValueError(f"{provider} calls a provider: choose it after the booking")
    setup = queries.payment_setup(event)
    transfer = provider == ProviderName.BANK_TRANSFER
    by = booking.get("by")
    problems = []

    def choose(registration: Registration) -> None:
        if registration.status != RegistrationStatus.PENDING_PAYMENT:
            return  # free, or awaiting approval: nothing to pay yet
        try:
            if provider not in setup.providers:
                raise PaymentError(exceptions.PROVIDER_DISABLED, code="provider_disabled")
            if transfer:
                issue_invoice(registration, by=by)  # in a savepoint of its own
            else:
                with transaction.atomic():
                    registration_services.confirm_on_account(registration, by=by)
                    issue_invoice(registration, by=by)
        except (PaymentError, RegistrationError) as refused:
            if transfer:
                registration_services.end_transfer_hold(registration, by=by)
            problems.append(refused.message)

    registration = registration_services.register(
        event,
        payment_hold=setup.settings.payment_term if transfer else None,
        then=choose,
        **booking,
    )
    return registration, problems[0] if problems else ""


# A start this soon after an open one for the same amount is that one asked for again.
RESTART_WINDOW = dt.timedelta(seconds=30)


def _start_online(registration, *, return_url, webhook_url, by) -> StartedPayment:
    # Committed before Mollie is asked, so that a webhook arriving at once finds it. Under
    # the registration's lock: a start asked for again at once (a double click, a retry, a
    # second tab) takes the open payment the first made, which makes one payment at Mollie
    # (its idempotency key is the payment's) and sends both to one checkout; a start as
    # the booker cancels finds the registration cancelled and is refused.
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update(of=("self",))
            .select_related("event__organiser")
            .get(pk=registration.pk)
        )
        if ProviderName.MOLLIE not in available_providers(registration):
            raise PaymentError(exceptions.NOT_PAYABLE, code="not_payable")
        amount = queries.balance(registration).open
        payment = started_just_now(registration, amount=amount) or Payment.objects.create(
            registration=registration,
            provider=ProviderName.MOLLIE,
            amount=amount,
            created_by=by if getattr(by, "is_authenticated", False) else None,
        )
    if payment.checkout_url:
        return StartedPayment(redirect_url=payment.checkout_url)
    provider = get_provider(ProviderName.MOLLIE)
    try:
        started = provider.start(payment, return_url=return_url, webhook_url=webhook_url)
    except PaymentError as refused:
        with transaction.atomic():
            if _fail_unstarted(payment, refused):
                log_action(
                    registration,
                    action="payment.failed",
                    by=by,
                    data={"payment": payment.pk, "provider": provider.name, "start": True},
                )
        raise
    with transaction.atomic():
        first = Payment.objects.filter(
            pk=payment.pk, state=PaymentState.OPEN, provider_reference=""
        ).update(provider_reference=payment.provider_reference, checkout_url=payment.checkout_url)
        if not first:
            if Payment.objects.filter(
                pk=payment.pk, provider_reference=payment.provider_reference
            ).exists():
                return started  # the other start of this payment logged it
            # The other start failed it meanwhile: nobody may pay it now.
            raise PaymentError(exceptions.PROVIDER_UNAVAILABLE, code="provider_unavailable")
        log_action(
            registration,
            action="payment.started",
            by=by,
            data={
                "payment": payment.pk,
                "provider": provider.name,
                "amount": str(amount),
                "reference": payment.provider_reference,
            },
        )
    return started


def _fail_unstarted(payment: Payment, refused: Exception) -> bool:
    """Mark `payment` failed; return whether this call did.

    Not once another start of it sent a booker to its checkout (failed is final, and their
    money would find no payment open), nor when another start failed it first: of two starts
    that both fail, one says so (one `payment.failed`).
    """
    unstarted = Payment.objects.filter(
        pk=payment.pk, state=PaymentState.OPEN, provider_reference=""
    )
    note = str(refused.__cause__ or refused)[:500]
    return bool(unstarted.update(state=PaymentState.FAILED, note=note))


def started_just_now(registration: Registration, *, amount: Decimal) -> Payment | None:
    """Return the registration's open online payment of `amount` started within
    `RESTART_WINDOW` (the newest), if any: a new start takes it over."""
    return (
        Payment.objects.filter(
            registration=registration,
            provider=ProviderName.MOLLIE,
            state=PaymentState.OPEN,
            amount=amount,
            created__gte=_now() - RESTART_WINDOW,
        )
        .order_by("-pk")
        .first()
    )


def sync_provider_payment(provider: str, reference: str) -> Payment | None:
    """Fetch the provider's status of the payment `reference` and apply it; None if unknown.

    For webhooks that only say "payment X changed". Raise `PaymentError` (code
    "provider_unavailable") when the provider cannot be asked; the caller lets the provider
    try again later.
    """
    payment = (
        Payment.objects.filter(provider=provider, provider_reference=reference)
        .select_related("registration__event__organiser")
        .first()
    )
    if payment is None:
        return None
    status = get_provider(provider).fetch(payment)
    return apply_status(payment, status)


def apply_status(payment: Payment, status: ProviderStatus, *, by=None) -> Payment:
    """Record the provider's `status` of `payment`; news already recorded changes nothing.

    A payment that reached a final state (paid, failed, cancelled, expired) stays in it.
    Side effects when it changed: log entry; when it became paid, `settle_registration`.
    """
    with transaction.atomic():
        payment = _lock_payment(payment.pk)
        if payment.state == status.state or payment.state in FINAL_PAYMENT_STATES:
            return payment
        before = payment.state
        payment.state = status.state
        fields = ["state"]
        if status.state == PaymentState.PAID:
            payment.confirmed = _now()
            payment.amount = status.amount
            fields += ["confirmed", "amount"]
        payment.save(update_fields=fields)
        log_action(
            payment.registration,
            action=f"payment.{status.state}",
            by=by,
            data={
                "payment": payment.pk,
                "provider": payment.provider,
                "state": [before, status.state],
                "amount": str(payment.amount),
            },
        )
        if status.state == PaymentState.PAID:
            settle_registration(payment.registration, payment=payment, by=by)
    return payment


def _lock_payment(pk: int) -> Payment:
    """Return the payment with its registration, only the payment's row locked.

    Its registration is locked later, by `confirm_paid`, and only for a payment that became
    paid: a settlement locks the registration before the payments it refunds, and locking
    both here (the payment's row first) met it in a deadlock.
    """
    return Payment.objects.select_for_update(of=("self",)).select_related("registration").get(pk=pk)


def record_manual_payment(
    registration: Registration,
    *,
    amount: Decimal,
    note: str,
    by,
    confirm_overpayment: bool = False,
    submission: str | None = None,
) -> Payment:
    """Record money the organiser received another way (cash, a transfer found by hand).

    More than the registration still owes is refused (code "needs_confirmation") unless
    `confirm_overpayment`. `submission` is the form's one-time token: the same form sent
    twice (the back button, a double click) returns the payment it recorded the first time.

    Side effects: a paid payment; log entry with the note; `settle_registration`.
    """
    if amount is None or amount <= 0:
        raise PaymentError(exceptions.AMOUNT_INVALID, code="amount_invalid")
    submission = (submission or "")[:40] or None
    try:
        with transaction.atomic():
            # One at a time per registration: what is owed is read and paid under the lock.
            registration = Registration.objects.select_for_update().get(pk=registration.pk)
            if submission:
                done = Payment.objects.filter(submission=submission).first()
                if done is not None:
                    return done
            owed = queries.balance(registration).open
            if amount > owed and not confirm_overpayment:
                raise PaymentError(
                    exceptions.TOO_MUCH_PAYMENT
                    % {"amount": amount, "open": max(owed, Decimal("0.00"))},
                    code="needs_confirmation",
                )
            payment = Payment.objects.create(
                registration=registration,
                provider=ProviderName.MANUAL,
                amount=amount,
                state=PaymentState.PAID,
                confirmed=_now(),
                note=note,
                submission=submission,
                created_by=by if getattr(by, "is_authenticated", False) else None,
            )
            log_action(
                registration,
                action="payment.paid",
                by=by,
                data={
                    "payment": payment.pk,
                    "provider": ProviderName.MANUAL,
                    "amount": str(amount),
                    "note": note,
                },
            )
            settle_registration(registration, payment=payment, by=by)
    except IntegrityError:
        # The same form at the same moment in another request: that one recorded it.
        done = Payment.objects.filter(submission=submission).first() if submission else None
        if done is None:
            raise
        return done
    return payment


def _fresh(pk: int) -> QuerySet[Registration]:
    return Registration.objects.select_related("event__organiser").filter(pk=pk)


# Every payment settled reads its registration again so: compiled once.
_FRESH = Prepared(_fresh, samples={"pk": 1}, others={"pk": 2})


def settle_registration(registration: Registration, *, payment: Payment, by=None) -> None:
    """React to `payment` having come in: confirm and invoice the registration when paid.

    Call inside the transaction that recorded the payment. When the payments now cover
    what the registration owes it is confirmed (`registration.services.confirm_paid`);
    when its seats were gone meanwhile the payment is flagged `seat_lost` instead. A
    confirmed registration without an invoice gets one (when the organiser's invoice
    details are complete).

    Money that comes in for a registration whose free cancellation was settled already (a
    payment started before the cancellation, paid after it) makes that settlement due
    again, so that it is refunded like the rest; not when the payment is flagged
    `seat_lost` (the organiser decides).

    A registration that stays cancelled never gets the payment-received mail (it would
    thank for places the booker does not have), but the payment-after-cancellation mail,
    which says what becomes of the money (`_money_after_cancellation`).

    Side effects: those of `confirm_paid` and `issue_invoice`; the payment-received mail,
    or the payment-after-cancellation mail; the settlement made due again, with its task
    enqueued on commit.
    """
    found = _FRESH.fetch(pk=registration.pk)
    if not found:
        raise Registration.DoesNotExist("Registration matching query does not exist.")
    registration = found[0]
    balance = queries.balance(registration)
    due = balance.due
    seat_lost = False
    if registration.status == RegistrationStatus.CANCELLED and due <= 0:
        # Cancelled, its invoice credited: only a registration that lapsed for want of
        # payment comes back (`confirm_paid` decides), and then it owes its tickets again.
        due = registration.total
    if due > 0 and balance.paid >= due:
        outcome = registration_services.confirm_paid(registration, by=by, via=payment.provider)
        registration = outcome.registration
        if outcome.seat_lost:
            seat_lost = True
            Payment.objects.filter(pk=payment.pk).update(seat_lost=True)
        elif outcome.confirmed and queries.current_invoice(registration) is None:
            try:
                issue_invoice(registration, by=by)
            except PaymentError as refused:
                # Paid is paid: an organiser without invoice details still gets the money.
                logger.warning("No invoice for %s: %s", registration.code, refused)
    kind, context = MailKind.PAYMENT_RECEIVED, {}
    if registration.status == RegistrationStatus.CANCELLED:
        # Still cancelled: "payment received" would thank for places the booker does not
        # have. Their own mail says what becomes of the money instead.
        refunded = not seat_lost and _owe_settlement_again(registration)
        kind = MailKind.PAYMENT_AFTER_CANCELLATION
        context = {
            "amount": euro(payment.amount),
            "money": _money_after_cancellation(
                payment, balance=balance, seat_lost=seat_lost, refunded=refunded
            ),
        }
    _queue_money_mail(registration, kind=kind, **context)


def _queue_money_mail(registration: Registration, *, kind: str, **context) -> None:
    """Queue a mail about money in a savepoint of its own: a broken mail never undoes the
    payment or refund it tells of (DESIGN.md, invariant 2); it is logged instead."""
    try:
        with transaction.atomic():
            queue_registration_mail(registration, kind=kind, **context)
    except Exception:
        logger.exception("No %s mail for registration %s", kind, registration.pk)


def _money_after_cancellation(
    payment: Payment, *, balance: queries.Balance, seat_lost: bool, refunded: bool
) -> str:
    """Return what becomes of `payment`, paid for a registration that stays cancelled:
    "seat_lost" (the organiser decides: room or a refund), "refund" (its free
    cancellation's settlement refunds online payments), "owed" (it pays an invoice that a
    cancellation that was not free left standing; what it pays beyond that, the mail's
    payment details say) or "pay_back" (none of it was owed: the organiser transfers it
    back, as the overview's overpayments ask)."""
    if seat_lost:
        return "seat_lost"
    if refunded and payment.provider == ProviderName.MOLLIE:
        return "refund"
    return "pay_back" if balance.overpaid >= payment.amount else "owed"


def _owe_settlement_again(registration: Registration) -> bool:
    """Make the registration's settled settlement due again (there is none, or only a
    superseded one, when its cancellation was not free: then the money is owed). A settler
    that holds it meanwhile is waited for; its task settles again only what is new
    (`settle_cancellation`).

    Return whether the registration has a settlement (settled, or still due): one that
    refunds its online payments."""
    owed = False
    # One superseded by a later cancellation that was not free belongs to an earlier one
    # (an attendee's, or before a late payment confirmed the registration again).
    settlements = Settlement.objects.filter(registration=registration, superseded__isnull=True)
    for settlement_id, settled in settlements.values_list("pk", "settled"):
        owed = True
        if settled is not None:
            Settlement.objects.filter(pk=settlement_id).update(settled=None)
            enqueue_on_commit(tasks.settle_cancellation, settlement_id)
    return owed


def create_refund(
    payment: Payment, *, amount: Decimal, reason: str, by=None, submission: str | None = None
) -> Refund:
    """Write a pending refund of `amount` on a paid payment, or raise `PaymentError`.

    At most what is left of the payment after earlier refunds. `submission` is the form's
    one-time token: the same form sent twice returns the refund it wrote the first time.
    Side effects: log entry. Carry it out with `execute_refund` (outside the transaction:
    it may call the provider).
    """
    if amount is None or amount <= 0:
        raise PaymentError(exceptions.AMOUNT_INVALID, code="amount_invalid")
    submission = (submission or "")[:40] or None
    try:
        with transaction.atomic():
            payment = Payment.objects.select_for_update().get(pk=payment.pk)
            if submission:
                done = Refund.objects.filter(submission=submission).first()
                if done is not None:
                    return done
            if amount > payment.refundable:
                raise PaymentError(
                    exceptions.TOO_MUCH_REFUND % {"amount": payment.refundable}, code="too_much"
                )
            refund = Refund.objects.create(
                payment=payment,
                amount=amount,
                reason=reason,
                submission=submission,
                created_by=by if getattr(by, "is_authenticated", False) else None,
            )
            log_action(
                payment.registration,
                action="refund.created",
                by=by,
                data={"payment": payment.pk, "amount": str(amount), "reason": reason},
            )
    except IntegrityError:
        done = Refund.objects.filter(submission=submission).first() if submission else None
        if done is None:
            raise
        return done
    return refund


def execute_refund(refund: Refund, *, by=None) -> Refund:
    """Pay a pending refund back through its payment's provider; record how it went.

    Mollie refunds through its API; for a bank transfer or a manual payment the organiser
    transfers the money and this records it as done. Raise `PaymentError` when the provider
    refuses (the refund is then failed and no longer counts) or could not be asked or did
    not answer (code "provider_unavailable": the refund stays pending, with the error
    noted, for the `follow_up_payments` sweep or the organiser to try again).

    Side effects: the refund refunded or failed (log entry) or its error noted; the
    refund-made mail to the booker, queued in the transaction that marks it refunded (so
    once).
    """
    refund = Refund.objects.select_related("payment__registration__event__organiser").get(
        pk=refund.pk
    )
    if refund.state != RefundState.PENDING:
        return refund
    error, reference = None, ""
    try:
        reference = get_provider(refund.payment.provider).refund(refund)
    except PaymentError as refused:
        error = refused
    with transaction.atomic():
        locked = Refund.objects.select_for_update().get(pk=refund.pk)
        if locked.state == RefundState.CANCELLED and reference and not error:
            # Cancelled by the organiser while this try was under way, after Mollie had
            # told them it made none: it made it now. The money went back: say so.
            _record_refund_outcome(
                locked, payment=refund.payment, reference=reference, error=None, by=by
            )
            return locked
        if locked.state != RefundState.PENDING:
            return locked
        if error and error.code == "provider_unavailable":
            # It may have been paid back: failed, it would no longer count and could be
            # refunded anew, twice. Pending, a later try finds what this one made.
            locked.error = str(error.message)
            locked.save(update_fields=["error"])
        else:
            _record_refund_outcome(
                locked, payment=refund.payment, reference=reference, error=error, by=by
            )
    if error:
        raise error
    return locked


def _record_refund_outcome(
    locked: Refund, *, payment: Payment, reference: str, error: PaymentError | None, by
) -> None:
    """Mark the locked pending refund `locked` refunded (the provider's `reference`) or failed
    (`error`); log it, and queue the refund-made mail for one refunded."""
    locked.state = RefundState.FAILED if error else RefundState.REFUNDED
    locked.provider_reference = "" if error else reference
    locked.error = str(error.message) if error else ""
    locked.save(update_fields=["state", "provider_reference", "error"])
    log_action(
        payment.registration,
        action=f"refund.{locked.state}",
        by=by,
        data={"payment": payment.pk, "amount": str(locked.amount)},
    )
    if not error:
        # In the transaction that left "pending": however often the task or the
        # organiser's form runs again, this happens once.
        _queue_money_mail(
            payment.registration,
            kind=MailKind.REFUND_MADE,
            **refund_mail_context(locked, payment=payment),
        )


def refund_mail_context(refund: Refund, *, payment: Payment) -> dict:
    """Return what the refund-made mail is queued with: the amount, and how it went back
    (the `refund_method` placeholder): the provider, and of a payer's account only its last
    four characters (enough to recognise it; the outbox need not hold the whole number)."""
    return {
        "amount": euro(refund.amount),
        "refund_provider": payment.provider,
        "refund_account": payment.payer_iban.replace(" ", "")[-4:],
    }


def _pending_refund(refund: Refund) -> Refund:
    """Return `refund` read again, locked until the transaction ends; raise `PaymentError`
    "wrong_state" when it is no longer pending (settled meanwhile, by a sweep or a person)."""
    locked = (
        Refund.objects.select_for_update(of=("self",))
        .select_related("payment__registration")
        .get(pk=refund.pk)
    )
    if locked.state != RefundState.PENDING:
        raise PaymentError(exceptions.REFUND_NOT_STUCK, code="wrong_state")
    return locked


def _required_note(note: str) -> str:
    """Return the organiser's note on settling a refund themselves, or raise `PaymentError`
    "note_needed" for none: the history must say why."""
    note = (note or "").strip()[:500]
    if not note:
        raise PaymentError(exceptions.REFUND_NOTE_NEEDED, code="note_needed")
    return note


def retry_refund(refund: Refund, *, by) -> Refund:
    """Try a pending refund again now, for the organiser (`execute_refund`): paid back once,
    as a retry of the sweep is. Raise `PaymentError` as `execute_refund` does; "wrong_state"
    for a refund no longer pending.

    Side effects: those of `execute_refund`; when Mollie again gives no answer, a log entry
    that the organiser tried (with the reason), so the history shows every try.
    """
    if Refund.objects.filter(pk=refund.pk, state=RefundState.PENDING).count() == 0:
        raise PaymentError(exceptions.REFUND_NOT_STUCK, code="wrong_state")
    try:
        return execute_refund(refund, by=by)
    except PaymentError as refused:
        if refused.code == "provider_unavailable":
            with transaction.atomic():
                locked = Refund.objects.select_related("payment__registration").get(pk=refund.pk)
                log_action(
                    locked.payment.registration,
                    action="refund.retried",
                    by=by,
                    data={
                        "payment": locked.payment_id,
                        "amount": str(locked.amount),
                        "note": str(refused.message)[:300],
                    },
                )
        raise


def cancel_refund(refund: Refund, *, note: str, by) -> Refund:
    """Give up a pending refund that was not (and will not be) made, for the organiser.

    Only after asking the provider: a Mollie refund is first looked for at Mollie as a
    retry does (its metadata names ours). When Mollie made it after all, it is recorded
    refunded (with its mail), not cancelled: the money went back. When Mollie cannot be
    asked, raise `PaymentError` "provider_unavailable" and change nothing: giving it up
    without knowing could pay it back twice later. A refund of a payment paid another way
    is the organiser's own transfer: cancelled as they say. `note` (why) is required.

    Return the refund: cancelled (it no longer counts against the payment, and the sweep
    no longer tries it) or refunded. Side effects: log entry ("refund.cancelled", or
    "refund.refunded" noting it was found at Mollie); the refund-made mail when found.
    """
    note = _required_note(note)
    refund = Refund.objects.select_related("payment__registration__event__organiser").get(
        pk=refund.pk
    )
    if refund.state != RefundState.PENDING:
        raise PaymentError(exceptions.REFUND_NOT_STUCK, code="wrong_state")
    made = None
    if refund.payment.provider == ProviderName.MOLLIE:
        provider = get_provider(ProviderName.MOLLIE)
        try:
            made = provider.find_refund(refund)
        except PaymentError as unknown:
            reason = str(getattr(unknown.__cause__, "message", "") or unknown.message)
            raise PaymentError(
                exceptions.REFUND_CANNOT_CHECK % {"error": reason[:300]},
                code="provider_unavailable",
            ) from unknown
    with transaction.atomic():
        locked = _pending_refund(refund)
        payment = locked.payment
        if made:
            locked.note = note
            locked.save(update_fields=["note"])
            _record_refund_outcome(locked, payment=payment, reference=made, error=None, by=by)
            return locked
        locked.state, locked.note = RefundState.CANCELLED, note
        locked.save(update_fields=["state", "note"])
        log_action(
            payment.registration,
            action="refund.cancelled",
            by=by,
            data={"payment": payment.pk, "amount": str(locked.amount), "note": note},
        )
    return locked


def refund_paid_by_hand(refund: Refund, *, note: str, by) -> Refund:
    """Record a pending refund as paid back by the organiser themselves (a bank transfer),
    as a refund of a payment recorded by hand is; `note` says how and when (required).

    The refund no longer waits for its provider: the sweep no longer tries it. A Mollie
    refund that was made at Mollie too would pay twice: the screen says so before asking.

    Side effects: the refund refunded with the note; log entry ("refund.refunded", the
    note and `by_hand`); the refund-made mail, without saying which way it went.
    """
    note = _required_note(note)
    with transaction.atomic():
        locked = _pending_refund(refund)
        payment = locked.payment
        locked.state, locked.note, locked.error = RefundState.REFUNDED, note, ""
        locked.save(update_fields=["state", "note", "error"])
        log_action(
            payment.registration,
            action="refund.refunded",
            by=by,
            data={
                "payment": payment.pk,
                "amount": str(locked.amount),
                "note": note,
                "by_hand": True,
            },
        )
        _queue_money_mail(
            payment.registration,
            kind=MailKind.REFUND_MADE,
            amount=euro(locked.amount),
            refund_provider=ProviderName.MANUAL,
            refund_account="",
        )
    return locked


def refund_payment(
    payment: Payment, *, amount: Decimal, reason: str, by=None, submission: str | None = None
) -> Refund:
    """Refund `amount` of `payment` now (`create_refund`, then `execute_refund`)."""
    refund = create_refund(payment, amount=amount, reason=reason, by=by, submission=submission)
    return execute_refund(refund, by=by)


def transfer_details(invoice, *, amount: Decimal) -> dict:
    """Return what a booker needs to pay `amount` of `invoice` by bank transfer."""
    return {
        "amount": amount,
        "iban": invoice.seller_iban,
        "account_name": invoice.seller_account_name,
        "reference": invoice.payment_reference,
        "due_date": invoice.due_date,
    }
