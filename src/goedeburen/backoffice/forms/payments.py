"""Forms of the payment screens: money in, money back, bank files, settings."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from goedeburen.payments.camt import MAX_BYTES
from goedeburen.payments.models import OrganiserBilling, PaymentSettings
from goedeburen.payments.services.setup import clean_billing_numbers

from .base import formfield, style


class _Styled:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            style(field)


def _amount(label):
    return forms.DecimalField(
        label=label,
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text=_("In euros, such as 125.00."),
    )


class ManualPaymentForm(_Styled, forms.Form):
    amount = _amount(_("Amount received"))
    note = forms.CharField(
        label=_("Note"),
        max_length=500,
        help_text=_("How and when it was paid; kept in the registration's history."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RefundForm(_Styled, forms.Form):
    amount = _amount(_("Amount to refund"))
    reason = forms.CharField(label=_("Reason"), max_length=500)


class ReissueForm(_Styled, forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        help_text=_("Such as “wrong purchase order number”; change the billing details first."),
    )


class StatementUploadForm(_Styled, forms.Form):
    file = forms.FileField(
        label=_("CAMT.053 file"),
        help_text=_("The statement export of your bank (XML), versions 001.02 to 001.08."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 50 MB."))
        return upload


class AssignForm(_Styled, forms.Form):
    code = forms.CharField(label=_("Registration code"), max_length=8, min_length=8)


class DismissForm(_Styled, forms.Form):
    note = forms.CharField(label=_("Why it is not a registration's payment"), max_length=500)


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
    kvk_number = forms.CharField(label=_("KvK number"), max_length=12)
    vat_number = forms.CharField(label=_("VAT number"), max_length=20)
    iban = forms.CharField(label=_("IBAN"), max_length=42)

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
