"""The survey's error; codes: "closed", "answered", "not_invited", "invalid", "in_use"."""

from goedeburen.common.exceptions import DomainError


class SurveyError(DomainError):
    """A survey request refused, with a message that may be shown as it is."""
