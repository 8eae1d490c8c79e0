"""The event's partners (co-organisers), shown with their logos on the event page."""

from django.utils.translation import gettext_lazy as _

from goedeburen.backoffice.forms.partners import PartnerForm
from goedeburen.events.models import Partner

from . import base


class PartnerMixin:
    model = Partner
    name = "partner"


class PartnerListView(PartnerMixin, base.EventPartListView):
    pass


class PartnerCreateView(PartnerMixin, base.EventPartCreateView):
    form_class = PartnerForm


class PartnerUpdateView(PartnerMixin, base.EventPartUpdateView):
    form_class = PartnerForm


class PartnerDeleteView(PartnerMixin, base.EventPartDeleteView):
    warning = _("The partner and its logo disappear from the event’s page.")
