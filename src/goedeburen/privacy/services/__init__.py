"""Use cases of the privacy domain; the only code in this app that writes.

Consents (`consents`), the statement (`statement`), erasure on request (`erasure`), the
retention job (`retention`) and the person's copy of their data (`export`).
"""

from .consents import (
    record_booking_consents,
    record_consent_changes,
    set_mailings,
    withdraw_consent,
)
from .erasure import ask_erasure, erase_registration, preview_erasure, refuse_request
from .retention import RetentionReport, apply_retention
from .settings import save_privacy_settings, save_statement

__all__ = [
    "RetentionReport",
    "apply_retention",
    "ask_erasure",
    "erase_registration",
    "preview_erasure",
    "record_booking_consents",
    "record_consent_changes",
    "refuse_request",
    "save_privacy_settings",
    "save_statement",
    "set_mailings",
    "withdraw_consent",
]
