"""Use cases of check-in; the only code in this app that writes.

One module per use case; the public names are re-exported here, so callers import
`from goedeburen.checkin import services`.
"""

from .badges import badge_closes, change_badge
from .certificates import event_hours, issue_certificates, normalise_code
from .checking import ScanInput, ScanResult, Staff, hash_code, record_scan, record_scans
from .setup import save_settings
from .tickets import issue_new_tickets, sync_event_tickets, sync_registration_tickets
from .walk_ins import INVOICE_LATER, PAID_NOW, WalkIn, register_walk_in

__all__ = [
    "INVOICE_LATER",
    "PAID_NOW",
    "ScanInput",
    "ScanResult",
    "Staff",
    "WalkIn",
    "badge_closes",
    "change_badge",
    "event_hours",
    "hash_code",
    "issue_certificates",
    "issue_new_tickets",
    "normalise_code",
    "record_scan",
    "record_scans",
    "register_walk_in",
    "save_settings",
    "sync_event_tickets",
    "sync_registration_tickets",
]
