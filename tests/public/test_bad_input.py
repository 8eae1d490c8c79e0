"""Every form of the public site and of a participant's own pages (behind the secret link),
sent what people and programs could send instead (`tests.bad_input`).

The demo conference with registration open, a booking of two on a paid ticket, and its
evaluation survey open. Each page of `PAGES` is opened and every form on it that posts to it
(or to an address of `POSTED_FROM`) is sent each variant, in a savepoint rolled back.
Whatever is sent: no 5xx, nor on the page an accepted form leads to; an answer that is not a
redirect changes nothing; where the browser's own data is taken, a variant that is not says
why; a refusal under /en/ is in English.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.test import Client
from django.urls import get_resolver, resolve

from tests.bad_input import Probe, variants
from tests.forms import page_forms

# URL name -> what a person fills in where the page leaves it empty, so that the browser's
# data is a submission the site takes (and each variant changes one thing of it).
FILLED = {
    "event.contact": lambda s: {
        "name": "Bea Boeker",
        "email": "bea@example.org",
        "message": "Is er een lift?",
    },
    "registration.link": lambda s: {"email": s.registration.email},
    "registration.start": lambda s: s.booking,
    "survey.answer": lambda s: s.answers,
    "certificate.verify": lambda s: {"code": "ABCD-EFGH"},
    "registration.substitute": lambda s: {"given_name": "Carla", "family_name": "Visser"},
}
# The pages whose forms are tried: URL name -> its path in the site.
PAGES = {
    "event.contact": lambda s: f"/{s.event.slug}/contact/",
    "registration.start": lambda s: f"/{s.event.slug}/register/",
    "registration.link": lambda s: f"/{s.event.slug}/register/link/",
    "certificate.verify": lambda s: f"/{s.event.slug}/certificates/verify/",
    "registration.manage": lambda s: s.manage,
    "registration.edit": lambda s: s.manage + "edit/",
    "registration.substitute": lambda s: s.manage + f"attendees/{s.attendee.pk}/substitute/",
    "registration.cancel_attendee": lambda s: s.manage + f"attendees/{s.attendee.pk}/cancel/",
    "registration.cancel": lambda s: s.manage + "cancel/",
    "registration.sessions": lambda s: s.manage + "sessions/",
    "registration.privacy": lambda s: s.manage + "privacy/",
    "registration.badge": lambda s: s.manage + f"attendees/{s.attendee.pk}/badge/",
    "survey.answer": lambda s: f"/{s.event.slug}/survey/{s.survey_token}/",
    "mail.unsubscribe": lambda s: f"/{s.event.slug}/mail/unsubscribe/{s.unsubscribe_token}/",
}
# Forms that post elsewhere than their page: the page they are tried on.
POSTED_FROM = {
    "registration.pay": "registration.manage",
    "registration.mail": "registration.manage",
}
# Public URLs without a form of their own to try, and why.
FORMLESS = {
    # Pages to read and files to download.
    "index",
    "accessibility",
    "event.home",
    "event.programme",
    "speaker.list",
    "speaker.detail",
    "project.list",
    "project.detail",
    "event.practical",
    "event.privacy",
    "event.calendar",
    "event.ics",
    "registration.done",
    "registration.invoice",
    "registration.invoice_ubl",
    "registration.export",
    "registration.tickets",
    "registration.certificates",
    "participant.calendar",
    "participant.publication",
    "attendee.calendar",
    # Mollie's call, tried with bad ids in tests/payments; an offer is one button.
    "payments.mollie_webhook",
    "registration.offer",
}


@dataclass
class Site:
    event: object
    registration: object
    attendee: object
    manage: str
    booking: dict
    answers: dict
    survey_token: str
    unsubscribe_token: str
    probe: Probe


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    """The demo conference and a booking of it, made once for the module in a transaction
    rolled back at its end."""
    from goedeburen.events.demo import load_demo
    from goedeburen.mail.placeholders import unsubscribe_token
    from goedeburen.registration import services
    from goedeburen.registration.models import TicketType
    from goedeburen.survey import services as survey_services
    from goedeburen.survey.models import Survey
    from goedeburen.survey.tokens import survey_token
    from tests import factories
    from tests.registration.helpers import form_data

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            event, _ = load_demo(upcoming=True)
            paid = TicketType.objects.filter(event=event, price__gt=0).order_by("pk").first()
            registration = services.register(
                event,
                booker=factories.booker(),
                attendees=[factories.attendee(paid), factories.attendee(paid, given_name="Bo")],
                billing=factories.billing(
                    organisation="Woonstichting De Linde", address="Lindelaan 1\n3701 AA Zeist"
                ),
                form_token=factories.form_token(event),
                language="nl",
            )
            attendee = registration.attendees.order_by("pk").first()
            # The survey asks the people who were there: a confirmed booking's.
            participant = factories.AttendeeFactory(
                registration=factories.RegistrationFactory(event=event, status="confirmed"),
                ticket_type=paid,
            )
            survey = Survey.objects.create(event=event)
            for kind in ("scale", "text", "single", "multiple"):
                options = ["ja", "nee", "misschien"] if kind in ("single", "multiple") else []
                survey_services.add_question(
                    survey, kind=kind, label_nl=f"Vraag {kind}", options=options
                )
            survey_services.set_state(survey, state="open")
            booking = form_data(Client(), event, [paid], **{"payment-provider": "bank_transfer"})
            answers = {f"q{q.pk}": "4" for q in survey.questions.filter(kind="scale")}
            yield Site(
                event=event,
                registration=registration,
                attendee=attendee,
                manage=f"/{event.slug}/register/manage/{registration.code}/"
                f"{registration.manage_token}/",
                booking={k: v for k, v in booking.items() if k not in ("form_token", "action")},
                answers=answers,
                survey_token=survey_token(participant),
                unsubscribe_token=unsubscribe_token(event, registration.email),
                probe=Probe(),
            )
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _name_of(path: str) -> str | None:
    match = resolve(path)
    return match.url_name if match.namespace == "public" else None


def _english(path: str) -> str:
    return "/en" + path


def test_every_public_url_is_tried_or_has_no_form():
    names = {
        n for n in get_resolver().namespace_dict["public"][1].reverse_dict if isinstance(n, str)
    }
    assert names - set(PAGES) - set(POSTED_FROM) - FORMLESS == set()
    assert (set(PAGES) | set(POSTED_FROM) | FORMLESS) - names == set()


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(PAGES))
def test_every_public_form_refuses_bad_input_clearly_and_changes_nothing(site, name, settings):
    settings.RATELIMIT_ENABLE = False
    path = PAGES[name](site)
    client = Client()
    page = site.probe.send(client, "get", path)
    assert page.status == 200, path
    forms = []
    for form in page_forms(page.html()):
        action = urlsplit(form.action).path or path
        target = _name_of(action)
        if action == path or POSTED_FROM.get(target) == name:
            forms.append((target, action, form))
    assert forms, f"{path} has no form to try"
    wrong = []
    for target, action, form in forms:
        hidden = {f.name for f in form.fields if f.kind in ("hidden", "submit", "checkbox")}
        fields = {f.name for f in form.fields}
        filled = FILLED.get(name, lambda s: {})(site)
        for button in form.buttons() or [None]:
            data = form.data(button)
            data.update({k: [v] for k, v in filled.items() if k in fields})
            browser = [(k, v) for k, values in data.items() for v in values]
            method = form.method
            baseline = site.probe.send(client, method, action, browser)
            baseline_ok = baseline.status in (301, 302, 303) and not baseline.refused_by_message()
            for variant in variants(form, button, data=data):
                answer = site.probe.send(client, method, action, variant.pairs)
                label = f"{target} {button.value if button else ''} {variant.label}"
                if answer.status >= 500 or (answer.followed or 0) >= 500:
                    wrong.append(f"{label}: {answer.status} → {answer.followed}")
                elif answer.status not in (301, 302, 303) and answer.changed and method == "post":
                    wrong.append(f"{label}: answered {answer.status}, changed {answer.changed}")
                elif (
                    baseline_ok
                    and answer.status == 200
                    and not variant.touched & hidden
                    and not answer.refused_by_message()
                ):
                    wrong.append(f"{label}: refused without saying why")
                if variant.label == "all=overlong" and answer.refused_by_message():
                    english = site.probe.send(client, method, _english(action), variant.pairs)
                    if english.alert_text() == answer.alert_text():
                        wrong.append(f"{label}: the refusal is not in English under /en/")
    assert wrong == [], f"{path}:\n" + "\n".join(wrong)
