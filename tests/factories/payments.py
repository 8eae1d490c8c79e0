"""factory_boy factories for payments."""

import factory

from goedeburen.payments import models

from .events import OrganiserFactory


class OrganiserBillingFactory(factory.django.DjangoModelFactory):
    """An organiser's complete invoice details: bank transfer and invoices are offered."""

    class Meta:
        model = models.OrganiserBilling

    organiser = factory.SubFactory(OrganiserFactory)
    legal_name = "Stichting Goede Buren"
    address = "Beneluxlaan 9\n3527 HT Utrecht"
    kvk_number = "12345678"
    vat_number = "NL001000007B01"
    iban = "NL91ABNA0417164300"
    account_name = "Stichting Goede Buren"
