"""A local fake of the parts of Mollie's v2 API that `mollie-api-py` calls, in threads.

POST /v2/payments, GET /v2/payments/<id>, POST /v2/payments/<id>/refunds: camelCase JSON
bodies, a Bearer key, and an `Idempotency-Key` header on every request (the SDK sends one
of its own when we give none). A repeated key answers what the first request got, as
Mollie does. Answers carry every field the SDK's response models require, so a field the
SDK cannot read fails the test as it would fail in production. Tests change a payment's
status with `set_status`, as a customer at the hosted checkout would, and then deliver the
webhook themselves.
"""

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# The fields a create-payment body may hold (what we send is a subset).
PAYMENT_FIELDS = {
    "amount",
    "description",
    "redirectUrl",
    "cancelUrl",
    "webhookUrl",
    "locale",
    "method",
    "metadata",
}
REFUND_FIELDS = {"amount", "description", "metadata"}
DOCS = {"href": "https://docs.mollie.com/", "type": "text/html"}


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class FakeMollie:
    def __init__(self):
        self.payments: dict[str, dict] = {}
        self.refunds: dict[str, list[dict]] = {}
        # (method, path, Idempotency-Key) of every request, in order.
        self.requests: list[tuple[str, str, str]] = []
        self.fail_next = False
        self._answers: dict[str, tuple[int, dict]] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self):
        self._thread.start()

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    def set_status(self, payment_id: str, status: str) -> None:
        with self._lock:
            self.payments[payment_id]["status"] = status

    def keys(self, method: str, path: str) -> list[str]:
        """Return the idempotency keys of the requests `method path` received, in order."""
        return [key for m, p, key in self.requests if (m, p) == (method, path)]

    def _link(self, path: str) -> dict:
        return {"href": f"{self.url}{path}", "type": "application/hal+json"}

    def _payment(self, data: dict) -> dict:
        n = len(self.payments) + 1
        payment_id = f"tr_fake{n:05d}"
        return {
            "resource": "payment",
            "id": payment_id,
            "mode": "test",
            "createdAt": _now(),
            "status": "open",
            "isCancelable": False,
            "amount": data["amount"],
            "description": data["description"],
            "method": None,
            "sequenceType": "oneoff",
            "profileId": "pfl_fake00001",
            "redirectUrl": data.get("redirectUrl"),
            "webhookUrl": data.get("webhookUrl"),
            "locale": data.get("locale"),
            "metadata": data.get("metadata"),
            "_links": {
                "self": self._link(f"/v2/payments/{payment_id}"),
                "checkout": {"href": f"https://checkout.example/{payment_id}", "type": "text/html"},
                "dashboard": {
                    "href": f"https://my.mollie.com/dashboard/payments/{payment_id}",
                    "type": "text/html",
                },
                "documentation": DOCS,
            },
        }

    def _refund(self, payment: dict, data: dict, n: int) -> dict:
        refund_id = f"re_fake{n:03d}"
        return {
            "resource": "refund",
            "id": refund_id,
            "mode": "test",
            "createdAt": _now(),
            "amount": data["amount"],
            "status": "pending",
            "paymentId": payment["id"],
            "description": data.get("description", ""),
            "metadata": data.get("metadata"),
            "_links": {
                "self": self._link(f"/v2/payments/{payment['id']}/refunds/{refund_id}"),
                "payment": self._link(f"/v2/payments/{payment['id']}"),
                "documentation": DOCS,
            },
        }

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def _send(self, status: int, body: dict):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/hal+json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _error(self, status: int, detail: str, field: str | None = None):
                body = {
                    "status": status,
                    "title": "Error",
                    "detail": detail,
                    "_links": {"documentation": DOCS},
                }
                if field:
                    body["field"] = field
                self._send(status, body)

            def _body(self) -> dict:
                length = int(self.headers.get("Content-Length") or 0)
                return json.loads(self.rfile.read(length) or b"{}")

            def _authorised(self) -> bool:
                return self.headers.get("Authorization", "").startswith("Bearer test_")

            def do_POST(self):  # noqa: N802 (http.server's name)
                key = self.headers.get("Idempotency-Key", "")
                fake.requests.append(("POST", self.path, key))
                if not self._authorised():
                    return self._error(401, "Missing authentication")
                if not key:
                    return self._error(400, "The SDK always sends an Idempotency-Key")
                with fake._lock:
                    if key in fake._answers:  # Mollie answers a repeated key as before
                        return self._send(*fake._answers[key])
                    if fake.fail_next:
                        fake.fail_next = False
                        return self._error(422, "The amount is lower than the minimum", "amount")
                    answer = self._create(self._body(), self.path.strip("/").split("/"))
                    if answer[0] < 300:
                        fake._answers[key] = answer
                return self._send(*answer)

            def _create(self, data: dict, parts: list[str]) -> tuple[int, dict]:
                if parts == ["v2", "payments"]:
                    unknown = set(data) - PAYMENT_FIELDS
                    if unknown:
                        return 422, {"status": 422, "detail": f"Unknown fields {sorted(unknown)}"}
                    if not data.get("redirectUrl") or not data.get("description"):
                        return 422, {"status": 422, "detail": "redirectUrl and description"}
                    payment = fake._payment(data)
                    fake.payments[payment["id"]] = payment
                    return 201, payment
                if len(parts) == 4 and parts[:2] == ["v2", "payments"] and parts[3] == "refunds":
                    payment = fake.payments.get(parts[2])
                    if payment is None:
                        return 404, {"status": 404, "detail": "No payment exists with token"}
                    if payment["status"] != "paid" or set(data) - REFUND_FIELDS:
                        return 422, {"status": 422, "detail": "The payment cannot be refunded"}
                    refunds = fake.refunds.setdefault(parts[2], [])
                    refund = fake._refund(payment, data, len(refunds) + 1)
                    refunds.append(refund)
                    return 201, refund
                return 404, {"status": 404, "detail": "Not found"}

            def do_GET(self):  # noqa: N802
                fake.requests.append(("GET", self.path, self.headers.get("Idempotency-Key", "")))
                if not self._authorised():
                    return self._error(401, "Missing authentication")
                parts = self.path.split("?")[0].strip("/").split("/")
                if len(parts) == 3 and parts[:2] == ["v2", "payments"]:
                    with fake._lock:
                        payment = fake.payments.get(parts[2])
                        payment = dict(payment) if payment else None
                    if payment is None:
                        return self._error(404, "No payment exists with token")
                    return self._send(200, payment)
                return self._error(404, "Not found")

        return Handler
