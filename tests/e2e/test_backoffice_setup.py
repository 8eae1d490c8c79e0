"""An organiser sets up an event from nothing in the back office alone, in Chromium: two
ticket types (one needs approval), one quota they share and two questions (the first sent
twice at once through the server: added once, `common.sent_once`); the public
form then sells exactly those, at those prices, and refuses the quota's last seat + 1.
axe-core checks the dashboard and the ticket and quota screens on a phone and a desktop
(issue 12), a registration's edit form refused because it changed meanwhile, and the
screen that lets a colleague go instead of an attendee (with its refusal)."""

import datetime as dt
import re

import pytest
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from .site import axe_violations, describe_violations

pytestmark = pytest.mark.e2e
PASSWORD = "correct horse battery"
SLUG = "buren-op-straat"
OWNER = "buurtwerk-eigenaar"  # the organiser's owner
EDITOR = "goede-buren-redactie"  # an editor of the demo event
DEMO_OWNER = "goede-buren-eigenaar"  # an owner of the demo event (not of its organiser)
NOWHERE = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture(scope="module")
def organiser(site, django_db_blocker):
    """An organiser with an owner who can sign in, and nothing else: no event yet."""
    from goedeburen.accounts.models import AppDevice
    from goedeburen.events.models import Role, TeamMember
    from tests.factories import OrganiserFactory, UserFactory

    with django_db_blocker.unblock():
        organiser = OrganiserFactory(slug="buurtwerk")
        user = UserFactory(username=OWNER)
        user.set_password(PASSWORD)
        user.save()
        # The organiser's owner signs in with a second factor (an authenticator app).
        AppDevice.objects.create(user=user, name="app", confirmed=True)
        TeamMember.objects.create(organiser=organiser, user=user, role=Role.OWNER)
    return organiser


def _signed_in(visit, username, viewport="1280px", javascript=False, django_db_blocker=None):
    from goedeburen.accounts.models import AppDevice
    from tests.clients import current_code

    tab = visit("/en/backoffice/login/", viewport=viewport, javascript=javascript)
    if tab.get_by_label("User name").count():
        tab.get_by_label("User name").fill(username)
        tab.get_by_label("Password").fill(PASSWORD)
        tab.get_by_role("button", name="Sign in").click()
        tab.wait_for_load_state()
        if tab.get_by_label("Code").count():
            with django_db_blocker.unblock():
                app = AppDevice.objects.get(user__username=username)
            tab.get_by_label("Code").fill(current_code(app))
            tab.get_by_role("button", name="Continue").click()
            tab.wait_for_load_state()
    return tab


def _submit(tab, name="Save"):
    tab.locator("main").get_by_role("button", name=name, exact=True).first.click()
    tab.wait_for_load_state()
    errors = tab.locator(".utrecht-alert--error").all_inner_texts()
    assert errors == [], errors


# Send the main form twice at once with what the page put in it; return where each answer
# led (fetch follows the redirect).
SENT_TWICE_AT_ONCE = """async () => {
    const form = document.querySelector("main form[method=post]");
    const send = () => fetch(form.action || location.href, {
        method: "POST", body: new URLSearchParams(new FormData(form)), credentials: "same-origin"
    });
    const answers = await Promise.all([send(), send()]);
    return answers.map((answer) => answer.url);
}"""


def _fill(tab, values: dict) -> None:
    for field, value in values.items():
        tab.fill(f"#id_{field}", value)


def _check(tab, label: str) -> None:
    tab.locator("main").get_by_label(label, exact=True).check()


def _register(tab, *, ticket: str, name: str) -> None:
    """Fill the public form for one attendee on `ticket` and send it."""
    tab.get_by_label("Your name").fill(name)
    tab.get_by_label("Your email address").fill(f"{name.lower()}@example.org")
    attendee = tab.locator("#attendee-1")
    attendee.get_by_role("radio", name=re.compile(ticket)).check()
    attendee.get_by_role("textbox", name="First name", exact=True).fill(name)
    attendee.get_by_role("textbox", name=re.compile(r"^Organisation")).fill("Buurtwerk")
    attendee.get_by_label("In which role do you take part?").select_option("municipality")
    attendee.get_by_role("textbox", name=re.compile("Which neighbourhood")).fill("Oost")
    if tab.get_by_label("Organisation or name on the invoice").count():
        tab.get_by_label("Organisation or name on the invoice").fill("Gemeente Utrecht")
        tab.get_by_label("Invoice address").fill("Stadsplateau 1\n3521 AZ Utrecht")
    if tab.locator('[name="payment-provider"]').count():
        tab.locator('[name="payment-provider"]').first.check()
    tab.get_by_role("button", name="Next: check your registration", exact=True).last.click()
    tab.wait_for_load_state()
    tab.get_by_role("button", name="Register for good", exact=True).click()
    tab.wait_for_load_state()


def test_organiser_sets_up_an_event_that_sells_exactly_that(visit, organiser, django_db_blocker):
    from goedeburen.registration.models import Question, Quota, TicketType

    date = (timezone.localdate() + dt.timedelta(days=60)).isoformat()
    with override_settings(TASKS=NOWHERE):
        tab = _signed_in(visit, OWNER, django_db_blocker=django_db_blocker)
        base = f"/en/backoffice/{SLUG}"

        # The event itself, as a draft.
        tab = visit(f"/en/backoffice/organisers/{organiser.slug}/new-event/", javascript=False)
        _fill(
            tab,
            {
                "slug": SLUG,
                "name_nl": "Buren op straat",
                "name_en": "Neighbours in the street",
                "date": date,
                "start_time": "13:00",
                "end_time": "17:00",
            },
        )
        _submit(tab)
        assert tab.get_by_role("heading", level=1).inner_text() == "Buren op straat"

        # Two ticket types, one of them approved by the organisers.
        for values, approval in (
            ({"name_nl": "Professional", "name_en": "Professional", "price": "95,00"}, False),
            ({"name_nl": "Bewoner", "name_en": "Resident", "price": "0"}, True),
        ):
            tab = visit(f"{base}/tickets/new/", javascript=False)
            _fill(tab, {**values, "vat_rate": "21", "max_per_registration": "4"})
            if approval:
                _check(tab, "Needs approval")
            _submit(tab)
        assert "Professional" in tab.locator("main").inner_text()

        # One quota of three seats that both share.
        tab = visit(f"{base}/quotas/new/", javascript=False)
        _fill(tab, {"name": "Buurthuis", "size": "3"})
        _check(tab, "Professional")
        _check(tab, "Bewoner")
        _submit(tab)
        assert "Buurthuis" in tab.locator("main").inner_text()

        # Two questions: one required for everyone, one yes/no.
        for label_nl, label_en, kind, required in (
            ("Uit welke wijk komt u?", "Which neighbourhood are you from?", "text", True),
            ("Blijft u voor de borrel?", "Will you stay for drinks?", "yes_no", False),
        ):
            tab = visit(f"{base}/questions/new/", javascript=False)
            _fill(tab, {"label_nl": label_nl, "label_en": label_en})
            tab.select_option("#id_kind", kind)
            if required:
                _check(tab, "Answer required")
                # The form as the page fills it, sent twice at once (two tabs, a double
                # click): the question is added once, and both answers lead to the list.
                landed = tab.evaluate(SENT_TWICE_AT_ONCE)
                assert [re.sub(r"^.*/backoffice", "", url) for url in landed] == [
                    f"/{SLUG}/questions/"
                ] * 2
            else:
                _submit(tab)
        with django_db_blocker.unblock():
            asked = Question.objects.filter(event__slug=SLUG)
            assert sorted(asked.values_list("label_nl", flat=True)) == [
                "Blijft u voor de borrel?",
                "Uit welke wijk komt u?",
            ]

        # A venue and one programme item: what an event needs before it is published.
        tab = visit(f"{base}/venues/new/", javascript=False)
        _fill(tab, {"name": "Buurthuis De Ster", "street": "Sterstraat 1", "city": "Utrecht"})
        _submit(tab)
        tab = visit(f"{base}/edit/", javascript=False)
        tab.select_option("#id_venue", index=1)  # the one venue, after "---------"
        _submit(tab)
        tab = visit(f"{base}/items/new/", javascript=False)
        _fill(tab, {"start": "13:00", "end": "14:00", "title_nl": "Welkom", "title_en": "Welcome"})
        tab.select_option("#id_kind", index=1)
        _submit(tab)

        # Publish, then open registration.
        tab = visit(f"{base}/", javascript=False)
        # Each asks first, saying what it does to visitors.
        tab.get_by_role("button", name="Publish").click()
        tab.wait_for_load_state()
        assert "Visitors see the event's pages" in tab.locator("main").inner_text()
        tab.get_by_role("button", name="Yes, change the status").click()
        tab.wait_for_load_state()
        tab.get_by_role("button", name="Open registration").click()
        tab.wait_for_load_state()
        tab.get_by_role("button", name="Yes, change the status").click()
        tab.wait_for_load_state()
        assert "Registration open" in tab.locator("main").inner_text()

        # The public pages state those prices and the form sells exactly those tickets.
        with translation.override("en"):
            home = reverse("public:event.home", kwargs={"event": SLUG})
            start = reverse("public:registration.start", kwargs={"event": SLUG})
        facts = visit(home, javascript=False).locator(".key-facts").inner_text()
        assert "Price\nProfessional: € 95,00; Resident: free" in facts, facts
        tab = visit(start, javascript=False)
        tickets = tab.locator("#attendee-1 input[name$='ticket_type']").all()
        labels = [
            tab.locator(f"label[for='{t.get_attribute('id')}']").inner_text() for t in tickets
        ]
        # A quota of 3: few places left, said at each ticket before anything is filled in.
        assert labels == [
            "Professional: € 95,00 incl. VAT — only a few places left",
            "Resident: free — the organisers approve this registration — only a few places left",
        ]
        main = tab.locator("main").inner_text()
        assert "Which neighbourhood are you from?" in main
        assert "Will you stay for drinks?" in main

        # The seats go one by one (a resident's held for approval too); the form sells the
        # last one and refuses the next.
        professional = TicketType.objects.get(event__slug=SLUG, name_nl="Professional")
        assert professional.price == 95
        for ticket, name in (("Professional", "Eerste"), ("Resident", "Tweede")):
            tab = visit(start, javascript=False)
            _register(tab, ticket=ticket, name=name)
        tab = visit(start, javascript=False)
        _register(tab, ticket="Professional", name="Laatste")
        assert tab.get_by_role("heading", level=1).inner_text() == "Thank you for registering"
        assert Quota.objects.get(event__slug=SLUG).taken == 3

        # Sold out, said before anything is filled in: the waiting list is the main button.
        tab = visit(start, javascript=False)
        sold_out = tab.locator("main").inner_text()
        assert "sold out" in sold_out.lower(), sold_out
        assert tab.get_by_role("button", name="Register", exact=True).count() == 0
        assert tab.get_by_role("button", name="Next: check your registration").count() == 0
        assert Quota.objects.get(event__slug=SLUG).taken == 3


@pytest.fixture(scope="module")
def demo_team(site, django_db_blocker):
    """Per viewport an editor and an owner of the demo event, and its target mix.

    Made here, outside each test's transaction, so that the live server (its own database
    connection) sees them: made inside a test they would not exist for it, every page
    would send the browser to the sign-in page, and axe would check only that one.
    """
    from decimal import Decimal

    from goedeburen.checkin.models import Certificate
    from goedeburen.events.demo import SLUG as DEMO
    from goedeburen.events.models import Event, Role, TeamMember
    from goedeburen.registration import services
    from goedeburen.registration.models import Attendee
    from tests.factories import UserFactory

    with django_db_blocker.unblock():
        event = Event.objects.get(slug=DEMO)
        for viewport in ("360px", "1280px"):
            # An editor (no second factor): the screens of setting the event up.
            editor = UserFactory(username=f"{EDITOR}-{viewport}")
            TeamMember.objects.create(
                organiser=event.organiser, user=editor, event=event, role=Role.EDITOR
            )
            # The event's owner (no second factor: not the organiser's owner) sees every
            # widget; also an editor, a role to leave.
            owner = UserFactory(username=f"{DEMO_OWNER}-{viewport}")
            for role in (Role.OWNER, Role.EDITOR):
                TeamMember.objects.create(
                    organiser=event.organiser, user=owner, event=event, role=role
                )
        services.save_target_mix(
            event, shares={"housing_corporation": Decimal("25"), "resident": Decimal("20")}, by=None
        )
        # One certificate issued: the check-in settings then offer them all in one PDF.
        attendee = Attendee.objects.filter(
            registration__event=event, registration__status="confirmed"
        ).first()
        Certificate.objects.create(
            attendee=attendee, event=event, code="AXE0-AXE0-AXE0", name=attendee.full_name, hours=5
        )
    return event


def _axe_clean(tab, name: str, viewport: str) -> None:
    violations = axe_violations(tab)
    if violations:
        pytest.fail(f"{name} ({viewport}): {describe_violations(violations)}", pytrace=False)
    if viewport == "360px":
        width = tab.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, (name, width)


def _visit_signed_in(visit, path: str, viewport: str):
    tab = visit(path, viewport=viewport)
    assert tab.url.endswith(path), f"{path} went to {tab.url}"  # not the sign-in page
    return tab


@pytest.mark.parametrize("viewport", ["360px", "1280px"])
def test_dashboard_ticket_and_quota_screens_have_no_wcag_violations(
    visit, demo_team, django_db_blocker, viewport
):
    from goedeburen.registration.models import Quota, TicketType

    with django_db_blocker.unblock():
        ticket = TicketType.objects.filter(event=demo_team).first()
        quota = Quota.objects.filter(event=demo_team).first()
    _signed_in(visit, f"{EDITOR}-{viewport}", viewport=viewport, javascript=True)
    base = f"/en/backoffice/{demo_team.slug}"
    pages = {
        "dashboard": f"{base}/",
        "ticket types": f"{base}/tickets/",
        "ticket type": f"{base}/tickets/{ticket.pk}/",
        "new ticket type": f"{base}/tickets/new/",
        "quotas": f"{base}/quotas/",
        "quota": f"{base}/quotas/{quota.pk}/",
        "attendees": f"{base}/attendees/",
    }
    for name, path in pages.items():
        _axe_clean(_visit_signed_in(visit, path, viewport), name, viewport)


@pytest.mark.parametrize("viewport", ["360px", "1280px"])
def test_target_mix_and_confirm_pages_have_no_wcag_violations(visit, demo_team, viewport):
    """The target mix screen (and its error), the dashboard's mix against it, and the confirm
    pages that now come before a status change and before leaving a role."""
    _signed_in(visit, f"{DEMO_OWNER}-{viewport}", viewport=viewport, javascript=True)
    base = f"/en/backoffice/{demo_team.slug}"

    tab = _visit_signed_in(visit, f"{base}/", viewport)
    assert "Attending as, against the target mix" in tab.locator("main").inner_text()
    _axe_clean(tab, "dashboard with the target mix", viewport)
    tab.locator("form[action$='/status/'] button").first.click()
    tab.wait_for_load_state()
    assert "Nothing has been changed yet." in tab.locator("main").inner_text()
    _axe_clean(tab, "status change confirm page", viewport)

    tab = _visit_signed_in(visit, f"{base}/target-mix/", viewport)
    _axe_clean(tab, "target mix", viewport)
    tab.get_by_label("Housing corporation").fill("90")
    tab.locator("main").get_by_role("button", name="Save", exact=True).click()
    tab.wait_for_load_state()
    assert "together they may be 100 % at most" in tab.locator("main").inner_text()
    _axe_clean(tab, "target mix refused", viewport)

    tab = _visit_signed_in(visit, "/en/backoffice/account/", viewport)
    tab.get_by_role("button", name="Leave: Editor").click()
    tab.wait_for_load_state()
    assert "Give up this role?" in tab.locator("main").inner_text()
    _axe_clean(tab, "leave role confirm page", viewport)


@pytest.fixture(scope="module")
def to_edit(demo_team, django_db_blocker):
    """Per viewport a registration of the demo event with one attendee, to edit twice."""
    from goedeburen.registration.models import TicketType
    from tests.factories import AttendeeFactory, RegistrationFactory

    made = {}
    with django_db_blocker.unblock():
        ticket = TicketType.objects.get(event=demo_team, name_nl="Deelname")
        for viewport in ("360px", "1280px"):
            made[viewport] = RegistrationFactory(
                event=demo_team,
                status="confirmed",
                billing_organisation="Woonstichting De Linde",
                billing_address="Lindelaan 1\n3511 AA Utrecht",
            )
            AttendeeFactory(registration=made[viewport], ticket_type=ticket)
    return made


@pytest.mark.parametrize("viewport", ["360px", "1280px"])
def test_a_registration_edit_opened_before_another_change_is_refused_on_the_form(
    visit, to_edit, viewport
):
    _signed_in(visit, f"{DEMO_OWNER}-{viewport}", viewport=viewport, javascript=True)
    path = f"/en/backoffice/{to_edit[viewport].event.slug}/registrations/"
    path += f"{to_edit[viewport].code}/edit/"
    earlier = _visit_signed_in(visit, path, viewport)
    later = earlier.context.new_page()  # another tab, signed in as the same organiser
    later.goto(earlier.url)
    later.fill('[name="booker_name"]', "Bea Later")
    later.locator("main").get_by_role("button", name="Save", exact=True).click()
    later.wait_for_load_state()
    later.close()

    earlier.fill('[name="booker_name"]', "Bea Eerder")
    earlier.locator("main").get_by_role("button", name="Save", exact=True).click()
    earlier.wait_for_load_state()

    alert = earlier.locator("main form").get_by_role("alert")
    assert alert.is_visible()
    assert "this registration was changed in the meantime" in alert.inner_text()
    assert earlier.input_value('[name="booker_name"]') == "Bea Later"  # as it is now
    _axe_clean(earlier, "registration edit refused: changed meanwhile", viewport)


@pytest.fixture(scope="module")
def to_substitute(demo_team, django_db_blocker):
    """Per viewport a confirmed registration of the demo event with one attendee, for whom a
    colleague goes instead."""
    from goedeburen.registration.models import TicketType
    from tests.factories import AttendeeFactory, RegistrationFactory

    made = {}
    with django_db_blocker.unblock():
        ticket = TicketType.objects.get(event=demo_team, name_nl="Deelname")
        for viewport in ("360px", "1280px"):
            registration = RegistrationFactory(
                event=demo_team,
                status="confirmed",
                billing_organisation="Woonstichting De Linde",
                billing_address="Lindelaan 1\n3511 AA Utrecht",
            )
            made[viewport] = AttendeeFactory(
                registration=registration, ticket_type=ticket, given_name="Ada", family_name="Aal"
            )
    return made


@pytest.fixture(scope="module")
def stuck_refunds(demo_team, django_db_blocker):
    """Per viewport a registration of the demo event with an online payment whose refund is
    stuck pending (Mollie did not answer), made outside the tests' transactions."""
    from goedeburen.payments.models import Payment, Refund
    from tests.factories import RegistrationFactory

    made = {}
    with django_db_blocker.unblock():
        for viewport in ("360px", "1280px"):
            registration = RegistrationFactory(event=demo_team, status="cancelled")
            payment = Payment.objects.create(
                registration=registration,
                provider="mollie",
                provider_reference=f"tr_stuck{viewport[:-2]}",
                amount="125.00",
                state="paid",
            )
            Refund.objects.create(
                payment=payment,
                amount="125.00",
                reason="geannuleerd",
                error="Mollie could not be reached or did not answer (Not Found).",
            )
            made[viewport] = registration
    return made


@pytest.mark.parametrize("viewport", ["360px", "1280px"])
def test_secretariat_lets_a_colleague_go_instead_on_a_page_without_wcag_violations(
    visit, to_substitute, django_db_blocker, viewport
):
    from goedeburen.registration.models import Attendee

    attendee = to_substitute[viewport]
    registration = attendee.registration
    _signed_in(visit, f"{DEMO_OWNER}-{viewport}", viewport=viewport, javascript=True)
    detail = f"/en/backoffice/{registration.event.slug}/registrations/{registration.code}/"
    tab = _visit_signed_in(visit, detail, viewport)
    tab.get_by_role("link", name="Someone else goes instead of Ada Aal").click()
    tab.wait_for_load_state()
    assert "Someone else instead of Ada Aal" in tab.locator("h1").inner_text()
    _axe_clean(tab, "substitution", viewport)

    tab.get_by_label("Email address").fill("cor@")
    tab.locator("main").get_by_role("button", name="Let the colleague go instead").click()
    tab.wait_for_load_state()
    alert = tab.locator("main").get_by_role("alert")
    assert "First name" in alert.inner_text()
    assert "Enter a valid email address." in alert.inner_text()
    _axe_clean(tab, "substitution refused", viewport)

    tab.get_by_label("First name").fill("Cor")
    tab.get_by_label("Last name").fill("Collega")
    tab.get_by_label("Email address").fill("cor@example.org")
    tab.locator("main").get_by_role("button", name="Let the colleague go instead").click()
    tab.wait_for_load_state()
    assert tab.url.endswith(detail)
    assert "Cor Collega now goes instead of Ada Aal." in tab.locator("main").inner_text()
    with django_db_blocker.unblock():
        assert Attendee.objects.get(pk=attendee.pk).full_name == "Cor Collega"


@pytest.mark.parametrize("viewport", ["360px", "1280px"])
def test_a_stuck_refunds_actions_and_their_confirm_page_have_no_wcag_violations(
    visit, demo_team, stuck_refunds, viewport
):
    _signed_in(visit, f"{DEMO_OWNER}-{viewport}", viewport=viewport, javascript=True)
    base = f"/en/backoffice/{demo_team.slug}"
    code = stuck_refunds[viewport].code

    tab = _visit_signed_in(visit, f"{base}/payments/", viewport)
    assert "Refunds that did not go through" in tab.locator("main").inner_text()
    _axe_clean(tab, "payments overview with a stuck refund", viewport)

    tab = _visit_signed_in(visit, f"{base}/registrations/{code}/payments/", viewport)
    _axe_clean(tab, "registration payments with a stuck refund", viewport)
    tab.get_by_label("Note (to cancel, or to record it as paid back by hand)").fill("Overgemaakt")
    tab.get_by_role("button", name="Paid back by hand").click()
    tab.wait_for_load_state()
    assert "Settle this refund?" in tab.locator("main").inner_text()
    _axe_clean(tab, "stuck refund confirm page", viewport)


@pytest.mark.parametrize("viewport", ["360px", "1280px"])
def test_the_screens_that_print_or_zip_many_have_no_wcag_violations(
    visit, demo_team, django_db_blocker, viewport
):
    """The registrations list (letters for all), the invoices' export (the ZIP) and the
    check-in settings (every certificate), each with its new link or button."""
    _signed_in(visit, f"{DEMO_OWNER}-{viewport}", viewport=viewport, javascript=True)
    with translation.override("en"):
        pages = {
            name: (reverse(f"backoffice:{name}", kwargs={"event": demo_team.slug}), wanted)
            for name, wanted in (
                ("registration.list", "registrations/ticket-letters.pdf"),
                ("invoice.export_form", "invoices/export.zip"),
                ("checkin.settings", "checkin/certificates.pdf"),
            )
        }
    for name, (path, wanted) in pages.items():
        tab = _visit_signed_in(visit, path, viewport)
        _axe_clean(tab, name, viewport)
        assert wanted in tab.content(), name
