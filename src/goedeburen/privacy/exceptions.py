"""The privacy domain's error; codes: "wrong_state", "not_erasable", "invalid"."""

from django.utils.translation import gettext_lazy as _

from goedeburen.common.exceptions import DomainError

ALREADY_ERASED = _("This registration's personal data has been erased already.")
REQUEST_CLOSED = _("This request has been handled already.")
NOT_WITHDRAWABLE = _("This consent cannot be withdrawn here.")


class PrivacyError(DomainError):
    """A privacy request refused, with a message that may be shown as it is."""
