"""The one error the API domain raises: a translated, user-safe message and a code."""

from django.utils.translation import gettext_lazy as _

from goedeburen.common.exceptions import DomainError


class ApiError(DomainError):
    """A change to tokens or webhooks the domain refuses; `message` may be shown as it is.

    Codes: unknown_scope, no_scope, expiry_invalid, not_permitted, unknown_event_type,
    url_invalid, port_invalid, address_private, wrong_state.
    """


UNKNOWN_SCOPE = _("Unknown scope: %(scope)s.")
NO_SCOPE = _("Choose at least one scope.")
EXPIRY_INVALID = _("The expiry date must lie in the future, at most a year ahead.")
NOT_PERMITTED = _("You cannot give a token the scope “%(scope)s”: your own role does not allow it.")
UNKNOWN_EVENT_TYPE = _("Unknown webhook event type: %(type)s.")
NO_EVENT_TYPE = _("Choose at least one event type.")
URL_INVALID = _("A webhook URL must start with https:// (or http:// on this machine).")
PORT_INVALID = _("The port in this URL does not exist: give a number from 1 to 65535.")
ADDRESS_PRIVATE = _(
    "Webhooks go only to addresses on the public internet, not to this machine or a "
    "private network."
)
NOT_RETRYABLE = _("Only a delivery that failed or was given up can be sent again.")
