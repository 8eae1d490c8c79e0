"""The back office's check-in forms: the walk-in at the door and the day's settings."""

from django import forms
from django.utils.translation import gettext_lazy as _

from goedeburen.checkin import services
from goedeburen.checkin.models import CheckinSettings
from goedeburen.common.formfields import TidyCharField
from goedeburen.registration.forms import vat_number_field
from goedeburen.registration.models import TicketType

from .base import formfield, style


class WalkInForm(forms.Form):
    """One short form: ticket type, name, organisation, e-mail (optional), how it is paid,
    and for the invoice its address and (optional) the buyer's VAT number."""

    ticket_type = forms.ModelChoiceField(label=_("Ticket"), queryset=TicketType.objects.none())
    given_name = TidyCharField(label=_("First name"), max_length=100)
    family_name = TidyCharField(label=_("Last name"), max_length=150, required=False)
    organisation = TidyCharField(label=_("Organisation"), max_length=200, required=False)
    email = forms.EmailField(label=_("Email address"), required=False)
    payment = forms.ChoiceField(
        label=_("For a paid ticket"),
        choices=[
            (services.PAID_NOW, _("paid at the door")),
            (services.INVOICE_LATER, _("invoice afterwards")),
        ],
        initial=services.PAID_NOW,
    )
    invoice_address = TidyCharField(
        label=_("Invoice address"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed for a paid ticket: the invoice goes there."),
    )
    # The public form's own field: the same tidying, check and message.
    vat_number = vat_number_field(
        help_text=_(
            "Only if their organisation wants its VAT number on the invoice. Start with the "
            "country code, such as NL001234567B01."
        )
    )
    form_token = forms.CharField(widget=forms.HiddenInput, max_length=500)

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ticket_type"].queryset = TicketType.objects.filter(event=event)
        self.fields["ticket_type"].label_from_instance = lambda t: t.t.name
        for field in self.fields.values():
            style(field)

    def walk_in(self) -> services.WalkIn:
        data = self.cleaned_data
        return services.WalkIn(
            ticket_type=data["ticket_type"],
            given_name=data["given_name"],
            family_name=data["family_name"],
            organisation=data["organisation"],
            email=data["email"],
            payment=data["payment"],
            invoice_address=data["invoice_address"],
            vat_number=data["vat_number"],
        )


class CheckinSettingsForm(forms.ModelForm):
    class Meta:
        model = CheckinSettings
        fields = ["badge_layout", "badge_qr", "certificates", "certificate_hours"]
        formfield_callback = formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            style(field)
