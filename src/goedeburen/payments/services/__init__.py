"""Use cases of the payments domain; the only code in this app that writes.

One module per area; the public names are re-exported here, so callers write
`from goedeburen.payments import services`.
"""

from ..exceptions import PaymentError
from .bank_import import (
    StatementImport,
    assign_transaction,
    dismiss_transaction,
    import_statement,
    import_statements,
    settle_payments,
    split_transaction,
)
from .follow_up import FollowUp, follow_up_unpaid, remind_held_payments, schedule_hold_reminder
from .invoices import credit_invoice, issue_invoice, reissue_invoice
from .payments import (
    OFFLINE_PROVIDERS,
    apply_status,
    available_providers,
    cancel_refund,
    choose_provider,
    create_refund,
    execute_refund,
    providers_for,
    record_manual_payment,
    refund_paid_by_hand,
    refund_payment,
    register_paying_offline,
    retry_refund,
    settle_registration,
    sync_provider_payment,
    transfer_details,
)
from .settlement import (
    REFUND_GRACE,
    execute_lost_refunds,
    owe_settlement,
    settle_cancellation,
    settle_due_cancellations,
    supersede_settlement,
)
from .setup import save_organiser_billing, save_payment_settings

__all__ = [
    "REFUND_GRACE",
    "FollowUp",
    "PaymentError",
    "apply_status",
    "assign_transaction",
    "split_transaction",
    "available_providers",
    "providers_for",
    "OFFLINE_PROVIDERS",
    "choose_provider",
    "register_paying_offline",
    "create_refund",
    "cancel_refund",
    "retry_refund",
    "refund_paid_by_hand",
    "credit_invoice",
    "dismiss_transaction",
    "execute_refund",
    "follow_up_unpaid",
    "StatementImport",
    "import_statement",
    "import_statements",
    "issue_invoice",
    "execute_lost_refunds",
    "owe_settlement",
    "record_manual_payment",
    "refund_payment",
    "reissue_invoice",
    "remind_held_payments",
    "schedule_hold_reminder",
    "save_organiser_billing",
    "save_payment_settings",
    "settle_cancellation",
    "settle_due_cancellations",
    "supersede_settlement",
    "settle_payments",
    "settle_registration",
    "sync_provider_payment",
    "transfer_details",
]
