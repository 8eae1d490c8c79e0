"""Rows that something has at most one of (an event's settings), saved from a form."""

from django.db import IntegrityError, models, transaction


def save_the_one(instance: models.Model, **owner) -> None:
    """Save `instance`, the one row of its model for `owner` (`event=…`).

    A new one whose row was made meanwhile (the first save of a settings form, sent twice
    at once: a double click, two organisers) writes over that row instead of failing on
    the unique key with a 500; as two saves one after the other, the later one stands.
    Call it inside a transaction (the failed insert rolls back to a savepoint).
    """
    if instance.pk is None:
        try:
            with transaction.atomic():
                instance.save()
            return
        except IntegrityError:
            made = type(instance)._default_manager.filter(**owner).values_list("pk", flat=True)
            instance.pk = made.first()
            if instance.pk is None:
                raise  # not the unique key: another rule the row breaks
            instance._state.adding = False
    instance.save()
