"""Bulk mailings: the segment, one mail per address, opt-outs, sending in the background."""

import pytest
from django.core import signing

from goedeburen.common.audit import history
from goedeburen.mail import placeholders, segments, services
from goedeburen.mail.enums import MailingState, MailKind, MailState
from goedeburen.mail.exceptions import MailError
from goedeburen.mail.models import Mailing, OutgoingMail
from goedeburen.registration.enums import AttendingRole, RegistrationStatus
from tests.factories import (
    AttendeeFactory,
    OutgoingMailFactory,
    RegistrationFactory,
    TicketTypeFactory,
)
from tests.mail.conftest import part

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(event, ticket):
    """Four registrations; the booker of the first registered twice, once for a colleague."""
    resident = TicketTypeFactory(event=event, name_nl="Bewoner", price=0)
    made = {}
    for key, email, status, ticket_type, role, own in [
        (
            "ann",
            "ann@example.org",
            RegistrationStatus.CONFIRMED,
            ticket,
            AttendingRole.MUNICIPALITY,
            "",
        ),
        ("ann2", "Ann@Example.org", RegistrationStatus.CONFIRMED, ticket, AttendingRole.OTHER, ""),
        (
            "bob",
            "bob@example.org",
            RegistrationStatus.CONFIRMED,
            resident,
            AttendingRole.RESIDENT,
            "",
        ),
        ("cas", "cas@example.org", RegistrationStatus.CANCELLED, ticket, AttendingRole.OTHER, ""),
        (
            "dee",
            "dee@example.org",
            RegistrationStatus.CONFIRMED,
            ticket,
            AttendingRole.OTHER,
            "eve@example.org",
        ),
    ]:
        registration = RegistrationFactory(event=event, email=email, status=status)
        AttendeeFactory(
            registration=registration,
            ticket_type=ticket_type,
            role=role,
            email=own,
            given_name=key.capitalize(),
        )
        made[key] = registration
    return made


def _addresses(event, chosen, **kwargs):
    return [r.email for r in segments.recipients(event, chosen, **kwargs)]


def test_each_address_gets_one_mail_even_when_it_matches_twice(event, people):
    assert _addresses(event, {"status": ["confirmed"]}) == [
        "ann@example.org",
        "bob@example.org",
        "eve@example.org",
    ]


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        # No status chosen: the confirmed only, never the cancelled (cas).
        ({}, ["ann@example.org", "bob@example.org", "eve@example.org"]),
        ({"status": ["cancelled"]}, ["cas@example.org"]),
        ({"role": ["resident"]}, ["bob@example.org"]),
        (
            {"role": ["resident", "municipality"], "status": ["confirmed"]},
            ["ann@example.org", "bob@example.org"],
        ),
    ],
)
def test_filters_choose_the_segment(event, people, chosen, expected):
    assert _addresses(event, chosen) == expected


def test_ticket_type_filter(event, people, ticket):
    chosen = segments.clean_filters(
        event, {"ticket_type": [str(ticket.pk)], "status": ["confirmed"]}
    )

    assert _addresses(event, chosen) == ["ann@example.org", "eve@example.org"]


def test_unknown_filters_and_values_are_dropped(event, other_event=None):
    assert segments.clean_filters(event, {"status": ["nope", "confirmed"], "paid": ["yes"]}) == {
        "status": ["confirmed"]
    }


def test_opted_out_addresses_are_skipped_unless_the_mailing_is_essential(event, people):
    services.set_opt_out(event, email="BOB@example.org", opted_out=True)
    mailing = services.save_mailing(
        Mailing(subject_nl="Nieuws", body_nl="Beste {{ name }}", filters={"status": ["confirmed"]}),
        event=event,
    )

    recipients, skipped = services.audience(mailing)
    assert ([r.email for r in recipients], skipped) == (["ann@example.org", "eve@example.org"], 1)

    mailing.essential = True
    recipients, skipped = services.audience(mailing)
    assert (len(recipients), skipped) == (3, 0)


def test_mailing_with_an_unknown_placeholder_is_refused(event):
    with pytest.raises(MailError) as refused:
        services.save_mailing(Mailing(subject_nl="Hoi {{ naam }}", body_nl="x"), event=event)

    assert refused.value.code == "unknown_placeholder"
    assert Mailing.objects.count() == 0


def test_started_mailing_cannot_start_again_or_change(event, people, immediate_tasks, smtp):
    mailing = services.save_mailing(Mailing(subject_nl="Nieuws", body_nl="x"), event=event)
    services.start_mailing(mailing)

    with pytest.raises(MailError):
        services.start_mailing(mailing)
    with pytest.raises(MailError):
        services.save_mailing(mailing, event=event)


def test_mailing_is_sent_once_to_each_address_personalised(
    event, people, immediate_tasks, smtp, django_capture_on_commit_callbacks
):
    mailing = services.save_mailing(
        Mailing(
            subject_nl="Nieuws over {{ event }}",
            body_nl="Beste {{ name }},\n\nJe code: {{ code }}",
            filters={"status": ["confirmed"]},
        ),
        event=event,
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.start_mailing(mailing)

    mailing.refresh_from_db()
    assert (mailing.state, mailing.total) == (MailingState.STARTED, 3)
    assert sorted(str(m["To"]) for m in smtp.messages) == [
        "ann@example.org",
        "bob@example.org",
        "eve@example.org",
    ]
    by_address = {str(m["To"]): m for m in smtp.messages}
    text = part(by_address["eve@example.org"], "text/plain")
    assert text.startswith(f"Beste Dee de Vries,\r\n\r\nJe code: {people['dee'].code}")
    assert "/mail/unsubscribe/" in text  # not essential: the opt-out link is in it
    assert set(OutgoingMail.objects.values_list("state", flat=True)) == {MailState.SENT}


def test_writing_the_mails_twice_writes_each_once(event, people, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    mailing = services.save_mailing(Mailing(subject_nl="Nieuws", body_nl="x"), event=event)
    services.start_mailing(mailing)
    mailing.refresh_from_db()

    assert services.queue_mailing_mails(mailing) == 3
    assert services.queue_mailing_mails(mailing) == 3  # still queued: enqueued again, no new rows
    assert OutgoingMail.objects.filter(mailing=mailing).count() == 3


def test_unsubscribe_link_opts_the_address_out(client, event, people):
    token = placeholders.unsubscribe_token(event, "Ann@example.org")
    path = f"/{event.slug}/mail/unsubscribe/{token}/"

    assert client.get(path).status_code == 200
    assert not event.mail_opt_outs.exists()  # a GET (a link scanner) changes nothing
    assert client.post(path).status_code == 302

    assert list(event.mail_opt_outs.values_list("email", flat=True)) == ["ann@example.org"]
    assert _addresses(event, {}, skip={"ann@example.org"})[0] == "bob@example.org"
    client.post(path, {"opt_in": "1"})
    assert not event.mail_opt_outs.exists()


@pytest.mark.parametrize("bad", ["nonsense", "signed-for-another-event"])
def test_unsubscribe_link_that_is_not_ours_is_not_found(client, event, bad):
    token = bad
    if bad == "signed-for-another-event":
        token = signing.dumps([event.pk + 1, "a@example.org"], salt=placeholders.UNSUBSCRIBE_SALT)

    assert client.post(f"/{event.slug}/mail/unsubscribe/{token}/").status_code == 404
    assert not event.mail_opt_outs.exists()


def test_booker_switches_mailings_off_and_on_through_the_secret_link(client, register, event):
    registration = register()
    base = f"/{event.slug}/register/manage/{registration.code}/{registration.manage_token}"

    response = client.post(f"{base}/mail/", {"opted_out": "1"})

    assert (response.status_code, response.url) == (302, f"{base}/")
    assert list(event.mail_opt_outs.values_list("email", flat=True)) == ["bea@example.org"]
    assert 'name="opted_out" value="0"' in client.get(f"{base}/").content.decode()
    client.post(f"{base}/mail/", {"opted_out": "0"})
    assert not event.mail_opt_outs.exists()


def test_mail_preference_with_a_wrong_token_is_not_found_and_changes_nothing(
    client, register, event
):
    registration = register()

    response = client.post(
        f"/{event.slug}/register/manage/{registration.code}/wrong-token/mail/", {"opted_out": "1"}
    )

    assert response.status_code == 404
    assert not event.mail_opt_outs.exists()


def _one_click(url: str, client_class):
    """POST as a mail program does (RFC 8058): no cookies, no CSRF token."""
    from urllib.parse import urlsplit

    browserless = client_class(enforce_csrf_checks=True)
    return browserless.post(
        urlsplit(url).path,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )


@pytest.mark.parametrize("essential", [False, True], ids=["mailing", "essential-mailing"])
def test_every_mailing_carries_both_list_unsubscribe_headers_and_one_click_opts_out(
    event, people, immediate_tasks, smtp, django_capture_on_commit_callbacks, essential
):
    from django.test import Client

    event.contact_email = "secretariaat@example.org"
    event.save(update_fields=["contact_email"])
    mailing = services.save_mailing(
        Mailing(subject_nl="Nieuws", body_nl="x", essential=essential), event=event
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.start_mailing(mailing)

    assert smtp.messages
    for message in smtp.messages:
        if essential:  # no one can opt out of it: it offers no way to
            assert message["List-Unsubscribe"] is None
            continue
        links = [link.strip().strip("<>") for link in str(message["List-Unsubscribe"]).split(",")]
        assert links[0].startswith("mailto:secretariaat@example.org?subject=unsubscribe")
        assert links[1].startswith("http") and "/mail/unsubscribe/" in links[1]
        assert str(message["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
        response = _one_click(links[1], Client)
        assert response.status_code == 204
    if not essential:
        assert set(event.mail_opt_outs.values_list("email", flat=True)) == {
            str(m["To"]).lower() for m in smtp.messages
        }


def test_list_unsubscribe_of_a_contact_address_with_accents_is_plain_ascii(smtp, event):
    event.contact_email = "secretariaat@bücher.nl"
    event.save(update_fields=["contact_email"])
    mail = OutgoingMailFactory(event=event, kind=MailKind.THANK_YOU, recipient="bea@bücher.nl")

    services.deliver(mail)

    [message] = smtp.messages
    # As it was written (not folded anew): an RFC 2047 encoded word there is no URI a mail
    # program can use.
    written = message.as_string(policy=message.policy.clone(refold_source="none"))
    head = written.split("\n\n", 1)[0].replace("\n ", " ")
    [header] = [line for line in head.splitlines() if line.startswith("List-Unsubscribe:")]
    assert header.isascii()
    assert "=?utf-8?" not in header
    assert (
        header.split(":", 1)[1]
        .lstrip()
        .startswith("<mailto:secretariaat@xn--bcher-kva.nl?subject=unsubscribe%20bea%40")
    )


def test_mail_about_a_registration_has_no_list_unsubscribe_header(
    event, register, immediate_tasks, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        register()
    assert smtp.messages
    assert all(m["List-Unsubscribe"] is None for m in smtp.messages)


def test_a_one_click_post_needs_the_signed_token(client, event, people):
    from django.test import Client

    response = _one_click(f"http://testserver/{event.slug}/mail/unsubscribe/forged/", Client)
    assert response.status_code == 404
    assert not event.mail_opt_outs.exists()


def test_a_mailing_without_a_status_filter_never_reaches_the_cancelled(event, people):
    addresses = _addresses(event, {"role": ["resident", "municipality", "other"]})
    assert "cas@example.org" not in addresses  # cancelled
    assert "cas@example.org" in _addresses(event, {"status": ["cancelled"]})


@pytest.mark.parametrize("essential", [False, True], ids=["optional", "essential"])
def test_an_address_that_opts_out_while_the_mailing_is_on_its_way_gets_only_essential_mail(
    event, people, smtp, settings, essential
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    mailing = services.save_mailing(
        Mailing(subject_nl="Nieuws", body_nl="x", essential=essential), event=event
    )
    services.start_mailing(mailing)
    mailing.refresh_from_db()
    services.queue_mailing_mails(mailing)
    # Ann follows the one-click link of an earlier mail before the worker reaches hers.
    services.set_opt_out(event, email="Ann@Example.org", opted_out=True)

    services.deliver_due()

    states = dict(OutgoingMail.objects.values_list("recipient", "state"))
    assert states["ann@example.org"] == (MailState.SENT if essential else MailState.CANCELLED)
    assert sorted(str(m["To"]) for m in smtp.messages) == (
        ["ann@example.org", "bob@example.org", "eve@example.org"]
        if essential
        else ["bob@example.org", "eve@example.org"]
    )
    if not essential:
        ann = OutgoingMail.objects.get(recipient="ann@example.org")
        assert history(ann).first().action == "mail.opted_out"
