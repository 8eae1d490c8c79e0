"""The booker's pages behind the secret link, the link-again form and the offer page."""

import datetime as dt
import re

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone
from django.utils.translation import gettext

from goedeburen.common.audit import history
from goedeburen.registration import services, tokens
from goedeburen.registration.enums import RegistrationStatus
from goedeburen.registration.exceptions import RegistrationError
from goedeburen.registration.models import Attendee, ManageLinkRequest, Registration
from tests.factories import RegistrationSettingsFactory, booker

from .helpers import form_data, url

pytestmark = pytest.mark.django_db

S = RegistrationStatus
MANAGE = "public:registration.manage"
REQUIRED = forms.Field.default_error_messages["required"]


@pytest.fixture
def registration(hall, paid, free, register):
    return register(paid, free)


def _path(name, registration, *extra, token=None):
    token = token or registration.manage_token
    return url(name, registration.event.slug, registration.code, token, *extra)


def _edit_data(registration, **overrides) -> dict:
    data = {
        "booker-name": "Bea Boeker",
        "booker-email": "bea@example.org",
        "billing-organisation": "Woonstichting De Linde",
        "billing-address": "Lindelaan 1\n3701 AA Zeist",
    }
    for a in registration.attendees.all():
        data.update(
            {
                f"attendee-{a.pk}-given_name": a.given_name,
                f"attendee-{a.pk}-family_name": a.family_name,
                f"attendee-{a.pk}-role": a.role,
                f"attendee-{a.pk}-badge_name": a.badge_name,
            }
        )
    data.update(overrides)
    return data


def _state(registration) -> tuple:
    fresh = Registration.objects.get(pk=registration.pk)
    attendees = list(Attendee.objects.filter(registration=fresh).values())
    return fresh.status, fresh.booker_name, fresh.billing_organisation, attendees


# ---- the manage page and its actions -----------------------------------------------------


def test_manage_page_offers_the_actions_and_shows_the_policy(client, event, registration):
    RegistrationSettingsFactory(
        event=event, free_cancellation_until=timezone.now() + dt.timedelta(days=3)
    )
    html = client.get(_path(MANAGE, registration)).content.decode()

    assert _path("public:registration.edit", registration) in html
    assert _path("public:registration.cancel", registration) in html
    first = registration.attendees.first()
    assert _path("public:registration.substitute", registration, first.pk) in html
    assert "Cancelling is free until" in html


def test_edit_changes_details_logs_and_signals_once(client, registration, sent):
    first = registration.attendees.first()
    sent.reset()
    data = _edit_data(
        registration,
        **{"booker-name": "Bea de Boer", f"attendee-{first.pk}-organisation": "Gemeente Utrecht"},
    )

    response = client.post(_path("public:registration.edit", registration), data)

    assert response.status_code == 302
    assert response["Location"] == _path(MANAGE, registration)
    fresh = Registration.objects.get(pk=registration.pk)
    assert fresh.booker_name == "Bea de Boer"
    assert Attendee.objects.get(pk=first.pk).organisation == "Gemeente Utrecht"
    entry = history(fresh)[0]
    assert entry.action == "registration.changed"
    assert entry.data["changes"]["booker_name"] == ["Bea Boeker", "Bea de Boer"]
    assert sent.names() == ["registration_changed"]
    assert "Your changes are saved." in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("booker-name", ""),
        ("booker-email", "not-an-address"),
        ("booker-name", "x" * 201),
        ("billing-address", ""),
        ("attendee-{pk}-given_name", ""),
        ("attendee-{pk}-role", "abc"),
        ("attendee-{pk}-dietary_wishes", "Geen noten"),  # without consent
    ],
)
def test_edit_with_bad_input_says_so_and_saves_nothing(client, registration, sent, field, value):
    first = registration.attendees.first()
    before = _state(registration)
    sent.reset()

    response = client.post(
        _path("public:registration.edit", registration),
        _edit_data(registration, **{field.format(pk=first.pk): value}),
    )

    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert _state(registration) == before
    assert sent.names() == []


def test_edit_stores_typed_text_tidied(client, registration):
    first = registration.attendees.first()
    prefix = f"attendee-{first.pk}-"
    data = _edit_data(
        registration,
        **{
            "booker-name": "\ufeffZoe\u0308\u0007 Şahin\r\nŁukasiewicz",
            "billing-organisation": "Woonstichting\tDe Linde\x1b",
            "billing-address": "Lindelaan 1\x07\r\n\r\n 3701  AA Zeist ",
            "billing-reference": "ref\u2028 42",
            f"{prefix}given_name": "Zoe\u0308",
            f"{prefix}organisation": "Gemeente\x0bUtrecht\x7f",
            f"{prefix}function": "\x1b[1mWethouder",
            f"{prefix}special_category_consent": "on",
            f"{prefix}dietary_wishes": "Geen noten\x07\r\n\r\nHalal",
        },
    )

    response = client.post(_path("public:registration.edit", registration), data)

    assert response.status_code == 302
    fresh = Registration.objects.get(pk=registration.pk)
    attendee = Attendee.objects.get(pk=first.pk)
    assert (
        fresh.booker_name,
        fresh.billing_organisation,
        fresh.billing_address,
        fresh.billing_reference,
    ) == ("Zoë Şahin Łukasiewicz", "Woonstichting De Linde", "Lindelaan 1\n3701 AA Zeist", "ref 42")
    assert (
        attendee.given_name,
        attendee.organisation,
        attendee.function,
        attendee.dietary_wishes,
    ) == ("Zoë", "Gemeente Utrecht", "[1mWethouder", "Geen noten\nHalal")


@pytest.mark.parametrize("field", ["booker-name", "attendee-{pk}-given_name"])
def test_edit_with_a_required_field_that_tidies_to_nothing_asks_for_it(client, registration, field):
    name = field.format(pk=registration.attendees.first().pk)
    before = _state(registration)

    response = client.post(
        _path("public:registration.edit", registration),
        _edit_data(registration, **{name: "\ufeff\u0007 \r\n"}),
    )

    assert response.status_code == 200
    assert [(id_, message) for id_, _label, message in response.context["errors"]] == [
        (f"id_{name}", gettext(REQUIRED))
    ]
    assert _state(registration) == before


def test_substitute_stores_the_name_tidied(client, registration):
    first = registration.attendees.first()

    response = client.post(
        _path("public:registration.substitute", registration, first.pk),
        {
            "given_name": "\ufeffCor\u0007",
            "family_name": "de\r\nCollega",
            "organisation": "\tPortaal",
        },
    )

    assert response.status_code == 302
    fresh = Attendee.objects.get(pk=first.pk)
    assert (fresh.given_name, fresh.family_name, fresh.organisation) == (
        "Cor",
        "de Collega",
        "Portaal",
    )


def test_edit_asking_for_the_einvoice_without_a_number_says_so_at_the_field(
    client, registration, sent
):
    before = _state(registration)
    sent.reset()

    response = client.post(
        _path("public:registration.edit", registration),
        _edit_data(
            registration,
            **{"billing-organisation": "Zoë Şahin-Łukasiewicz", "billing-einvoice": "on"},
        ),
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_billing-org_id_error"' in html
    assert "An e-invoice needs an OIN, a KvK number or a Peppol ID." in html
    assert _state(registration) == before
    assert Registration.objects.get(pk=registration.pk).billing_einvoice is False
    assert sent.names() == []


def test_edit_after_the_deadline_is_refused(client, event, registration):
    RegistrationSettingsFactory(event=event, edit_deadline=timezone.now() - dt.timedelta(hours=1))
    before = _state(registration)

    response = client.post(
        _path("public:registration.edit", registration),
        _edit_data(registration, **{"booker-name": "Iemand anders"}),
    )

    assert response.status_code == 200
    assert "Details can no longer be changed" in response.content.decode()
    assert _state(registration) == before
    assert "Change details" not in client.get(_path(MANAGE, registration)).content.decode()


def test_organiser_may_change_details_after_the_deadline(event, registration, staff):
    RegistrationSettingsFactory(event=event, edit_deadline=timezone.now() - dt.timedelta(hours=1))

    changed = services.update_registration(
        registration,
        booker=booker(name="Bea de Boer"),
        attendees={},
        billing=services.Billing(
            organisation="Gemeente Utrecht", address="Stadsplateau 1\n3521 AZ Utrecht"
        ),
        by=staff,
    )

    assert changed.booker_name == "Bea de Boer"
    assert history(changed)[0].actor == staff


def test_substitute_replaces_the_person_and_renews_the_ticket_secret(client, registration, sent):
    first = registration.attendees.first()
    Attendee.objects.filter(pk=first.pk).update(
        function="Wethouder", special_category_consent=True, dietary_wishes="Vegetarisch"
    )
    sent.reset()

    response = client.post(
        _path("public:registration.substitute", registration, first.pk),
        {"given_name": "Cor", "family_name": "Collega", "email": "cor@example.org"},
    )

    assert response.status_code == 302
    fresh = Attendee.objects.get(pk=first.pk)
    assert (fresh.full_name, fresh.email, fresh.function, fresh.dietary_wishes) == (
        "Cor Collega",
        "cor@example.org",
        "",
        "",
    )
    assert fresh.ticket_secret != first.ticket_secret
    assert sent.names() == ["registration_changed", "attendee_substituted"]
    assert history(registration)[0].data["name"] == ["Ada de Vries", "Cor Collega"]


def _seen(response) -> str:
    return re.search(r'name="seen" value="([^"]+)"', response.content.decode()).group(1)


def _badges(registration) -> list[str]:
    return list(
        Attendee.objects.filter(registration=registration)
        .order_by("pk")
        .values_list("badge_name", flat=True)
    )


def test_edit_from_a_tab_opened_before_another_edit_is_refused_and_shows_it(
    client, registration, english
):
    # Two tabs of the edit form: each changes another attendee's badge; the second must
    # not put the first attendee's badge back as it showed it.
    first, second = registration.attendees.order_by("pk")
    path = _path("public:registration.edit", registration)
    seen = _seen(client.get(path))
    one = _edit_data(registration, seen=seen, **{f"attendee-{first.pk}-badge_name": "first_name"})
    two = _edit_data(registration, seen=seen, **{f"attendee-{second.pk}-badge_name": "first_name"})

    assert client.post(path, one).status_code == 302
    refused = client.post(path, two)

    assert refused.status_code == 200
    assert "Your changes were not saved: this registration was changed in the meantime" in (
        refused.content.decode()
    )
    assert _badges(registration) == ["first_name", "full"]
    # The form shows the registration as it is now; sent from there, the change is saved.
    again = _edit_data(
        Registration.objects.get(pk=registration.pk),
        seen=_seen(refused),
        **{f"attendee-{second.pk}-badge_name": "first_name"},
    )
    assert client.post(path, again).status_code == 302
    assert _badges(registration) == ["first_name", "first_name"]


def test_edit_from_a_form_opened_before_a_substitution_does_not_undo_it(client, registration):
    first = registration.attendees.order_by("pk").first()
    path = _path("public:registration.edit", registration)
    stale = _edit_data(registration, seen=_seen(client.get(path)))
    services.substitute_attendee(first, substitute=services.Substitute(given_name="Cor"))

    response = client.post(path, {**stale, "booker-name": "Bea de Boer"})

    assert response.status_code == 200
    assert Attendee.objects.get(pk=first.pk).given_name == "Cor"
    assert Registration.objects.get(pk=registration.pk).booker_name != "Bea de Boer"


@pytest.mark.parametrize(
    "data",
    [{}, {"given_name": ""}, {"given_name": "x" * 101}, {"given_name": "Cor", "email": "nee"}],
)
def test_substitute_with_bad_input_says_so_and_saves_nothing(client, registration, data):
    first = registration.attendees.first()
    before = _state(registration)

    response = client.post(_path("public:registration.substitute", registration, first.pk), data)

    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert _state(registration) == before


def test_substitute_after_the_deadline_is_refused(client, event, registration):
    RegistrationSettingsFactory(event=event, edit_deadline=timezone.now() - dt.timedelta(hours=1))
    first = registration.attendees.first()
    before = _state(registration)

    response = client.post(
        _path("public:registration.substitute", registration, first.pk), {"given_name": "Cor"}
    )

    assert "Details can no longer be changed" in response.content.decode()
    assert _state(registration) == before


@pytest.mark.parametrize(("days", "said"), [(2, "free of charge"), (-2, "past the free period")])
def test_cancel_page_shows_the_policy_then_cancels(client, event, registration, sent, days, said):
    RegistrationSettingsFactory(
        event=event, free_cancellation_until=timezone.now() + dt.timedelta(days=days)
    )
    policy = "Cancelling is free until" if days > 0 else "If you cancel now, nothing is refunded"
    assert policy in client.get(_path("public:registration.cancel", registration)).content.decode()
    sent.reset()

    response = client.post(_path("public:registration.cancel", registration))

    assert response.status_code == 302
    assert Registration.objects.get(pk=registration.pk).status == S.CANCELLED
    assert sent.names() == ["registration_cancelled"]
    assert sent.calls[0][1]["reason"] == "booker"
    assert said in client.get(response["Location"]).content.decode()


def test_cancel_twice_says_so_and_changes_nothing(client, registration):
    client.post(_path("public:registration.cancel", registration))
    before = _state(registration)

    response = client.post(_path("public:registration.cancel", registration))

    assert response.status_code == 200
    assert "This registration is already cancelled." in response.content.decode()
    assert _state(registration) == before


# ---- wrong tokens ------------------------------------------------------------------------


def _answer(response) -> tuple[int, bytes]:
    return response.status_code, response.content


@pytest.mark.parametrize(
    ("name", "extra"),
    [
        (MANAGE, ()),
        ("public:registration.edit", ()),
        ("public:registration.cancel", ()),
        ("public:registration.substitute", ("attendee",)),
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_every_self_service_url_answers_a_wrong_token_with_the_same_404(
    client, registration, register, free, name, extra, method
):
    other = register(free)
    args = [registration.attendees.first().pk if e == "attendee" else e for e in extra]
    reference = client.get(url(MANAGE, registration.event.slug, registration.code, "x" * 43))
    before = _state(registration)

    answers = [
        getattr(client, method)(
            _path(name, registration, *args, token=tokens.new_manage_token()[0])
        ),
        getattr(client, method)(_path(name, registration, *args, token=other.manage_token)),
        getattr(client, method)(
            url(name, registration.event.slug, "ABCDEFGH", registration.manage_token, *args)
        ),
    ]

    assert [_answer(a) for a in answers] == [_answer(reference)] * 3
    assert reference.status_code == 404
    assert _state(registration) == before


def test_substitute_of_an_attendee_of_another_registration_is_the_same_404(
    client, registration, register, free
):
    other = register(free)
    reference = client.get(url(MANAGE, registration.event.slug, registration.code, "x" * 43))

    response = client.post(
        _path("public:registration.substitute", registration, other.attendees.first().pk),
        {"given_name": "Cor"},
    )

    assert _answer(response) == _answer(reference)


def test_offer_page_with_a_wrong_token_is_the_same_404(client, registration):
    reference = client.get(url(MANAGE, registration.event.slug, registration.code, "x" * 43))

    for method in ("get", "post"):
        response = getattr(client, method)(
            url("public:registration.offer", registration.event.slug, registration.code, "y" * 43)
        )
        assert _answer(response) == _answer(reference)


# ---- the link again ----------------------------------------------------------------------

LINK = "public:registration.link"


def _ask_link(client, event, email, *, capture):
    with capture(execute=True):  # the request's task runs after the commit
        return client.post(url(LINK, event.slug), {"email": email})


def test_link_request_gives_the_same_answer_for_known_and_unknown_addresses(
    client, event, registration, sent, immediate_tasks, django_capture_on_commit_callbacks
):
    sent.reset()
    known = _ask_link(client, event, "bea@example.org", capture=django_capture_on_commit_callbacks)
    assert sent.names() == ["manage_link_renewed"]  # sent in the background
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    ):
        unknown = client.post(url(LINK, event.slug), {"email": "niemand@example.org"})

    def without_email(response):
        return re.sub(r"\S+@example\.org", "…", response.content.decode())

    assert (known.status_code, unknown.status_code) == (200, 200)
    assert without_email(known) == without_email(unknown)
    assert sent.names() == ["manage_link_renewed"]


def test_link_request_does_the_same_work_for_known_and_unknown_addresses(
    client, event, registration, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}

    def statements(email):
        with CaptureQueriesContext(connection) as captured:
            client.post(url(LINK, event.slug), {"email": email})
        return [re.sub(r"'[^']*'|\d+", "?", q["sql"]) for q in captured]

    statements("warm@example.org")  # the event is read once, then kept
    # The answer's time cannot tell who registered: the same statements either way.
    assert statements("bea@example.org") == statements("niemand@example.org")


def test_a_link_request_keeps_the_old_link_until_the_new_one_is_used(
    client, event, registration, sent, immediate_tasks, django_capture_on_commit_callbacks
):
    old = _path(MANAGE, registration)
    sent.reset()

    _ask_link(client, event, "BEA@example.org", capture=django_capture_on_commit_callbacks)

    [renewed] = sent.of("manage_link_renewed")
    assert renewed["registration"] == registration
    new = _path(MANAGE, registration, token=renewed["manage_token"])
    assert client.get(old).status_code == 200  # someone who knows the address kills nothing
    assert client.get(new).status_code == 200  # first use: the new link is the link now
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_link_request_is_rate_limited_per_address(
    client, event, registration, sent, immediate_tasks, django_capture_on_commit_callbacks
):
    sent.reset()

    for _ in range(5):
        response = _ask_link(
            client, event, "bea@example.org", capture=django_capture_on_commit_callbacks
        )

    assert response.status_code == 200
    assert sent.names() == ["manage_link_renewed"] * 3
    assert ManageLinkRequest.objects.count() == 3
    assert "bea@example.org" not in str(list(ManageLinkRequest.objects.values()))


def test_link_request_is_rate_limited_per_client_address_behind_the_proxy(client, event, settings):
    settings.TRUSTED_PROXIES = 1
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}

    def ask(number, forwarded_for):
        return client.post(
            url(LINK, event.slug),
            {"email": f"iemand{number}@example.org"},
            HTTP_X_FORWARDED_FOR=forwarded_for,
        )

    answers = [ask(n, "203.0.113.7") for n in range(11)]
    other = ask(99, "198.51.100.1")  # another visitor behind the same proxy

    assert ["Check your email" in a.content.decode() for a in answers] == [True] * 10 + [False]
    assert "many times" in answers[-1].content.decode()
    assert "Check your email" in other.content.decode()
    assert ManageLinkRequest.objects.count() == 11


@pytest.mark.parametrize("email", ["", "not-an-address", "a" * 250 + "@example.org", "<script>"])
def test_link_request_with_bad_input_says_so_and_does_nothing(client, event, email, sent):
    response = client.post(url(LINK, event.slug), {"email": email})

    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert "<script>" not in response.content.decode()
    assert ManageLinkRequest.objects.count() == 0
    assert sent.names() == []


# ---- waiting list through the public pages ----------------------------------------------


def test_sold_out_form_offers_the_waiting_list_and_joins_it(client, event, hall, free, register):
    register(free, free, free)
    data = form_data(client, event, [free])

    refused = client.post(url("public:registration.start", event.slug), data)

    assert 'value="waiting_list"' in refused.content.decode()
    data["action"] = "waiting_list"
    joined = client.post(url("public:registration.start", event.slug), data)
    assert joined.status_code == 302
    assert Registration.objects.get(status=S.WAITING_LIST).attendees.count() == 1
    assert "You are on the waiting list." in client.get(joined["Location"]).content.decode()


def test_offer_page_takes_the_place_then_says_so(client, event, hall, free, register, join, sent):
    taken = register(free, free, free)
    waiting = join(free)
    sent.reset()
    services.cancel_registration(taken, by=None, reason="booker")
    token = sent.of("waiting_list_offer_made")[0]["offer_url_token"]
    offer = url("public:registration.offer", event.slug, waiting.code, token)

    assert "Take the place" in client.get(offer).content.decode()
    response = client.post(offer)

    assert response.status_code == 200
    assert "You have taken the place." in response.content.decode()
    assert Registration.objects.get(pk=waiting.pk).status == S.CONFIRMED
    assert "Take the place" not in client.get(offer).content.decode()
    again = client.post(offer).content.decode()  # a second click, or a second tab
    assert "You have taken the place." in again
    assert "no longer available" not in again


def test_offer_page_says_the_place_is_gone_after_the_offer_passed_on(
    client, event, hall, free, register, join, sent
):
    taken = register(free, free, free)
    waiting = join(free)
    sent.reset()
    services.cancel_registration(taken, by=None, reason="booker")
    token = sent.of("waiting_list_offer_made")[0]["offer_url_token"]
    services.expire_offers(now=timezone.now() + dt.timedelta(days=3))
    offer = url("public:registration.offer", event.slug, waiting.code, token)

    response = client.post(offer)

    assert response.status_code == 200
    assert "no longer available" in response.content.decode()
    assert Registration.objects.get(pk=waiting.pk).status == S.CANCELLED


def test_substitute_clears_the_previous_persons_answers(client, registration):
    from goedeburen.registration.models import Answer
    from tests.factories import QuestionFactory

    first = registration.attendees.first()
    question = QuestionFactory(event=registration.event)
    Answer.objects.create(attendee=first, question=question, value="Ik neem mijn hond mee")

    client.post(
        _path("public:registration.substitute", registration, first.pk),
        {"given_name": "Cor", "family_name": "Collega", "email": "cor@example.org"},
    )

    assert Answer.objects.filter(attendee=first).count() == 0


# ---- answers to the organiser's questions -----------------------------------------------


@pytest.fixture
def asked(event):
    """A text, a single-choice, a multiple-choice and a special-category question."""
    from tests.factories import QuestionFactory

    return {
        "text": QuestionFactory(event=event, label_en="Your project?"),
        "single": QuestionFactory(
            event=event, kind="single_choice", label_en="Which round?", options=["A", "B"]
        ),
        "multi": QuestionFactory(
            event=event, kind="multiple_choice", label_en="Interests?", options=["X", "Y", "Z"]
        ),
        "special": QuestionFactory(event=event, label_en="Medication?", special_category=True),
    }


def _answers_of(attendee) -> dict:
    from goedeburen.registration.models import Answer

    return {
        a.question.label_en: (a.value, sorted(o.label_nl for o in a.options.all()))
        for a in Answer.objects.filter(attendee=attendee).prefetch_related("options")
    }


def _answer_fields(attendee, asked, **values) -> dict:
    prefix = f"attendee-{attendee.pk}-question_"
    return {f"{prefix}{asked[key].pk}": value for key, value in values.items()}


def _option(question, label):
    return str(question.options.get(label_nl=label).pk)


def test_edit_shows_the_questions_with_the_answers_given(client, registration, asked):
    from goedeburen.registration.models import Answer

    first = registration.attendees.first()
    answer = Answer.objects.create(attendee=first, question=asked["multi"])
    answer.options.set(asked["multi"].options.filter(label_nl__in=["X", "Z"]))
    Answer.objects.create(attendee=first, question=asked["text"], value="De Stadstuin")

    html = client.get(_path("public:registration.edit", registration)).content.decode()

    assert "Your project?" in html and 'value="De Stadstuin"' in html
    x, y = _option(asked["multi"], "X"), _option(asked["multi"], "Y")
    assert re.search(rf'value="{x}"[^>]*checked', html)
    assert not re.search(rf'value="{y}"[^>]*checked', html)
    assert "Medication?" in html


def test_edit_changes_answers_and_logs_them_without_special_values(client, registration, asked):
    first = registration.attendees.first()
    data = _edit_data(
        registration,
        **{f"attendee-{first.pk}-special_category_consent": "on"},
        **_answer_fields(
            first,
            asked,
            text="Het Knooppunt",
            single=_option(asked["single"], "B"),
            multi=[_option(asked["multi"], "Y"), _option(asked["multi"], "Z")],
            special="Insuline",
        ),
    )

    response = client.post(_path("public:registration.edit", registration), data)

    assert response.status_code == 302
    assert _answers_of(first) == {
        "Your project?": ("Het Knooppunt", []),
        "Which round?": ("", ["B"]),
        "Interests?": ("", ["Y", "Z"]),
        "Medication?": ("Insuline", []),
    }
    logged = history(registration)[0].data
    (answers,) = [attendee["answers"] for attendee in logged["attendees"]]
    assert answers["Your project?"] == ["", "Het Knooppunt"]
    assert answers["Interests?"] == ["", "Y (en), Z (en)"]
    assert answers["Medication?"] == ["changed"]
    assert "Insuline" not in str(logged)


@pytest.mark.parametrize(
    ("key", "value"),
    [("single", "999999"), ("text", "x" * 1001), ("special", "Insuline")],
)
def test_edit_with_a_bad_answer_says_so_and_saves_nothing(client, registration, asked, key, value):
    first = registration.attendees.first()
    before = (_state(registration), _answers_of(first))
    data = _edit_data(registration, **_answer_fields(first, asked, **{key: value}))

    response = client.post(_path("public:registration.edit", registration), data)

    assert response.status_code == 200
    assert 'class="utrecht-alert utrecht-alert--error' in response.content.decode()
    assert (_state(registration), _answers_of(first)) == before


def test_edit_without_a_required_answer_says_so_and_keeps_the_old_one(client, registration, asked):
    from goedeburen.registration.models import Answer

    first = registration.attendees.first()
    asked["text"].required = True
    asked["text"].save()
    Answer.objects.create(attendee=first, question=asked["text"], value="De Stadstuin")

    response = client.post(
        _path("public:registration.edit", registration), _edit_data(registration)
    )

    assert response.status_code == 200
    assert _answers_of(first) == {"Your project?": ("De Stadstuin", [])}


def test_withdrawing_consent_removes_the_special_category_answers(registration, asked):
    from goedeburen.registration.models import Answer

    first = registration.attendees.first()
    first.special_category_consent = True
    first.save()
    Answer.objects.create(attendee=first, question=asked["special"], value="Insuline")
    Answer.objects.create(attendee=first, question=asked["text"], value="De Stadstuin")
    changes = services.AttendeeChanges(
        given_name=first.given_name, role=first.role, special_category_consent=False
    )

    services.update_registration(
        registration,
        booker=booker(),
        attendees={first.pk: changes},
        billing=services.Billing(
            organisation="Woonstichting", address="Lindelaan 1\n3511 AA Utrecht"
        ),
    )

    assert _answers_of(first) == {"Your project?": ("De Stadstuin", [])}


def test_edit_of_the_vat_number_is_stored_compact_and_logged(client, registration, sent):
    sent.reset()

    response = client.post(
        _path("public:registration.edit", registration),
        _edit_data(registration, **{"billing-vat_number": "BE 0316.597.904"}),
    )

    assert response.status_code == 302
    fresh = Registration.objects.get(pk=registration.pk)
    assert fresh.billing_vat_number == "BE0316597904"
    entry = history(fresh)[0]
    assert (entry.action, entry.actor) == ("registration.changed", None)
    assert entry.data["changes"]["billing_vat_number"] == ["", "BE0316597904"]
    assert sent.names() == ["registration_changed"]
    manage = client.get(response["Location"]).content.decode()
    assert "BE0316597904" in manage
    edit = client.get(_path("public:registration.edit", registration)).content.decode()
    assert 'value="BE0316597904"' in edit


def test_edit_to_a_wrong_vat_number_says_so_at_the_field_and_saves_nothing(
    client, registration, sent
):
    before = _state(registration)
    logged = len(history(registration))
    sent.reset()

    response = client.post(
        _path("public:registration.edit", registration),
        _edit_data(registration, **{"billing-vat_number": "NL004495446B01"}),
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_billing-vat_number_error"' in html
    assert "This is not a valid VAT number (such as NL001234567B01)." in html
    assert _state(registration) == before
    assert Registration.objects.get(pk=registration.pk).billing_vat_number == ""
    assert len(history(registration)) == logged
    assert sent.names() == []


def test_a_ticket_approved_for_one_person_goes_to_someone_else_only_by_the_organiser(
    client, hall, resident, free, register, staff
):
    """A resident's free ticket was approved for that resident: the booker's link cannot
    hand it to someone else (the page says to ask the organiser); the organiser can."""
    registration = register(resident, free)
    services.approve_registration(registration, by=staff)
    approved, other = sorted(
        registration.attendees.all(), key=lambda a: a.ticket_type.pk != resident.pk
    )
    before = _state(registration)

    page = client.get(_path(MANAGE, registration)).content.decode()
    shown = client.get(_path("public:registration.substitute", registration, approved.pk))
    posted = client.post(
        _path("public:registration.substitute", registration, approved.pk), {"given_name": "Cor"}
    )

    asked = "Ask the organiser: this ticket was approved for"
    assert asked in page and page.count("Let someone else go instead of") == 1
    assert "<form" not in shown.content.decode().split("<main", 1)[1]
    assert "This ticket was approved for this person." in posted.content.decode()
    assert _state(registration) == before
    with pytest.raises(RegistrationError) as refused:
        services.substitute_attendee(approved, substitute=services.Substitute(given_name="Cor"))
    assert refused.value.code == "needs_approval"
    services.substitute_attendee(
        approved, substitute=services.Substitute(given_name="Cor"), by=staff
    )
    assert Attendee.objects.get(pk=approved.pk).given_name == "Cor"
    services.substitute_attendee(other, substitute=services.Substitute(given_name="Dirk"))
