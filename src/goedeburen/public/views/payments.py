"""Paying behind the secret manage link, the invoice download, and Mollie's webhook.

The pay buttons and bank-transfer details show on the manage page and the confirmation
page (`payment_info.payment_context`); choosing a way to pay is a POST that calls one service. The
webhook only says "payment X changed": the service fetches X from Mollie itself.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from goedeburen.accounts.network import client_ip
from goedeburen.common.links import absolute_url
from goedeburen.payments import services
from goedeburen.payments.downloads import invoice_response, invoice_ubl_response
from goedeburen.payments.enums import ProviderName
from goedeburen.payments.exceptions import PaymentError
from goedeburen.payments.models import Invoice

from .manage import ManageMixin

WEBHOOK_URL_NAME = "payments.mollie_webhook"


class PayView(ManageMixin, View):
    """Pay the open amount the way the booker chose: online, by transfer, or on invoice."""

    def post(self, request, *args, **kwargs):
        provider = request.POST.get("provider", "")
        if provider not in ProviderName.values:
            messages.error(request, _("Choose one of the ways to pay."))
            return redirect(self.manage_url())
        try:
            started = services.choose_provider(
                self.registration,
                provider=provider,
                return_url=absolute_url(self.manage_url()),
                webhook_url=absolute_url(reverse(f"public:{WEBHOOK_URL_NAME}")),
                client=client_ip(request),
            )
        except PaymentError as refused:
            messages.error(request, refused.message)
            return redirect(self.manage_url())
        if started.redirect_url:
            return redirect(started.redirect_url)
        if provider == ProviderName.INVOICE:
            return self.done(_("Your registration is confirmed. The invoice is on its way."))
        return self.done(
            _("Your places are held. Please transfer the amount with the payment reference.")
        )


class InvoiceDownloadView(ManageMixin, View):
    """The PDF of one of the registration's invoices or credit notes."""

    def get(self, request, *args, **kwargs):
        found = Invoice.objects.filter(
            registration=self.registration, number=kwargs["number"]
        ).first()
        if found is None:
            raise Http404
        return invoice_response(found)


class InvoiceUblDownloadView(ManageMixin, View):
    """The e-invoice (UBL XML) of one of the registration's invoices or credit notes."""

    def get(self, request, *args, **kwargs):
        found = Invoice.objects.filter(
            registration=self.registration, number=kwargs["number"]
        ).first()
        if found is None:
            raise Http404
        return invoice_ubl_response(found)


@method_decorator(csrf_exempt, name="dispatch")
class MollieWebhookView(View):
    """Mollie says a payment changed: fetch it and record it; always 200 unless Mollie is down.

    An unknown id also gets 200 (nothing to tell a caller who guesses). When Mollie cannot
    be reached the answer is 503, so that Mollie delivers the webhook again later.
    """

    def post(self, request, *args, **kwargs):
        reference = request.POST.get("id", "")[:100]
        # A NUL byte is in no id of Mollie's, and PostgreSQL cannot look one up (a 500).
        if not reference or "\x00" in reference:
            return HttpResponse(status=200)
        try:
            services.sync_provider_payment(ProviderName.MOLLIE, reference)
        except PaymentError:
            return HttpResponse(status=503)
        return HttpResponse(status=200)
