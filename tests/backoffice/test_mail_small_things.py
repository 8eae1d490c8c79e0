"""The mail screens' small things (issue 12): the outbox shows subjects, a finished
mailing says so, a draft can be deleted (not a started one), a draft shows who gets it."""

import pytest

from goedeburen.mail import services
from goedeburen.mail.enums import MailingState, MailState
from goedeburen.mail.exceptions import MailError
from goedeburen.mail.models import Mailing
from tests.backoffice.conftest import CONFIRM, _mailing, url
from tests.factories import OutgoingMailFactory

pytestmark = pytest.mark.django_db


def test_outbox_shows_subjects(owner_client, world):
    OutgoingMailFactory(event=world.event, subject="Uw aanmelding voor de dag")
    html = owner_client.get(url("mail.list", world)).content.decode()
    assert "Uw aanmelding voor de dag" in html


def test_draft_mailing_shows_its_recipients(owner_client, world):
    mailing = _mailing(world)
    response = owner_client.get(url("mailing.detail", world))
    assert response.context["recipients"] == [world.registration.email]
    assert mailing.state == MailingState.DRAFT


def test_draft_mailing_is_deleted_after_confirmation(owner_client, world):
    mailing = _mailing(world)
    owner_client.post(url("mailing.delete", world))
    assert Mailing.objects.filter(pk=mailing.pk).exists()
    response = owner_client.post(url("mailing.delete", world), CONFIRM)
    assert response.status_code == 302
    assert not Mailing.objects.filter(pk=mailing.pk).exists()


def test_started_mailing_cannot_be_deleted(world):
    mailing = _mailing(world)
    Mailing.objects.filter(pk=mailing.pk).update(state=MailingState.STARTED)
    with pytest.raises(MailError):
        services.delete_mailing(mailing)
    assert Mailing.objects.filter(pk=mailing.pk).exists()


def test_finished_mailing_says_so(owner_client, world):
    mailing = _mailing(world)
    Mailing.objects.filter(pk=mailing.pk).update(state=MailingState.STARTED)
    mail = OutgoingMailFactory(event=world.event, mailing=mailing, state=MailState.SENT)
    Mailing.objects.filter(pk=mailing.pk).update(queued_at=mail.created, total=1)

    detail = owner_client.get(url("mailing.detail", world)).content.decode()
    listing = owner_client.get(url("mailing.list", world)).content.decode()

    assert "Sent to everyone" in detail or "Naar iedereen verstuurd" in detail
    assert "Sent to everyone" in listing or "Naar iedereen verstuurd" in listing
