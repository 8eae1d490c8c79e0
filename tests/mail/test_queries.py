"""The mail queries written out for the booking's hot path agree with the ORM."""

import pytest

from goedeburen.mail import queries
from goedeburen.mail.models import OptOut
from tests.factories import OpenEventFactory

pytestmark = pytest.mark.django_db


def test_is_opted_out_agrees_with_the_orm():
    event, other = OpenEventFactory(), OpenEventFactory()
    OptOut.objects.create(event=event, email="weg@example.org")
    OptOut.objects.create(event=other, email="ander@example.org")

    for email in ("weg@example.org", "WEG@Example.org", "ander@example.org", "nee@example.org"):
        orm = OptOut.objects.filter(event=event, email=email.lower()).exists()
        assert queries.is_opted_out(event, email) is orm
    assert queries.is_opted_out(event, "Weg@example.org") is True
    assert queries.is_opted_out(other, "weg@example.org") is False
