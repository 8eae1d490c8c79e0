"""What the booker's pages show about paying; shared by the manage and confirmation pages."""

from goedeburen.payments import queries, services
from goedeburen.registration.models import Registration


def payment_context(registration: Registration) -> dict:
    """Return the ways to pay left, the balance, the invoices and the transfer details.

    Read once (`payments.queries.payment_overview`: one query, the setup cached).
    """
    overview = queries.payment_overview(registration)
    balance = overview.balance
    transfer = None
    if overview.current is not None and balance.open > 0:
        transfer = services.transfer_details(overview.current, amount=balance.open)
    return {
        "balance": balance,
        "invoices": overview.invoices,
        "providers": services.providers_for(
            registration, balance=balance, current=overview.current, setup=overview.setup
        ),
        "transfer": transfer,
        "payment_term_days": overview.setup.settings.payment_term_days,
    }
