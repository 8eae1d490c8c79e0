"""Move the events' version on when what their payment pages read of them changes.

`queries.payment_setup` is cached per version of the event (`Event.updated`, as the
registration's booking data are): the payment settings of an event and the organiser's
invoice details (whether bank transfer and invoice afterwards can be offered) move it on.
"""

from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from goedeburen.events.models import Event

from .models import OrganiserBilling, PaymentSettings


def _settings_changed(sender, instance, **kwargs):
    Event.objects.filter(pk=instance.event_id).update(updated=timezone.now())


def _billing_changed(sender, instance, **kwargs):
    Event.objects.filter(organiser_id=instance.organiser_id).update(updated=timezone.now())


def connect() -> None:
    """Connect the receivers (from `PaymentsConfig.ready`)."""
    for signal in (post_save, post_delete):
        signal.connect(
            _settings_changed, sender=PaymentSettings, dispatch_uid=f"payments.version.{signal}"
        )
        signal.connect(
            _billing_changed, sender=OrganiserBilling, dispatch_uid=f"payments.billing.{signal}"
        )
