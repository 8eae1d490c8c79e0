"""The error of the accounts domain (a staff user's own things: sign-in, exports)."""

from goedeburen.common.exceptions import DomainError


class AccountError(DomainError):
    """Codes: `preset_name_taken` (a preset of that name exists for the list),
    `preset_without_columns` (a preset needs at least one column)."""
