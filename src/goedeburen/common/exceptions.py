"""The one error base of the domain apps: a translated, user-safe message and a stable code."""


class DomainError(Exception):
    """A request a domain refuses; `message` may be shown to the user as it is.

    Each domain app extends it with its own class (`RegistrationError`, `PaymentError`, …)
    and documents its codes there; interface code catches `DomainError` to show the message.

    `fields` names the given values the refusal is about, in the raising service's own
    words (a `Billing`'s `address`, an attendee's `special_category_consent`, with a dot
    inside a mapping: `answers.<question id>`), when it is about some: an interface can
    then show the message at those fields, as a form shows its own errors.
    """

    def __init__(self, message, *, code: str, fields: tuple[str, ...] = ()):
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.fields = fields
