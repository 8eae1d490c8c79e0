"""A local fake of the parts of Mollie's v2 API that `mollie-api-py` calls, in threads.

POST /v2/payments, GET /v2/payments/<id>, POST and GET /v2/payments/<id>/refunds (the list
paginated as Mollie's are: `count`, `_embedded.refunds`, `_links.next` with `from` and
`limit`, at most 250 a page): camelCase JSON bodies, a Bearer key, and an `Idempotency-Key`
header on every request (the SDK sends one of its own when we give none). A repeated key
answers what the first request got, as Mollie does for a while (`forget_keys` is that while
over). Answers carry every field the SDK's response models require, so a field the SDK
cannot read fails the test as it would fail in production. Tests change a payment's status
with `set_status`, as a customer at the hosted checkout would, and then deliver the webhook
themselves. `lose_answers` carries a request out but never answers it (the answer lost on
the way back); `fail_refund_lists` answers a refunds list with that error status.
"""

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

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
# Mollie's largest page of a list.
MAX_PAGE = 250


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class FakeMollie:
    def __init__(self):
        self.payments: dict[str, dict] = {}
        self.refunds: dict[str, list[dict]] = {}
        # (method, path, Idempotency-Key) of every request, in order.
        self.requests: list[tuple[str, str, str]] = []
        self.fail_next = False
        # While True, a POST is carried out (its answer kept for its key) but not answered.
        self.lose_answers = False
        # An HTTP status to answer a payment's refunds list with, instead of the list.
        self.fail_refund_lists: int | None = None
        # The largest page a list answers (a test sets it lower to see pages followed).
        self.page_size = MAX_PAGE
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

    def set_refund_status(self, refund_id: str, status: str) -> None:
        """Change a refund's status, as Mollie does when it pays it out or it fails."""
        with self._lock:
            for refunds in self.refunds.values():
                for refund in refunds:
                    if refund["id"] == refund_id:
                        refund["status"] = status

    def forget_keys(self) -> None:
        """Forget every idempotency key, as Mollie does after a while (about an hour)."""
        with self._lock:
            self._answers.clear()

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
                        answer = fake._answers[key]
                    elif fake.fail_next:  # True: the next one; a number: that many
                        fake.fail_next -= 1
                        return self._error(422, "The amount is lower than the minimum", "amount")
                    else:
                        answer = self._create(self._body(), self.path.strip("/").split("/"))
                        if answer[0] < 300:
                            fake._answers[key] = answer
                    if fake.lose_answers:
                        # Done, but the answer never arrives: the client sees the connection
                        # close with nothing said.
                        self.close_connection = True
                        return None
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
                url = urlsplit(self.path)
                parts = url.path.strip("/").split("/")
                if len(parts) == 4 and parts[:2] == ["v2", "payments"] and parts[3] == "refunds":
                    return self._refunds_list(parts[2], parse_qs(url.query))
                if len(parts) == 3 and parts[:2] == ["v2", "payments"]:
                    with fake._lock:
                        payment = fake.payments.get(parts[2])
                        payment = dict(payment) if payment else None
                    if payment is None:
                        return self._error(404, "No payment exists with token")
                    return self._send(200, payment)
                return self._error(404, "Not found")

            def _refunds_list(self, payment_id: str, query: dict[str, list[str]]):
                if fake.fail_refund_lists:
                    return self._error(fake.fail_refund_lists, "Temporarily unavailable")
                try:
                    limit = int(query.get("limit", ["50"])[0])
                except ValueError:
                    return self._error(400, "Invalid limit", "limit")
                if not 1 <= limit <= MAX_PAGE:
                    return self._error(400, "Invalid limit", "limit")
                with fake._lock:
                    if payment_id not in fake.payments:
                        return self._error(404, "No payment exists with token")
                    refunds = [dict(r) for r in fake.refunds.get(payment_id, [])]
                ids = [refund["id"] for refund in refunds]
                start = query.get("from", [None])[0]
                if start is not None and start not in ids:
                    return self._error(400, "Invalid from", "from")
                first = ids.index(start) if start else 0
                page = refunds[first : first + min(limit, fake.page_size)]
                rest = refunds[first + len(page) :]
                path = f"/v2/payments/{payment_id}/refunds"
                self._send(
                    200,
                    {
                        "count": len(page),
                        "_embedded": {"refunds": page},
                        "_links": {
                            "self": fake._link(f"{path}?limit={limit}"),
                            "previous": None,
                            "next": (
                                fake._link(f"{path}?from={rest[0]['id']}&limit={limit}")
                                if rest
                                else None
                            ),
                            "documentation": DOCS,
                        },
                    },
                )

        return Handler
