"""What the booker's pages show about paying; shared by the manage and confirmation pages."""

from goedeburen.payments import queries, services
from goedeburen.registration.models import Registration


def payment_context(registration: Registration) -> dict:
    """Return the ways to pay left, the balance, the invoices and the transfer details."""
    balance = queries.balance(registration)
    current = queries.current_invoice(registration)
    transfer = None
    if current is not None and balance.open > 0:
        transfer = services.transfer_details(current, amount=balance.open)
    return {
        "balance": balance,
        "invoices": queries.registration_invoices(registration),
        "providers": services.available_providers(registration),
        "transfer": transfer,
        "payment_term_days": queries.payment_settings(registration.event).payment_term_days,
    }
