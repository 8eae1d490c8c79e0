"""Small helpers that several use cases share."""

from django.core.exceptions import ValidationError

from ..exceptions import RegistrationError
from ..models import Registration


def locked(registration: Registration) -> Registration:
    """Return `registration` fresh from the database, its row locked until the transaction ends.

    Every change of state re-reads the status under this lock, so two changes that race
    (an organiser approving while the hold runs out) happen one after the other. Only the
    registration's row: the event comes along unlocked, so changes to different
    registrations of one event never wait for each other.
    """
    return (
        Registration.objects.select_for_update(of=("self",))
        .select_related("event")
        .get(pk=registration.pk)
    )


def validate_fields(instance, *, exclude: list[str]) -> None:
    """Check field rules (lengths, choices, email syntax) whoever calls a service.

    Raise `RegistrationError` naming the first field that breaks one.
    """
    try:
        instance.clean_fields(exclude=exclude)
    except ValidationError as invalid:
        field, messages = next(iter(invalid.message_dict.items()))
        label = instance._meta.get_field(field).verbose_name
        raise RegistrationError(f"{label}: {messages[0]}", code="invalid") from invalid
