"""Ticket types and the quotas they share, as the organiser sets them up; the target mix of
stakeholder groups the event aims for."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from goedeburen.registration.enums import AttendingRole
from goedeburen.registration.models import Quota, TicketType

from .base import BackofficeForm, style
from .payments import AmountField

_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class TicketTypeForm(BackofficeForm):
    """A ticket type with the quotas it counts against (it is sold only within a quota)."""

    # "95,00" as the Dutch write it, or "95.00".
    price = AmountField(
        label=_("price (EUR, incl. VAT)"),
        min_value=Decimal("0.00"),
        max_digits=8,
        help_text=_(
            "What one attendee pays, VAT included, such as 125,00; 0 for a free ticket. A new "
            "price holds for new registrations only: registrations made and invoices sent "
            "keep theirs."
        ),
    )
    vat_rate = AmountField(
        label=_("VAT rate (%)"),
        min_value=Decimal("0.00"),
        max_digits=5,
        help_text=_("21, 9 or 0; with a VAT exemption it must be 0."),
    )

    quotas = forms.ModelMultipleChoiceField(
        label=_("Counts against the quotas"),
        queryset=Quota.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "A ticket type is sold only while every quota it counts against has a seat free; "
            "without a quota it is not sold at all."
        ),
    )

    class Meta(BackofficeForm.Meta):
        model = TicketType
        fields = [
            "name_nl",
            "name_en",
            "description_nl",
            "description_en",
            "includes_nl",
            "includes_en",
            "price",
            "vat_rate",
            "vat_exemption",
            "sale_start",
            "sale_end",
            "needs_approval",
            "visible",
            "min_per_registration",
            "max_per_registration",
            "order",
        ]
        widgets = {"sale_start": _DATETIME, "sale_end": _DATETIME}
        help_texts = {
            "includes_nl": _("Shown with the price, such as: lunch, koffie & thee en borrel."),
            "visible": _("Hidden ticket types are not offered on the public form."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["quotas"] = list(self.instance.quotas.values_list("pk", flat=True))
        for name in ("sale_start", "sale_end"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
            style(self.fields[name])

    def limit_choices(self) -> None:
        self.fields["quotas"].queryset = Quota.objects.filter(event=self.event)


class QuotaForm(BackofficeForm):
    """A number of seats and the ticket types that share them."""

    class Meta(BackofficeForm.Meta):
        model = Quota
        fields = ["name", "size", "ticket_types"]
        help_texts = {
            "size": _("It can never be set below the seats taken now."),
            "ticket_types": _("Every ticket type ticked takes its seats from this quota."),
        }

    def limit_choices(self) -> None:
        self.fields["ticket_types"].queryset = TicketType.objects.filter(event=self.event)
        self.fields["ticket_types"].required = False


class TargetMixForm(forms.Form):
    """The event's target share per stakeholder group, in %; together 100 % at most."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for role in AttendingRole:
            self.fields[role.value] = AmountField(
                label=role.label,
                required=False,
                min_value=Decimal("0"),
                max_value=Decimal("100"),
                max_digits=5,
                help_text=_("In %, such as 25; empty for no target."),
                error_messages={"invalid": _("Enter a percentage, such as 25 or 12,5.")},
            )
            style(self.fields[role.value])

    def clean(self):
        cleaned = super().clean()
        total = sum((share for share in cleaned.values() if share), Decimal("0"))
        if total > 100:
            raise forms.ValidationError(
                _("The target shares add up to %(total)s %%; together they may be 100 %% at most.")
                % {"total": f"{total.normalize():f}"},
                code="above_100",
            )
        return cleaned
