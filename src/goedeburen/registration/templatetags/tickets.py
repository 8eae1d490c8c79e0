"""What the public pages say about tickets, derived from the ticket types themselves."""

from django import template

from goedeburen.registration import queries

register = template.Library()


@register.simple_tag
def price_list(event) -> "queries.PriceList":
    """Return the event's `PriceList`: its visible ticket types in a quota, with prices."""
    return queries.price_list(event)
