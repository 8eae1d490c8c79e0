"""A local fake of the parts of Mollie's HTTP API that the SDK calls, in threads.

POST /v2/payments (honours Idempotency-Key), GET /v2/payments/<id>,
POST /v2/payments/<id>/refunds. Tests change a payment's status with `set_status`, as a
customer at the hosted checkout would, and then deliver the webhook themselves.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeMollie:
    def __init__(self):
        self.payments: dict[str, dict] = {}
        self.refunds: dict[str, list[dict]] = {}
        self.requests: list[tuple[str, str]] = []
        self.fail_next = False
        self._keys: dict[str, str] = {}
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

    def _payment(self, data: dict) -> dict:
        n = len(self.payments) + 1
        payment_id = f"tr_fake{n:05d}"
        return {
            "resource": "payment",
            "id": payment_id,
            "mode": "test",
            "status": "open",
            "amount": data["amount"],
            "description": data.get("description", ""),
            "redirectUrl": data.get("redirectUrl"),
            "webhookUrl": data.get("webhookUrl"),
            "metadata": data.get("metadata"),
            "_links": {
                "self": {"href": f"{self.url}/v2/payments/{payment_id}"},
                "checkout": {"href": f"https://checkout.example/{payment_id}"},
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

            def _error(self, status: int, detail: str):
                self._send(status, {"status": status, "title": "Error", "detail": detail})

            def _body(self) -> dict:
                length = int(self.headers.get("Content-Length") or 0)
                return json.loads(self.rfile.read(length) or b"{}")

            def do_POST(self):  # noqa: N802 (http.server's name)
                fake.requests.append(("POST", self.path))
                if not self.headers.get("Authorization", "").startswith("Bearer test_"):
                    return self._error(401, "Missing authentication")
                if fake.fail_next:
                    fake.fail_next = False
                    return self._error(422, "The amount is lower than the minimum")
                data = self._body()
                parts = self.path.strip("/").split("/")
                with fake._lock:
                    if parts == ["v2", "payments"]:
                        key = self.headers.get("Idempotency-Key", "")
                        if key and key in fake._keys:
                            return self._send(201, fake.payments[fake._keys[key]])
                        payment = fake._payment(data)
                        fake.payments[payment["id"]] = payment
                        if key:
                            fake._keys[key] = payment["id"]
                        return self._send(201, payment)
                    if (
                        len(parts) == 4
                        and parts[:2] == ["v2", "payments"]
                        and parts[3] == "refunds"
                    ):
                        payment = fake.payments.get(parts[2])
                        if payment is None:
                            return self._error(404, "No payment exists with token")
                        if payment["status"] != "paid":
                            return self._error(422, "The payment cannot be refunded")
                        refunds = fake.refunds.setdefault(parts[2], [])
                        refund = {
                            "resource": "refund",
                            "id": f"re_fake{len(refunds) + 1:03d}",
                            "amount": data["amount"],
                            "status": "pending",
                            "paymentId": parts[2],
                            "description": data.get("description", ""),
                        }
                        refunds.append(refund)
                        return self._send(201, refund)
                return self._error(404, "Not found")

            def do_GET(self):  # noqa: N802
                fake.requests.append(("GET", self.path))
                if not self.headers.get("Authorization", "").startswith("Bearer test_"):
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
