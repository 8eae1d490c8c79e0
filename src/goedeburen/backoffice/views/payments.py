"""Payments in the back office: overview, one registration's money, invoices, bank
statements with their unmatched lines, and the payment settings (the exports of these lists
are in `views/exports.py`).

Only the owner and finance roles (`payments.*` in `events.rules`) see or change any of it.
The organiser's own screens under an event's address, its bank statements (every event's
payers) and its legal and bank details (on every event's invoices), need a role of the
organiser itself. Every change is a POST that calls one service and returns to the screen it
came from.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from stdnum import iban as iban_number

from goedeburen.backoffice.forms.payments import (
    AssignForm,
    DismissForm,
    ManualPaymentForm,
    OrganiserBillingForm,
    PaymentSettingsForm,
    PeriodForm,
    RefundForm,
    ReissueForm,
    StatementUploadForm,
    StuckRefundForm,
    one_time_token,
)
from goedeburen.backoffice.permissions import EventPermissionMixin
from goedeburen.backoffice.views.confirm import ConfirmFirstMixin
from goedeburen.common import money
from goedeburen.common.audit import history
from goedeburen.common.logtypes import describe
from goedeburen.payments import exceptions as payment_exceptions
from goedeburen.payments import queries, services
from goedeburen.payments.downloads import invoice_response, invoice_ubl_response
from goedeburen.payments.enums import RefundState, TransactionKind, TransactionState
from goedeburen.payments.exceptions import PaymentError
from goedeburen.payments.models import (
    BankTransaction,
    Invoice,
    OrganiserBilling,
    Payment,
    Refund,
)
from goedeburen.payments.providers.mollie import key_mode
from goedeburen.registration import queries as registration_queries
from goedeburen.registration.enums import RegistrationStatus


class PaymentScreenMixin(EventPermissionMixin):
    # Each screen's permissions are these two attributes (and nothing else decides).
    permission_required = "payments.view_payments"
    change_permission = "payments.change_payments"
    section = "payments"

    def may_change(self) -> bool:
        return self.request.user.has_perm(self.change_permission, self.event)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("section", self.section)
        kwargs["can_change"] = self.may_change()
        return super().get_context_data(**kwargs)


class PaymentChangeMixin(PaymentScreenMixin):
    permission_required = "payments.change_payments"


class PaymentOverviewView(PaymentScreenMixin, TemplateView):
    """Open and overdue invoices, payments that came after the seats were gone, the set-up."""

    template_name = "backoffice/payments/overview.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        rows = queries.open_invoices(self.event)
        kwargs.update(
            open_invoices=rows,
            overdue=[(i, b) for i, b in rows if i.due_date and i.due_date < today],
            open_total=sum((b.open for _i, b in rows), queries.ZERO),
            flagged=list(queries.flagged_payments(self.event)),
            returned=list(queries.returned_payments(self.event)),
            stuck_refunds=list(queries.stuck_refunds(self.event)),
            overpaid=list(queries.overpaid_lines(self.event)),
            unmatched_count=queries.unmatched_transactions(self.event.organiser).count(),
            may_see_bank=self.request.user.has_perm("payments.view_bank", self.event.organiser),
            mollie_mode=key_mode(self.event.organiser),
            settings=queries.payment_settings(self.event),
            billing=queries.organiser_billing(self.event.organiser),
            today=today,
        )
        return super().get_context_data(**kwargs)


class _RegistrationMixin:
    def get_registration(self):
        if not hasattr(self, "registration"):
            self.registration = registration_queries.event_registration(
                self.event, self.kwargs["code"]
            )
            if self.registration is None:
                raise Http404
        return self.registration

    def back(self):
        return redirect(
            "backoffice:registration.payments",
            event=self.event.slug,
            code=self.get_registration().code,
        )


class RegistrationPaymentsView(_RegistrationMixin, PaymentScreenMixin, TemplateView):
    """One registration's money: balance, payments with refunds, invoices, history."""

    template_name = "backoffice/payments/registration.html"

    def get_context_data(self, **kwargs):
        registration = self.get_registration()
        entries = []
        for entry in history(registration)[:300]:
            if entry.action.startswith(("payment.", "refund.", "invoice.", "registration.paid")):
                entry.sentence = describe(entry, show_sensitive=False)
                entries.append(entry)
        kwargs.setdefault("manual_form", ManualPaymentForm())
        kwargs.setdefault("refund_form", RefundForm())
        kwargs.setdefault("reissue_form", ReissueForm())
        balance = queries.balance(registration)
        kwargs.update(
            registration=registration,
            # One token per rendering: the same refund form sent twice refunds once.
            refund_token=one_time_token(),
            balance=balance,
            # A cancelled registration whose invoice is credited owes nothing: nothing to
            # mark as paid.
            may_record_payment=not (
                registration.status == RegistrationStatus.CANCELLED and balance.open <= 0
            ),
            payments=queries.registration_payments(registration),
            invoices=queries.registration_invoices(registration),
            entries=entries,
        )
        return super().get_context_data(**kwargs)


class ManualPaymentView(RegistrationPaymentsView):
    """Record money received another way (logged, with a note)."""

    permission_required = "payments.change_payments"

    def post(self, request, *args, **kwargs):
        form = ManualPaymentForm(request.POST)
        registration = self.get_registration()
        if (
            registration.status == RegistrationStatus.CANCELLED
            and queries.balance(registration).open <= 0
        ):
            messages.error(
                request,
                _("This registration is cancelled and owes nothing: nothing to mark as paid."),
            )
            return self.back()
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.record_manual_payment(
                    self.get_registration(),
                    amount=data["amount"],
                    note=data["note"],
                    by=request.user,
                    confirm_overpayment=data["confirm_overpayment"],
                    submission=data["submission"],
                )
            except PaymentError as refused:
                form.add_error(
                    "confirm_overpayment" if refused.code == "needs_confirmation" else None,
                    refused.message,
                )
            else:
                messages.success(request, _("The payment is recorded."))
                return self.back()
        return self.render_to_response(self.get_context_data(manual_form=form))

    def get(self, request, *args, **kwargs):
        return self.back()


class RefundView(_RegistrationMixin, PaymentChangeMixin, ConfirmFirstMixin, View):
    """Refund part or all of one payment, through its provider."""

    confirm_title = gettext_lazy("Refund this payment?")
    confirm_text = gettext_lazy("The money goes back to the payer; a refund cannot be undone.")
    confirm_button = gettext_lazy("Refund")

    def check_target(self) -> None:
        registration = self.get_registration()
        if not Payment.objects.filter(
            registration=registration, pk=self.kwargs["payment"]
        ).exists():
            raise Http404

    def post(self, request, *args, **kwargs):
        payment = Payment.objects.filter(
            registration=self.get_registration(), pk=kwargs["payment"]
        ).first()
        if payment is None:
            raise Http404
        form = RefundForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                messages.error(request, " ".join(errors))
            return self.back()
        try:
            services.refund_payment(
                payment,
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
                by=request.user,
                submission=form.cleaned_data["submission"],
            )
        except PaymentError as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("The refund is made."))
        return self.back()


class StuckRefundView(_RegistrationMixin, PaymentChangeMixin, ConfirmFirstMixin, View):
    """Settle a pending refund that did not go through (an error recorded): try it again
    now, cancel it (only when Mollie says it made none), or record it as paid back by hand.
    """

    confirm_button = gettext_lazy("Yes, go ahead")
    # What each action does, as the confirm page says it.
    ACTIONS = {
        "retry": gettext_lazy("The refund is sent to Mollie again now; it is paid back once."),
        "cancel": gettext_lazy(
            "Mollie is asked first whether it made this refund. If it did, the refund is "
            "recorded as made; if not, it is cancelled: it no longer counts, is no longer "
            "tried, and the money can be refunded anew."
        ),
        "by_hand": gettext_lazy(
            "The refund is recorded as paid back by you (a bank transfer), with your note, "
            "and the booker gets the refund mail. Do this only after transferring the "
            "money yourself, and check in Mollie's dashboard that Mollie did not pay it "
            "back too."
        ),
    }

    @property
    def confirm_title(self):
        return _("Settle this refund?")

    def confirmation_text(self, request) -> str:
        action = request.POST.get("action", "")
        return str(self.ACTIONS.get(action, "")) or _("Choose what to do with the refund.")

    def get_refund(self):
        refund = Refund.objects.filter(
            payment__registration=self.get_registration(), pk=self.kwargs["refund"]
        ).first()
        if refund is None:
            raise Http404
        return refund

    def check_target(self) -> None:
        self.get_refund()

    def post(self, request, *args, **kwargs):
        refund = self.get_refund()
        form = StuckRefundForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                messages.error(request, " ".join(errors))
            return self.back()
        action, note = form.cleaned_data["action"], form.cleaned_data["note"]
        try:
            if action == "retry":
                done = services.retry_refund(refund, by=request.user)
            elif action == "cancel":
                done = services.cancel_refund(refund, note=note, by=request.user)
            else:
                done = services.refund_paid_by_hand(refund, note=note, by=request.user)
        except PaymentError as refused:
            messages.error(request, refused.message)
            return self.back()
        if action == "cancel" and done.state == RefundState.REFUNDED:
            messages.warning(
                request,
                _(
                    "Mollie did make this refund (%(reference)s): it is recorded as made, "
                    "not cancelled."
                )
                % {"reference": done.provider_reference},
            )
        elif action == "cancel":
            messages.success(request, _("Mollie made no such refund: the refund is cancelled."))
        elif action == "by_hand":
            messages.success(request, _("The refund is recorded as paid back by hand."))
        else:
            messages.success(request, _("The refund is made."))
        return self.back()


class ReissueInvoiceView(_RegistrationMixin, PaymentChangeMixin, ConfirmFirstMixin, View):
    """Credit an invoice in full and issue a new one with the billing details as they are now."""

    confirm_title = gettext_lazy("Credit this invoice and issue a new one?")
    confirm_text = gettext_lazy(
        "A credit note cancels the invoice and a new invoice is sent to the booker; both "
        "get a number of their own and cannot be undone."
    )
    confirm_button = gettext_lazy("Credit and reissue")

    def check_target(self) -> None:
        registration = self.get_registration()
        if not Invoice.objects.filter(
            registration=registration, pk=self.kwargs["invoice"]
        ).exists():
            raise Http404

    def post(self, request, *args, **kwargs):
        invoice = Invoice.objects.filter(
            registration=self.get_registration(), pk=kwargs["invoice"]
        ).first()
        if invoice is None:
            raise Http404
        form = ReissueForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give a reason for the credit note."))
            return self.back()
        try:
            credit, fresh = services.reissue_invoice(
                invoice, by=request.user, reason=form.cleaned_data["reason"]
            )
        except PaymentError as refused:
            messages.error(request, refused.message)
        else:
            messages.success(
                request,
                _("Credit note %(credit)s and new invoice %(invoice)s are issued.")
                % {"credit": credit.number, "invoice": fresh.number},
            )
        return self.back()


class InvoiceListView(PaymentScreenMixin, TemplateView):
    """The event's invoices and credit notes per period, with the exports for bookkeeping."""

    template_name = "backoffice/payments/invoice_list.html"
    section = "invoices"

    def get_context_data(self, **kwargs):
        form = PeriodForm(self.request.GET or None)
        period = form.cleaned_data if form.is_valid() else {}
        kwargs.update(
            form=form,
            invoices=list(
                queries.event_invoices(self.event, start=period.get("start"), end=period.get("end"))
            ),
            query=self.request.GET.urlencode(),
        )
        return super().get_context_data(**kwargs)


class InvoicePdfView(PaymentScreenMixin, View):
    """Download an invoice's or credit note's PDF."""

    def get(self, request, *args, **kwargs):
        invoice = Invoice.objects.filter(event=self.event, pk=kwargs["pk"]).first()
        if invoice is None:
            raise Http404
        return invoice_response(invoice)


class InvoiceUblView(PaymentScreenMixin, View):
    """Download an invoice's or credit note's e-invoice (UBL 2.1, Peppol BIS 3)."""

    def get(self, request, *args, **kwargs):
        invoice = Invoice.objects.filter(event=self.event, pk=kwargs["pk"]).first()
        if invoice is None:
            raise Http404
        return invoice_ubl_response(invoice)


class BankScreenMixin(PaymentScreenMixin):
    """The organiser's bank statements: every event's payers, so an organiser-level role.

    The bank screens' permissions are declared here, once.
    """

    permission_required = "payments.view_bank"
    permission_object = "organiser"
    section = "bank"

    def may_change(self) -> bool:
        return self.request.user.has_perm("payments.change_bank", self.event.organiser)


class StatementImportView(BankScreenMixin, TemplateView):
    """Upload a bank statement (CAMT.053 or MT940); the files imported before, each to be opened."""

    template_name = "backoffice/payments/bank.html"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", StatementUploadForm())
        kwargs.update(
            statements=list(queries.bank_statements(self.event.organiser)[:50]),
            unmatched_count=queries.unmatched_transactions(self.event.organiser).count(),
        )
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        if not self.may_change():
            raise PermissionDenied
        form = StatementUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        upload = form.cleaned_data["file"]
        try:
            result = services.import_statements(
                self.event, filename=upload.name, data=upload.read(), by=request.user
            )
        except PaymentError as refused:
            form.add_error("file", refused.message)
            return self.render_to_response(self.get_context_data(form=form))
        statements = result.statements
        counts = result.line_counts()
        if len(statements) > 1:
            counts["files"] = len(statements)
            messages.success(
                request,
                _(
                    "%(files)s statement files imported, %(new)s new lines: %(matched)s "
                    "booked, %(unmatched)s unmatched, %(skipped)s skipped, %(returned)s "
                    "returns; %(known)s lines were imported before."
                )
                % counts,
            )
        else:
            messages.success(
                request,
                _(
                    "%(new)s new lines imported: %(matched)s booked, %(unmatched)s unmatched, "
                    "%(skipped)s skipped, %(returned)s returns; %(known)s lines were imported "
                    "before."
                )
                % counts,
            )
        if result.known_files:
            messages.info(
                request,
                _("Imported before, so nothing was booked from them again: %(files)s.")
                % {"files": ", ".join(result.known_files)},
            )
        if result.other_accounts:
            messages.info(
                request,
                _(
                    "The file also holds statements of account %(accounts)s, which is not "
                    "the organiser's; those were left out."
                )
                % {"accounts": ", ".join(iban_number.format(a) for a in result.other_accounts)},
            )
        if len(statements) > 1:
            return redirect("backoffice:bank.list", event=self.event.slug)
        return redirect("backoffice:bank.statement", event=self.event.slug, pk=statements[0].pk)


class StatementDetailView(BankScreenMixin, TemplateView):
    """One imported statement: every line, in file order, with what became of it."""

    template_name = "backoffice/payments/statement.html"
    paginate_by = 200

    def get_context_data(self, **kwargs):
        statement = (
            queries.bank_statements(self.event.organiser).filter(pk=self.kwargs["pk"]).first()
        )
        if statement is None:
            raise Http404
        page = Paginator(queries.statement_lines(statement), self.paginate_by).get_page(
            self.request.GET.get("page")
        )
        kwargs.update(statement=statement, page=page, lines=list(page.object_list))
        return super().get_context_data(**kwargs)


class UnmatchedListView(BankScreenMixin, TemplateView):
    """Bank lines no registration was found for: suggestions, book or dismiss (each asked first)."""

    template_name = "backoffice/payments/unmatched.html"

    def get_context_data(self, **kwargs):
        lines = list(queries.unmatched_transactions(self.event.organiser)[:200])
        # A return waiting for a person pays for nothing: no registration to suggest.
        money_in = (TransactionKind.CREDIT, TransactionKind.DEBIT_REVERSAL)
        found = queries.suggestions([line for line in lines if line.kind in money_in])
        for line in lines:
            line.suggested = found.get(line.pk, [])
        kwargs.update(
            transactions=lines,
            assign_form=AssignForm(),
            dismiss_form=DismissForm(),
        )
        return super().get_context_data(**kwargs)


class _TransactionAction(BankScreenMixin, ConfirmFirstMixin, View):
    """Book or dismiss one unmatched bank line: asked first, as neither can be undone here."""

    permission_required = "payments.change_bank"
    form_class = None

    def back(self):
        return redirect("backoffice:bank.unmatched", event=self.event.slug)

    def unmatched_line(self):
        return BankTransaction.objects.filter(
            organiser=self.event.organiser, pk=self.kwargs["pk"], state=TransactionState.UNMATCHED
        ).first()

    def needs_confirmation(self, request) -> bool:
        # A line already handled or a form with errors is refused at once, without asking.
        return self.form_class(request.POST).is_valid() and self.unmatched_line() is not None

    def post(self, request, *args, **kwargs):
        row = self.unmatched_line()
        if row is None:
            messages.error(request, _("This bank statement line was already handled."))
            return self.back()
        form = self.form_class(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                messages.error(request, " ".join(errors))
            return self.back()
        try:
            done = self.act(row, **form.cleaned_data)
        except PaymentError as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, done)
        return self.back()


class AssignTransactionView(_TransactionAction):
    form_class = AssignForm
    confirm_title = gettext_lazy("Book this bank line?")
    confirm_button = gettext_lazy("Book the line")

    def confirmation_text(self, request) -> str:
        form = self.form_class(request.POST)
        form.is_valid()  # asked only when it is
        if form.cleaned_data["shares"]:
            return _(
                "The line is split into a payment for each of these registrations, each "
                "counting towards what it owes: %(shares)s."
            ) % {"shares": _shares(form.cleaned_data["shares"])}
        return _(
            "The line is booked as a payment of registration %(code)s and counts towards what "
            "it owes."
        ) % {"code": form.cleaned_data["code"].upper()}

    def needs_confirmation(self, request) -> bool:
        # An unknown code is refused at once: asking first would promise a booking onto it.
        if not super().needs_confirmation(request):
            return False
        form = self.form_class(request.POST)
        form.is_valid()
        try:
            self._check_targets(**form.cleaned_data)
        except PaymentError:
            return False
        return True

    def act(self, row, *, code, shares):
        self._check_targets(code=code, shares=shares)
        if shares:
            payments = services.split_transaction(row, shares=shares, by=self.request.user)
            return _("The line is split: %(shares)s.") % {
                "shares": _shares([(p.registration.code, p.amount) for p in payments])
            }
        payment = services.assign_transaction(row, code=code, by=self.request.user)
        return _("The line is booked for registration %(code)s.") % {
            "code": payment.registration.code
        }

    def _check_targets(self, *, code: str, shares) -> None:
        # A line is booked only onto a registration of an event the user handles payments of;
        # any other code reads as unknown, whether it exists or not.
        for wanted, _amount in shares or [(code, None)]:
            target = registration_queries.organiser_registration(self.event.organiser, wanted)
            if target is None or not self.request.user.has_perm(
                "payments.change_payments", target.event
            ):
                raise PaymentError(
                    payment_exceptions.NOT_FOUND % {"code": wanted.strip().upper()},
                    code="not_found",
                )


def _shares(shares) -> str:
    """Return "ABCD2345 € 62,50, EFGH6789 € 62,50" for (code, amount) pairs, as people read it."""
    return ", ".join(f"{code} {money.euro(amount)}" for code, amount in shares)


class DismissTransactionView(_TransactionAction):
    form_class = DismissForm
    confirm_title = gettext_lazy("Dismiss this bank line?")
    confirm_text = gettext_lazy(
        "The line is set aside as no registration's payment, with your note; it stays in its "
        "statement."
    )
    confirm_button = gettext_lazy("Dismiss the line")

    def act(self, row, *, note):
        services.dismiss_transaction(row, note=note, by=self.request.user)
        return _("The line is dismissed.")


class PaymentSettingsView(PaymentChangeMixin, TemplateView):
    """How the event is paid for, and the organiser's invoice details.

    The invoice details (legal name, IBAN …) are the organiser's, printed by every event: only
    its owner (`payments.change_billing` on the organiser) gets them as a form; anyone else
    sees them and cannot change them, whatever the POST holds.
    """

    template_name = "backoffice/payments/settings.html"

    def may_change_billing(self) -> bool:
        return self.request.user.has_perm("payments.change_billing", self.event.organiser)

    def forms(self, data=None):
        settings = queries.payment_settings(self.event)
        billing = queries.organiser_billing(self.event.organiser) or OrganiserBilling(
            organiser=self.event.organiser
        )
        billing_form = None
        if self.may_change_billing():
            billing_form = OrganiserBillingForm(data, instance=billing, prefix="billing")
        return PaymentSettingsForm(data, instance=settings, prefix="settings"), billing_form

    def get_context_data(self, **kwargs):
        if "settings_form" not in kwargs:
            kwargs["settings_form"], kwargs["billing_form"] = self.forms()
        kwargs["billing"] = queries.organiser_billing(self.event.organiser)
        kwargs["mollie_mode"] = key_mode(self.event.organiser)
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        settings_form, billing_form = self.forms(request.POST)
        valid = settings_form.is_valid()
        valid = (billing_form is None or billing_form.is_valid()) and valid
        if valid:
            try:
                services.save_payment_settings(
                    self.event, values=settings_form.cleaned_data, by=request.user
                )
                if billing_form is not None:
                    services.save_organiser_billing(
                        self.event.organiser, values=billing_form.cleaned_data, by=request.user
                    )
            except ValidationError as wrong:
                form = billing_form or settings_form
                for field, errors in wrong.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("The payment settings are saved."))
                return redirect("backoffice:payment.settings", event=self.event.slug)
        return self.render_to_response(
            self.get_context_data(settings_form=settings_form, billing_form=billing_form)
        )
