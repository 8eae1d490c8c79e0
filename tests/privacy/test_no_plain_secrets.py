"""No manage or participant token readable anywhere after a whole flow: not in any table
(the session table included), not in the outbox after sending, not in the log output."""

import contextlib
import datetime as dt
import io
import logging
import re

import pytest
from gunicorn.config import Config

from goedeburen.common.log_masking import MaskSecretsFilter, mask
from goedeburen.gunicorn_config import MaskingLogger
from goedeburen.payments.models import Payment
from goedeburen.registration.models import Registration
from tests.registration.helpers import form_data, manage_link, url

from .conftest import database_text

pytestmark = pytest.mark.django_db

MANAGE = re.compile(r"/manage/[A-Z0-9]+/([A-Za-z0-9_-]{20,})/")
PARTICIPANT = re.compile(r"/participant/([^/\s\"<>]+)/")


@contextlib.contextmanager
def console_output():
    """Yield a buffer that gets what the site's console log handler writes, filters and all."""
    root = logging.getLogger()
    (handler,) = [
        h for h in root.handlers if any(isinstance(f, MaskSecretsFilter) for f in h.filters)
    ]
    buffer = io.StringIO()
    old = handler.setStream(buffer)
    try:
        yield buffer
    finally:
        handler.setStream(old)


def _tokens_in(text: str) -> set[str]:
    return set(MANAGE.findall(text)) | set(PARTICIPANT.findall(text))


def _mail_texts(smtp) -> str:
    return "\n".join(
        part.get_content()
        for message in smtp.messages
        for part in message.walk()
        if part.get_content_maintype() == "text"
    )


def test_a_whole_flow_leaves_no_token_in_the_database_or_the_log(
    client, event, ticket, smtp, mollie, immediate_tasks, django_capture_on_commit_callbacks
):
    def step():  # one request, and what it enqueued (the mail) done at once
        return django_capture_on_commit_callbacks(execute=True)

    with console_output() as log:
        # Register through the form, paying online as chosen there: the answer sends the
        # booker to Mollie, and the confirmation page shows the link.
        data = form_data(
            client,
            event,
            [ticket],
            **{"booker-email": "bea@example.org", "payment-provider": "mollie"},
        )
        with step():
            client.post(url("public:registration.start", event.slug), data)
        code = Registration.objects.get().code
        with step():
            done = client.get(url("public:registration.done", event.slug, code))
        first = manage_link(done.content.decode())
        (first_token,) = MANAGE.findall(first)
        # The booker's page, Mollie's webhook.
        with step():
            page = client.get(first).content.decode()
        payment = Payment.objects.get()
        mollie.set_status(payment.provider_reference, "paid")
        with step():
            client.post("/payments/mollie/webhook/", {"id": payment.provider_reference})
        # The link asked for again (the old one dies), then cancelled through the new one.
        with step():
            client.post(url("public:registration.link", event.slug), {"email": "bea@example.org"})
        mailed = _mail_texts(smtp)
        (new_token,) = set(MANAGE.findall(mailed)) - {first_token}
        new_link = first.replace(first_token, new_token)
        # The personal page links the calendar file through a participant link.
        participant_tokens = set(PARTICIPANT.findall(mailed)) | set(PARTICIPANT.findall(page))
        with step():
            assert client.post(new_link + "cancel/").status_code == 302
        # Links that no longer work are "Not Found" lines in the log.
        assert client.get(first).status_code == 404
        for token in participant_tokens:
            assert (
                client.get(url("public:participant.calendar", event.slug, token)).status_code == 404
            )

    issued = {first_token, new_token, *participant_tokens}
    assert participant_tokens  # participant links were handed out
    assert len(smtp.messages) >= 4  # confirmation, payment received, invoice, link, cancellation
    dump = database_text()
    output = log.getvalue()
    assert "Not Found" in output and "/***/" in output
    for token in issued:
        assert token not in dump, token
        assert token.encode().hex() not in dump, token
        assert token not in output, token


def test_gunicorn_access_log_masks_the_request_line_and_the_referrer(tmp_path):
    config = Config()
    config.set("accesslog", str(tmp_path / "access.log"))
    config.set("errorlog", str(tmp_path / "error.log"))
    logger = MaskingLogger(config)
    path = "/goede-buren/register/manage/K7QW3XPA/s3cr3t-t0ken-value-123/edit/"

    class Response:
        status, sent, headers = "302 Found", 0, [("Location", path)]

    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": "https://x/goede-buren/participant/abc:def:ghi/calendar.ics",
    }
    logger.cfg.set("access_log_format", "%(r)s %(f)s %({location}o)s")
    logger.access(Response(), [], environ, dt.timedelta(seconds=0))
    logger.error("Error handling request %s", path)

    access = (tmp_path / "access.log").read_text()
    errors = (tmp_path / "error.log").read_text()
    assert "s3cr3t" not in access + errors and "abc:def" not in access
    assert "/manage/K7QW3XPA/***/edit/" in access and "/participant/***/" in access
    assert "/manage/K7QW3XPA/***/edit/" in errors


@pytest.mark.parametrize(
    ("path", "masked"),
    [
        ("register/manage/K7QW3XPA/n0t-a-val1d-t0ken/", "/manage/K7QW3XPA/***/"),
        ("attendee/n0t-a-val1d-t0ken/calendar.ics", "/attendee/***/calendar.ics"),
    ],
    ids=["manage", "attendee-calendar"],
)
def test_django_request_log_masks_the_token(client, event, path, masked):
    with console_output() as log:
        response = client.get(f"/en/{event.slug}/{path}")

    assert response.status_code == 404
    assert "n0t-a-val1d" not in log.getvalue()
    assert masked in log.getvalue()


@pytest.mark.parametrize(
    ("line", "masked"),
    [
        ("/e/register/offer/ABC/t0k/", "/e/register/offer/ABC/***/"),
        ("GET /e/mail/unsubscribe/a.b:c/ HTTP/1.1", "GET /e/mail/unsubscribe/***/ HTTP/1.1"),
        ("/e/survey/xyz:1", "/e/survey/***"),
        ("/e/programme/", "/e/programme/"),
    ],
)
def test_mask(line, masked):
    assert mask(line) == masked
