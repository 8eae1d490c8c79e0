"""E-invoices reach the buyer: downloadable beside the PDF on the participant's page and in
the back office, attached to the invoice mail when the buyer asked for one; the e-invoice
details are optional fields of the public billing form."""

import pytest
from defusedxml.ElementTree import fromstring
from django.urls import reverse

from goedeburen.mail.enums import MailKind
from goedeburen.mail.models import OutgoingMail
from goedeburen.payments import services
from goedeburen.payments.enums import ProviderName
from goedeburen.payments.models import Invoice
from goedeburen.registration.models import Registration
from tests.factories import TeamMemberFactory, UserFactory
from tests.registration.helpers import form_data, url

from .test_public import manage

pytestmark = pytest.mark.django_db
UBL = "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice"


def test_the_participant_downloads_the_e_invoice_beside_the_pdf(client, register):
    registration = register(org_id="00000001003214345000")
    services.choose_provider(registration, provider=ProviderName.INVOICE)
    invoice = Invoice.objects.get()

    page = client.get(manage(registration)).content.decode()
    response = client.get(
        manage(registration, "public:registration.invoice_ubl", number=invoice.number)
    )

    assert manage(registration, "public:registration.invoice_ubl", number=invoice.number) in page
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="invoice-{invoice.number}.xml"'
    assert fromstring(response.content).tag == UBL


def test_a_buyer_without_an_electronic_address_is_offered_no_e_invoice(
    client, register, event, english
):
    """Peppol requires the buyer's electronic address (PEPPOL-EN16931-R010, fatal) and
    takes no e-mail address: without a Peppol ID, OIN or KvK number no file can pass its
    rules, so none is offered; the page says why instead of linking to a failing file."""
    registration = register(address="Lindelaan 1\n3701 AA Zeist")
    services.choose_provider(registration, provider=ProviderName.INVOICE)
    invoice = Invoice.objects.get()
    user = UserFactory()
    TeamMemberFactory(organiser=event.organiser, user=user, role="finance", event=event)

    link = manage(registration, "public:registration.invoice_ubl", number=invoice.number)
    page = client.get(manage(registration)).content.decode()
    public = client.get(link)
    client.force_login(user)
    back = client.get(
        reverse("backoffice:invoice.ubl", kwargs={"event": event.slug, "pk": invoice.pk})
    )
    listed = client.get(
        reverse(
            "backoffice:registration.payments",
            kwargs={"event": event.slug, "code": registration.code},
        )
    ).content.decode()

    assert not invoice.has_einvoice
    assert link not in page
    assert "no e-invoice: for that we need the Peppol ID, OIN or KvK number" in page
    assert (public.status_code, back.status_code) == (404, 404)
    assert "no e-invoice: the buyer has no Peppol ID, OIN or KvK number" in listed


def test_another_registrations_e_invoice_is_not_found_through_my_link(client, register):
    mine, theirs = register(), register(email="other@example.org")
    services.choose_provider(theirs, provider=ProviderName.INVOICE)
    number = Invoice.objects.get().number

    response = client.get(manage(mine, "public:registration.invoice_ubl", number=number))

    assert response.status_code == 404


def test_the_back_office_downloads_the_e_invoice(client, register, event):
    services.choose_provider(register(org_id="41178444"), provider=ProviderName.INVOICE)
    invoice = Invoice.objects.get()
    user = UserFactory()
    TeamMemberFactory(organiser=event.organiser, user=user, role="finance", event=event)
    client.force_login(user)

    response = client.get(
        reverse("backoffice:invoice.ubl", kwargs={"event": event.slug, "pk": invoice.pk})
    )

    assert response.status_code == 200
    assert fromstring(response.content).tag == UBL


@pytest.mark.parametrize(("asked", "files"), [(True, 2), (False, 1)])
def test_the_invoice_mail_carries_the_e_invoice_when_the_buyer_asked(
    register, smtp, immediate_tasks, django_capture_on_commit_callbacks, asked, files
):
    registration = register(org_id="12345678", einvoice=asked)

    with django_capture_on_commit_callbacks(execute=True):
        services.choose_provider(registration, provider=ProviderName.INVOICE)

    OutgoingMail.objects.get(kind=MailKind.INVOICE)
    [message] = [m for m in smtp.messages if m["To"] == registration.email]
    attachments = list(message.iter_attachments())
    assert len(attachments) == files
    if asked:
        ubl = attachments[1]
        assert ubl.get_content_type() == "application/xml"
        assert ubl.get_filename() == f"invoice-{Invoice.objects.get().number}.xml"
        assert (
            fromstring(
                ubl.get_content()
                if isinstance(ubl.get_content(), bytes)
                else ubl.get_content().encode()
            ).tag
            == UBL
        )


def test_the_public_form_takes_the_e_invoice_details(client, event, ticket):
    data = form_data(
        client,
        event,
        [ticket],
        **{
            "billing-org_id": "00000001003214345000",
            "billing-peppol_id": "0190:00000001003214345000",
            "billing-einvoice": "on",
            "payment-provider": "bank_transfer",
        },
    )

    response = client.post(url("public:registration.start", event.slug), data)

    assert response.status_code == 302
    registration = Registration.objects.get()
    assert (
        registration.billing_org_id,
        registration.billing_peppol_id,
        registration.billing_einvoice,
    ) == ("00000001003214345000", "0190:00000001003214345000", True)


@pytest.mark.parametrize(
    ("field", "value"),
    [("billing-org_id", "1234"), ("billing-org_id", "KVK12345678"), ("billing-peppol_id", "abc")],
)
def test_a_wrong_e_invoice_detail_is_refused_clearly(client, event, ticket, field, value, english):
    data = form_data(client, event, [ticket], **{field: value})

    response = client.post(url("public:registration.start", event.slug), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="id_{field}_error"' in html
    assert not Registration.objects.exists()
