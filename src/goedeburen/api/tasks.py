"""Background work of the API: deliver a webhook; the sweep for lost or due deliveries."""

from django_tasks import task

from . import webhooks


@task()
def deliver_webhook(delivery_id: int) -> str:
    """Send webhook delivery `delivery_id` if it is due; return its state."""
    return webhooks.deliver(delivery_id)
