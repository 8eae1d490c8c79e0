"""Forms of the payment screens: money in, money back, bank files, settings."""

import re
import uuid
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from goedeburen.common.formfields import TidyCharField
from goedeburen.payments import exceptions
from goedeburen.payments.camt import MAX_BYTES
from goedeburen.payments.models import OrganiserBilling, PaymentSettings
from goedeburen.payments.services.setup import clean_billing_numbers

from .base import formfield, style


class _Styled:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            style(field)


# An amount as people type it: 125, 125.00 or the Dutch 125,00 (what Dutch pages pre-fill),
# with at most two decimals. "1,250" is refused rather than read as 1.25 or 1250.
_AMOUNT = re.compile(r"^\s*€?\s*(\d{1,8})(?:[.,](\d{1,2}))?\s*$")


class AmountField(forms.DecimalField):
    """A euro amount that accepts a decimal point or a decimal comma."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 10)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0.01"))
        kwargs.setdefault("help_text", _("In euros, such as 125,00."))
        kwargs["error_messages"] = {
            "invalid": _("Enter an amount in euros, such as 125,00."),
            **kwargs.get("error_messages", {}),
        }
        super().__init__(**kwargs)
        self.widget.input_type = "text"
        self.widget.attrs.update(inputmode="decimal", autocomplete="off")
        self.widget.attrs.pop("step", None)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        found = _AMOUNT.match(str(value))
        if not found:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return Decimal(f"{found.group(1)}.{(found.group(2) or '0').ljust(2, '0')}")


def one_time_token() -> str:
    """Return a fresh token for one rendering of a form that must count once."""
    return uuid.uuid4().hex


class ManualPaymentForm(_Styled, forms.Form):
    amount = AmountField(label=_("Amount received"))
    note = TidyCharField(
        label=_("Note"),
        max_length=500,
        help_text=_("How and when it was paid; kept in the registration's history."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    confirm_overpayment = forms.BooleanField(
        label=_("Yes, record it even if it is more than the registration still owes"),
        required=False,
    )
    submission = forms.CharField(widget=forms.HiddenInput, max_length=40, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("submission", one_time_token())
        super().__init__(*args, **kwargs)


class RefundForm(_Styled, forms.Form):
    amount = AmountField(label=_("Amount to refund"))
    reason = TidyCharField(label=_("Reason"), max_length=500)
    submission = forms.CharField(widget=forms.HiddenInput, max_length=40, required=False)


class StuckRefundForm(_Styled, forms.Form):
    """What to do with a pending refund that did not go through (`StuckRefundView`)."""

    action = forms.ChoiceField(
        choices=[
            ("retry", _("Try again now")),
            ("cancel", _("Cancel this refund")),
            ("by_hand", _("Paid back by hand")),
        ]
    )
    note = TidyCharField(label=_("Note"), max_length=500, required=False)

    def clean(self):
        data = super().clean()
        if data.get("action") in ("cancel", "by_hand") and not data.get("note"):
            self.add_error("note", exceptions.REFUND_NOTE_NEEDED)
        return data


class ReissueForm(_Styled, forms.Form):
    reason = TidyCharField(
        label=_("Reason"),
        max_length=500,
        help_text=_("Such as “wrong purchase order number”; change the billing details first."),
    )


class StatementUploadForm(_Styled, forms.Form):
    file = forms.FileField(
        label=_("Bank statement file"),
        help_text=_(
            "The statement export of your bank: CAMT.053 (XML, versions 001.02 to 001.14) or "
            "MT940 (.sta, .940, .txt), or a ZIP file of them."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload


# One share of a split bank line as people type it: a code, then its amount ("K7QW3XPA
# 62,50", with a colon, "=" or "€" between if they like).
_SHARE = re.compile(r"^\s*([0-9A-Za-z]{8})\s*[:=]?\s*(€?\s*[0-9][0-9.,]*)\s*$")


class AssignForm(_Styled, forms.Form):
    """Book an unmatched line for one registration (`code`), or split it over several
    (`shares`: one registration a line, its code and amount)."""

    code = TidyCharField(label=_("Registration code"), max_length=8, min_length=8, required=False)
    shares = forms.CharField(
        label=_("Registrations and amounts"),
        help_text=_("One registration a line: its code and amount, such as ABCD2345 62,50."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )

    def clean_shares(self) -> list[tuple[str, Decimal]]:
        text = self.cleaned_data.get("shares", "")
        parts = [part for part in re.split(r"[\r\n;]+", text) if part.strip()]
        shares = []
        amount_field = AmountField()
        for part in parts:
            found = _SHARE.match(part)
            if not found:
                raise forms.ValidationError(
                    _("“%(line)s” is not a code and an amount, such as ABCD2345 62,50."),
                    params={"line": part.strip()[:40]},
                    code="invalid",
                )
            try:
                amount = amount_field.clean(found.group(2))
            except forms.ValidationError as wrong:
                raise forms.ValidationError(
                    _("“%(line)s”: the amount is not an amount in euros, such as 62,50."),
                    params={"line": part.strip()[:40]},
                    code="invalid",
                ) from wrong
            shares.append((found.group(1).upper(), amount))
        return shares

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if bool(cleaned.get("code")) == bool(cleaned.get("shares")):
            raise forms.ValidationError(
                _("Give one registration code, or the registrations and amounts to split over."),
                code="required",
            )
        return cleaned


class DismissForm(_Styled, forms.Form):
    note = TidyCharField(label=_("Why it is not a registration's payment"), max_length=500)


class PeriodForm(_Styled, forms.Form):
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] < cleaned["start"]:
            raise forms.ValidationError(_("The end of the period must not be before its start."))
        return cleaned


class PaymentSettingsForm(_Styled, forms.ModelForm):
    class Meta:
        model = PaymentSettings
        fields = [
            "mollie_enabled",
            "bank_transfer_enabled",
            "invoice_enabled",
            "payment_term_days",
            "reminder_days",
            "cancel_after_days",
        ]
        formfield_callback = formfield


class OrganiserBillingForm(_Styled, forms.ModelForm):
    # Longer than stored: people type spaces, which `clean` takes out.
    kvk_number = TidyCharField(label=_("KvK number"), max_length=12)
    vat_number = TidyCharField(label=_("VAT number"), max_length=20)
    iban = TidyCharField(label=_("IBAN"), max_length=42)

    class Meta:
        model = OrganiserBilling
        fields = ["legal_name", "address", "kvk_number", "vat_number", "iban", "account_name"]
        formfield_callback = formfield

    def clean(self):
        cleaned = super().clean()
        try:
            cleaned.update(
                clean_billing_numbers(
                    kvk_number=cleaned.get("kvk_number", ""),
                    vat_number=cleaned.get("vat_number", ""),
                    iban=cleaned.get("iban", ""),
                )
            )
        except forms.ValidationError as wrong:
            for field, errors in wrong.message_dict.items():
                if field in self.fields and field not in self.errors:
                    self.add_error(field, errors)
        return cleaned
