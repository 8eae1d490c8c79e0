"""A real SMTP server (aiosmtpd, in this process) and the settings that send mail to it.

A plugin of the whole suite (`tests/conftest.py`), so any test can ask for `smtp`.
"""

import datetime as dt
import ipaddress
import socket
import ssl
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def self_signed_certificate(directory: Path, *, dns_name: str | None = None) -> tuple[Path, Path]:
    """Write a certificate for 127.0.0.1 (and localhost), or for `dns_name` alone, signed by
    itself, and its key into `directory`; return their paths (cert.pem, key.pem). A client
    trusts it by taking cert.pem as its only authority (`SSL_CERT_FILE`)."""
    if dns_name:
        names = [x509.DNSName(dns_name)]
    else:
        names = [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Goede buren test SMTP")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


class SmtpServer:
    """An SMTP server on a fixed port that can be stopped and started again.

    `messages` holds every mail that arrived, parsed with the `email` module. `replies` makes
    it answer a command with a refusal instead, as real servers do: `{"RCPT": "550 5.1.1 No
    such user"}`, `{"DATA": "552 5.3.4 Message too big"}`.

    With a `certificate` (cert.pem and key.pem, `self_signed_certificate`) and `users`
    (login → password) it is a submission server as the product documents one
    (`smtp://user:password@host:587/?tls=True`): it offers STARTTLS and refuses MAIL
    before it, and offers AUTH only after it and requires it. `sessions` holds, per mail,
    whether it came over TLS, the TLS version and the login it authenticated with;
    `envelopes` its envelope sender and recipients as they were sent, `raw` its bytes.
    """

    def __init__(
        self,
        port: int,
        *,
        certificate: tuple[Path, Path] | None = None,
        users: dict[str, str] | None = None,
    ):
        self.port = port
        self.messages: list[EmailMessage] = []
        self.raw: list[bytes] = []
        self.sessions: list[dict] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.replies: dict[str, str] = {}
        self.certificate = certificate
        self.users = users or {}
        self._controller: Controller | None = None

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        login = auth_data.login.decode("utf-8", "replace")
        password = auth_data.password.decode("utf-8", "replace")
        # Not `handled`: aiosmtpd then answers a refusal itself (535).
        success = self.users.get(login) == password
        return AuthResult(success=success, handled=False, auth_data=login)

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        if "RCPT" in self.replies:
            return self.replies["RCPT"]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        if "DATA" in self.replies:
            return self.replies["DATA"]
        self.messages.append(BytesParser(policy=policy.default).parsebytes(envelope.content))
        self.raw.append(envelope.original_content or envelope.content)
        tls = session.ssl is not None
        self.sessions.append(
            {
                "tls": tls,
                "tls_version": session.ssl.get("ssl_object").version() if tls else None,
                "login": session.auth_data if session.authenticated else None,
            }
        )
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    def start(self) -> None:
        secure = {}
        if self.certificate is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*self.certificate)
            secure = {
                "tls_context": context,
                "require_starttls": True,
                "auth_required": True,
                "auth_require_tls": True,
                "authenticator": self._authenticate,
            }
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port, **secure)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def message_ids(self) -> list[str]:
        return [message["Message-ID"] for message in self.messages]


@pytest.fixture
def smtp(settings):
    """A running SMTP server that Django's SMTP backend sends to."""
    server = SmtpServer(free_port())
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    server.start()
    yield server
    server.stop()
