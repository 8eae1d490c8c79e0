"""Every form of every back-office screen, sent what people and programs could send instead.

Built on the URL table of test_access.py: each URL the organiser's owner may use is opened,
and every form on it that posts to it (or to an address listed in `POSTED_FROM`) is sent
the variants of `tests.bad_input`; every search and filter form, and the page numbers of
every list, with the same values in the query string. Each request runs in a savepoint
that is rolled back. Whatever is sent:
- nothing answers 5xx, nor does the page an accepted form leads to;
- an answer that is not a redirect (the form again, 400, 404) changes nothing in the
  database, but for the writes a screen makes by design (`WRITES`);
- a form that the browser's own data passes and a variant does not says why, on the page
  or in an error message for the next one;
- a refusal speaks English under /en/ (it differs from the Dutch one);
- every upload refuses files of the wrong kind, empty ones, XML with entities and ZIP
  archives that unpack to far more than they weigh, saying why.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import transaction
from django.urls import Resolver404, resolve

from tests.backoffice.conftest import World, make_world, url, url_kwargs
from tests.backoffice.test_access import DECLARED
from tests.bad_input import Probe, Variant, hostile_files, variants
from tests.clients import StaffClient
from tests.forms import page_forms

# A form that posts to an address without a page of its own: the page it is tried on (the
# test fails when it is not there). A form posting to a page of its own is tried there.
POSTED_FROM = {
    "api.redeliver": "api.webhook",
    "assignment.start": "assignment.list",
    "assignment.pin": "assignment.list",
    "bank.assign": "bank.unmatched",
    "bank.dismiss": "bank.unmatched",
    "event.status": "event.detail",
    "mail.retry": "mail.list",
    "mail.cancel": "mail.list",
    "mailing.delete": "mailing.detail",
    "registration.bulk": "registration.list",
    "registration.refund": "registration.payments",
    "registration.refund_settle": "registration.payments",
    "registration.record_payment": "registration.payments",
    "registration.reissue_invoice": "registration.payments",
    "team.event_member": "team.event",
    "team.event_invitation_revoke": "team.event",
    "team.organiser_member": "team.organiser",
    "team.organiser_invitation_revoke": "team.organiser",
    **{
        f"{kind}.export": f"{kind}.export_form"
        for kind in ("registration", "attendee", "payment", "invoice", "waiting_list")
    },
    "bank.export": "bank.export_form",
    "session_list.export": "session_list.export_form",
}
# What a screen writes whatever the outcome, and why.
WRITES = {
    # Every scan is kept, a refused one too: the door's record of what was scanned.
    "checkin.app": {"checkin_scan"},
    # The app to set up is made on the first look at the page, and kept until confirmed.
    "two_factor.setup": {"otp_totp_totpdevice"},
    # A test mail goes out with the text as typed, which is shown again.
    "mail_template.update": {"mail_outgoingmail", "common_logentry", "django_tasks_"},
    # A download of personal data is logged.
    **{
        f"{kind}.export": {"common_logentry"}
        for kind in ("registration", "attendee", "payment", "invoice", "waiting_list")
    },
    "bank.export": {"common_logentry"},
    "session_list.export": {"common_logentry"},
}
# Query-string parameters every list is tried with, besides its own search and filter form.
LIST_PARAMETERS = ["page", "per_page", "order"]
LIST_VALUES = ["-1", "abc", "9" * 25, b"\xff\xed\xa0\x80"]


@dataclass
class Office:
    world: World
    others: list[World]  # another event of the organiser, and another organiser's
    cookie: str  # the owner's session, with the second factor
    probe: Probe


@pytest.fixture(scope="module")
def office(django_db_setup, django_db_blocker):
    """The world of test_access.py (and two others, for their ids), made once for the module
    in a transaction rolled back at its end."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            world = make_world()
            others = [make_world(organiser=world.organiser), make_world()]
            for source in (world, *others):
                for name in DECLARED:
                    url_kwargs(name, source)  # the objects behind every URL, made now
            client = StaffClient()
            client.force_login(world.owner)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
            yield Office(world, others, cookie, Probe())
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _client(office: Office) -> StaffClient:
    # A fresh client each time: a variant that signs out must not sign the next one out.
    client = StaffClient()
    client.cookies[settings.SESSION_COOKIE_NAME] = office.cookie
    return client


def _name_of(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.url_name if match.namespace == "backoffice" else None


def _foreign_ids(office: Office) -> list[str]:
    """Return the ids of the other events' parts: numbers a choice of this event refuses."""
    ids = set()
    for other in office.others:
        for value in vars(other).values():
            if hasattr(value, "pk"):
                ids.add(str(value.pk))
    return sorted(ids)


def _with_foreign_ids(form, office: Office) -> list[Variant]:
    """Return a variant that picks, in every choice of ids, ids the choice does not offer."""
    pool = _foreign_ids(office)
    data = form.data()
    touched = set()
    for field in form.fields:
        offered = set(field.options) | ({field.value} if field.kind == "checkbox" else set())
        if field.name and offered and all(v.isdecimal() for v in offered if v):
            data[field.name] = [v for v in pool if v not in offered][:3]
            touched.add(field.name)
    if not touched:
        return []
    pairs = [(k, v) for k, values in data.items() for v in values]
    return [Variant("choices=foreign_ids", pairs, frozenset(touched))]


def _allowed(name: str, changed: list[str]) -> bool:
    allowed = WRITES.get(name, set())
    return all(table.startswith(tuple(allowed)) for table in changed) if allowed else not changed


def _check(name: str, variant: Variant, answer, *, baseline_ok: bool, hidden: set) -> list:
    """Return what is wrong with the answer to one variant."""
    wrong = []
    redirect = answer.status in (301, 302, 303)
    if answer.status >= 500:
        wrong.append("5xx")
    elif answer.followed is not None and answer.followed >= 500:
        wrong.append(f"accepted, then the page it leads to answered {answer.followed}")
    elif not redirect and not _allowed(name, answer.changed):
        wrong.append(f"answered {answer.status} but changed {answer.changed}")
    elif redirect and answer.refused_by_message() and not _allowed(name, answer.changed):
        wrong.append(f"refused but changed {answer.changed}")
    if (
        baseline_ok
        and answer.status == 200
        and not variant.touched & hidden  # a changed hidden field may show the page again
        and not answer.refused_by_message()
        and "attachment" not in answer.response.get("Content-Disposition", "")
    ):
        wrong.append("refused without saying why")
    return [f"{variant.label}: {problem}" for problem in wrong]


def _forms_of(name: str, path: str, html: str) -> list:
    """Return (URL name, path, form) for each form to try on the page at `path`: its own,
    and those `POSTED_FROM` names (a form posting to a page of its own is tried there)."""
    found, seen = [], set()
    for form in page_forms(html):
        action = urlsplit(form.action).path or path
        target = _name_of(action)
        if form.method != "post" or (action != path and POSTED_FROM.get(target) != name):
            continue
        key = (target, tuple(b.value for b in form.buttons()), tuple(f.name for f in form.fields))
        if key not in seen:
            seen.add(key)
            found.append((target, action, form))
    expected = {target for target, page in POSTED_FROM.items() if page == name}
    missing = expected - {target for target, _action, _form in found}
    assert missing == set(), f"{name}: no form posts to {missing}; update POSTED_FROM"
    return found


def _english(path: str) -> str:
    return "/en" + path


def _try_forms(office: Office, name: str, path: str, client, filled: dict | None = None):
    """Return what is wrong with the answers to the variants of the forms at `path`, sent
    by `client()` (with `filled` put into what the browser sends)."""
    page = office.probe.send(client(), "get", path)
    assert page.status < 500
    html = page.html() if page.status == 200 else ""
    wrong = []
    for target, action, form in _forms_of(name, path, html):
        hidden = {f.name for f in form.fields if f.kind in ("hidden", "submit", "checkbox")}
        for button in form.buttons() or [None]:
            data = {**form.data(button), **{k: [v] for k, v in (filled or {}).items()}}
            browser = [(k, v) for k, values in data.items() for v in values]
            baseline = office.probe.send(client(), "post", action, browser)
            baseline_ok = baseline.status in (301, 302, 303) and not baseline.refused_by_message()
            tried = [*variants(form, button, data=data), *_with_foreign_ids(form, office)]
            for variant in tried:
                answer = office.probe.send(client(), "post", action, variant.pairs)
                wrong += _check(target, variant, answer, baseline_ok=baseline_ok, hidden=hidden)
                if variant.label == "all=overlong" and answer.refused_by_message():
                    english = office.probe.send(client(), "post", _english(action), variant.pairs)
                    if english.alert_text() == answer.alert_text():
                        wrong.append(f"{variant.label}: the refusal is not in English under /en/")
            for field in form.files():
                for label, upload in hostile_files(field):
                    variant = Variant(f"{field.name}=file:{label}", browser, frozenset())
                    answer = office.probe.send(
                        client(), "post", action, browser, files={field.name: upload}
                    )
                    wrong += _check(target, variant, answer, baseline_ok=False, hidden=hidden)
                    if answer.status == 200 and not answer.refused_by_message():
                        wrong.append(f"{variant.label}: refused without saying why")
    return wrong


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(DECLARED))
def test_every_form_refuses_bad_input_clearly_and_changes_nothing(office, name, settings):
    settings.RATELIMIT_ENABLE = False
    path = url(name, office.world)
    wrong = _try_forms(office, name, path, lambda: _client(office))
    assert wrong == [], f"{path}:\n" + "\n".join(wrong)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["invitation", "password_reset_confirm"])
def test_the_forms_behind_a_link_by_mail_refuse_bad_input_too(office, name, settings):
    # The table's addresses for these show no form to the signed-in owner (another address,
    # a made-up token); a newcomer with a real link gets one.
    from django.contrib.auth.tokens import default_token_generator
    from django.test import Client
    from django.utils.http import urlsafe_base64_encode

    settings.RATELIMIT_ENABLE = False
    password = {"password1": "zes paarden 7 zadels", "password2": "zes paarden 7 zadels"}
    newcomer = Client()
    if name == "invitation":
        path = url(name, office.world)
        filled = {"username": "nieuw", "first_name": "Nieuw", **password}
    else:
        owner = office.world.owner
        uid = urlsafe_base64_encode(str(owner.pk).encode())
        token = default_token_generator.make_token(owner)
        # Django keeps the token in the session and sends the browser on to this address.
        newcomer.get(f"/backoffice/account/password/{uid}/{token}/")
        path = f"/backoffice/account/password/{uid}/set-password/"
        filled = {f"new_{key}": value for key, value in password.items()}
    assert [f for f in page_forms(newcomer.get(path).content.decode()) if f.method == "post"]
    wrong = _try_forms(office, name, path, lambda: newcomer, filled)
    assert wrong == [], f"{path}:\n" + "\n".join(wrong)


def _pairs(form, button) -> list:
    return [(k, v) for k, values in form.data(button).items() for v in values]


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(DECLARED))
def test_every_search_filter_and_page_number_answers_without_error(office, name, settings):
    settings.RATELIMIT_ENABLE = False
    path = url(name, office.world)
    page = office.probe.send(_client(office), "get", path)
    if page.status != 200 or not page.html():
        return
    tried = []
    for form in page_forms(page.html()):
        action = urlsplit(form.action).path or path
        if form.method == "get" and action == path:
            tried += variants(form)
    if tried or "page=" in page.html():
        tried += [
            Variant(f"{parameter}={value!r:.20}", [(parameter, value)], frozenset({parameter}))
            for parameter in LIST_PARAMETERS
            for value in LIST_VALUES
        ]
    wrong = []
    for variant in tried:
        answer = office.probe.send(_client(office), "get", path, variant.pairs)
        if answer.status >= 500 or not _allowed(name, answer.changed):
            wrong.append(f"{variant.label}: {answer.status}, changed {answer.changed}")
    assert wrong == [], f"{path}:\n" + "\n".join(wrong)
