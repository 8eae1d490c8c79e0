"""The one error base of the domain apps: a translated, user-safe message and a stable code."""


class DomainError(Exception):
    """A request a domain refuses; `message` may be shown to the user as it is.

    Each domain app extends it with its own class (`RegistrationError`, `PaymentError`, …)
    and documents its codes there; interface code catches `DomainError` to show the message.
    """

    def __init__(self, message, *, code: str):
        super().__init__(str(message))
        self.message = message
        self.code = code
