"""The booking's plain inserts write the rows the ORM writes (`common.rows`, `common.tasks`).

Each row written by `rows.insert` is compared, column by column, with the same instance
saved by the ORM (`save()` or `bulk_create`); columns that differ by nature (keys, times,
random secrets) are left out and checked separately.
"""

import datetime as dt
import itertools

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from goedeburen.checkin.models import Ticket
from goedeburen.common import rows
from goedeburen.common.audit import log_action, log_actions
from goedeburen.common.models import LogEntry
from goedeburen.common.tasks import enqueue_each_on_commit, enqueue_on_commit
from goedeburen.mail import tasks as mail_tasks
from goedeburen.mail.models import OutgoingMail
from goedeburen.privacy.models import ConsentRecord
from goedeburen.registration import tasks as registration_tasks
from goedeburen.registration.models import Attendee, FormToken
from tests.factories import AttendeeFactory, OpenEventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def _stored(model, pk, *, skip=()):
    values = model.objects.filter(pk=pk).values().get()
    return {k: v for k, v in values.items() if k not in {"id", *skip}}


def _pair(make):
    """Return (saved by the ORM, inserted by `rows.insert`) of two instances `make` builds."""
    by_orm, by_insert = make(), make()
    by_orm.save()
    assert rows.insert([by_insert]) == [by_insert]
    assert by_insert.pk is not None and by_insert.pk != by_orm.pk
    assert by_insert._state.adding is False and by_insert._state.db == "default"
    return by_orm, by_insert


def test_insert_writes_the_row_that_save_writes_for_each_model_of_the_booking():
    event = OpenEventFactory()
    registration = RegistrationFactory(event=event)
    attendee = AttendeeFactory(registration=registration)
    numbers = itertools.count()
    cases = [
        (
            lambda: ConsentRecord(
                registration=registration,
                attendee=attendee,
                kind="photos",
                given=True,
                version="text-abc",
                text_digest="d" * 64,
                language="nl",
                source="form",
            ),
            {"created"},
        ),
        (
            lambda: LogEntry(
                content_type=ContentType.objects.get_for_model(registration),
                object_id=str(registration.pk),
                action="registration.created",
                data={"total": "125.00", "when": None},
                event_id=event.pk,
            ),
            {"created"},
        ),
        (
            lambda: OutgoingMail(
                event=event,
                registration=registration,
                kind="confirmation",
                recipient="a@example.org",
                language="nl",
                context={"a": 1},
                message_id=f"<{next(numbers)}@example.org>",
            ),
            {"created", "updated", "message_id"},
        ),
        (
            lambda: Ticket(
                event_id=event.pk,
                attendee=AttendeeFactory(registration=registration),
                secret_hash=f"{next(numbers):064}",
            ),
            {"created", "attendee_id", "secret_hash"},
        ),
        (
            lambda: Attendee(
                registration=registration,
                ticket_type=attendee.ticket_type,
                given_name="Ada",
                role="other",
                price=attendee.price,
                vat_rate=attendee.vat_rate,
                ticket_secret=f"s{next(numbers)}",
            ),
            {"ticket_secret"},
        ),
    ]
    for make, skip in cases:
        by_orm, by_insert = _pair(make)
        model = type(by_orm)
        assert _stored(model, by_insert.pk, skip=skip) == _stored(model, by_orm.pk, skip=skip)
        for name in skip & {"created"}:
            assert getattr(model.objects.get(pk=by_insert.pk), name) is not None


def test_insert_writes_many_rows_in_one_statement_and_keys_them_in_order(
    django_assert_num_queries,
):
    registration = RegistrationFactory()
    made = [
        ConsentRecord(
            registration=registration,
            kind="mailings",
            given=bool(i % 2),
            version=f"v{i}",
            text_digest="d" * 64,
            language="nl",
            source="form",
        )
        for i in range(5)
    ]

    with django_assert_num_queries(1):
        rows.insert(made)

    assert [ConsentRecord.objects.get(pk=r.pk).version for r in made] == [f"v{i}" for i in range(5)]
    assert rows.insert([]) == []


def test_insert_unless_taken_leaves_a_taken_value_alone():
    event = OpenEventFactory()
    first = FormToken(event=event, token="t" * 22)
    again = FormToken(event=event, token="t" * 22)

    assert rows.insert_unless_taken(first, unique="token") is True
    assert rows.insert_unless_taken(again, unique="token") is False
    assert again.pk is None and again._state.adding is True
    assert FormToken.objects.filter(token="t" * 22).count() == 1


def test_log_action_and_log_actions_write_what_the_orm_wrote():
    registration = RegistrationFactory()

    one = log_action(registration, action="registration.created", data={"total": "1.00"})
    many = log_actions([(registration, "registration.created", None, {"total": "2.00"})])

    for entry in (one, *many):
        stored = LogEntry.objects.get(pk=entry.pk)
        assert (stored.content_type, stored.object_id) == (entry.content_type, str(registration.pk))
        assert stored.event_id == registration.event_id
        assert stored.organiser_id == entry.organiser_id
        assert stored.created is not None and stored.data == entry.data


@pytest.mark.parametrize("run_after", [None, "later"])
def test_enqueued_task_row_equals_the_database_backends_own(run_after):
    task = mail_tasks.send_mail
    if run_after:
        task = registration_tasks.release_expired_holds.using(
            run_after=timezone.now() + dt.timedelta(hours=1)
        )
        args = ()
    else:
        args = (42,)

    own = task.enqueue(*args)  # the backend's own way, through the ORM
    enqueue_on_commit(task, *args)  # ours, in this transaction

    ours = DBTaskResult.objects.exclude(pk=own.id).get()
    skip = {"enqueued_at"}
    assert _stored(DBTaskResult, ours.pk, skip=skip) == _stored(DBTaskResult, own.id, skip=skip)
    assert ours.task_result.task.module_path == own.task.module_path
    assert ours.task_result.args == list(args)


def test_tasks_enqueued_each_in_one_insert_equal_those_enqueued_one_by_one(
    django_assert_num_queries,
):
    task = mail_tasks.send_mail
    for pk in (41, 42, 43):
        enqueue_on_commit(task, pk)
    one_by_one = list(DBTaskResult.objects.order_by("args_kwargs"))

    with django_assert_num_queries(1):
        enqueue_each_on_commit(task, [(41,), (42,), (43,)])

    together = DBTaskResult.objects.exclude(pk__in=[r.pk for r in one_by_one])
    skip = {"enqueued_at"}
    assert [_stored(DBTaskResult, r.pk, skip=skip) for r in together.order_by("args_kwargs")] == [
        _stored(DBTaskResult, r.pk, skip=skip) for r in one_by_one
    ]
    assert [r.task_result.args for r in together.order_by("args_kwargs")] == [[41], [42], [43]]


def test_insert_writes_a_long_list_in_batches(monkeypatch, django_assert_num_queries):
    registration = RegistrationFactory()
    monkeypatch.setattr(rows, "BATCH_SIZE", 4)
    made = [
        ConsentRecord(
            registration=registration,
            kind="mailings",
            given=True,
            version=f"v{i}",
            text_digest="d" * 64,
            language="nl",
            source="form",
        )
        for i in range(10)
    ]

    with django_assert_num_queries(3):
        rows.insert(made)

    assert [ConsentRecord.objects.get(pk=r.pk).version for r in made] == [
        f"v{i}" for i in range(10)
    ]


def test_insert_together_writes_each_group_as_insert_would_in_one_statement(
    on_postgresql,
    django_assert_num_queries,
):
    registration = RegistrationFactory()
    entry = lambda n: LogEntry(  # noqa: E731 - two alike, one made each way
        content_type=ContentType.objects.get_for_model(registration),
        object_id=str(registration.pk),
        action="registration.created",
        data={"n": n},
        event_id=registration.event_id,
    )
    consent = lambda n: ConsentRecord(  # noqa: E731
        registration=registration,
        kind="mailings",
        given=True,
        version=f"v{n}",
        text_digest="d" * 64,
        language="nl",
        source="form",
    )
    alone = [entry(1), entry(2)], [consent(1)]
    together = [entry(1), entry(2)], [consent(1)]
    for group in alone:
        rows.insert(group)

    with django_assert_num_queries(1):
        rows.insert_together(*together)

    for by_insert, by_together in zip(alone, together, strict=True):
        for one, two in zip(by_insert, by_together, strict=True):
            assert two.pk is not None and two._state.adding is False
            model = type(one)
            assert _stored(model, two.pk, skip={"created"}) == _stored(
                model, one.pk, skip={"created"}
            )


def test_insert_together_writes_a_key_taken_beforehand(on_postgresql):
    registration = RegistrationFactory()
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('common_logentry', 'id'))")
        key = cursor.fetchone()[0]
    entry = LogEntry(
        pk=key,
        content_type=ContentType.objects.get_for_model(registration),
        object_id=str(registration.pk),
        action="registration.created",
    )

    rows.insert_together([entry])

    assert entry.pk == key
    assert LogEntry.objects.get(pk=key).object_id == str(registration.pk)
