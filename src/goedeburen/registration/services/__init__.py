"""Use cases that change registrations; the only code in this app that writes.

One module per use case; each public service runs in one transaction and writes its
change to the audit log. The public names are re-exported here, so callers import
`from goedeburen.registration import services` and need not know the modules.
"""

from .booking import AttendeeDetails, Billing, Booker, register
from .holds import release_expired_holds

__all__ = [
    "AttendeeDetails",
    "Billing",
    "Booker",
    "register",
    "release_expired_holds",
]
