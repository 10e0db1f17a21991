"""A stand-in for the GOV.UK Notify API on 127.0.0.1, for the worker's tests: the real client talks to it over HTTP.

It serves what notifications-python-client calls (POST /v2/notifications/sms and /email, GET /v2/notifications/<id>,
GET /v2/notifications?reference=), checks the JWT the client signs (HS256 with the API key's secret, iss the service
id), records every reference it accepts, and can be told to fail: a status for the next N sends, a delay per send,
or to hold its answers after N sends (so a test can kill a worker in the middle of a batch).
"""

import json
import threading
import time
import uuid
from collections import Counter
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import jwt
from werkzeug.wrappers import Request, Response

from kiosk.services.notifications import TEMPLATES, render

SERVICE_ID = "8b3aa916-ec82-434e-b0c5-d5d9b371d6a3"
SECRET = "2f9bd1d5-1c4a-4b8a-9c7e-2b8f6f1a3e77"
API_KEY = f"kiosk_test-{SERVICE_ID}-{SECRET}"
# One template id per message and channel, as a practice would configure them.
TEMPLATE_IDS = {
    (channel, key): str(uuid.uuid5(uuid.NAMESPACE_URL, f"{channel}/{key}"))
    for key in TEMPLATES
    for channel in ("sms", "email")
}
_KEY_BY_ID = {v: k for k, v in TEMPLATE_IDS.items()}

ERRORS = {
    400: ("ValidationError", "phone_number Not a UK mobile number"),
    429: ("RateLimitError", "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds"),
    500: ("Exception", "Internal server error"),
}


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class _Server(WSGIServer):
    daemon_threads = True

    def process_request(self, request, client_address):
        # One thread per request, so a slow send does not hold up another worker's lookups.
        threading.Thread(target=self._handle, args=(request, client_address), daemon=True).start()

    def _handle(self, request, client_address):
        try:
            self.finish_request(request, client_address)
        finally:
            self.shutdown_request(request)


class NotifyStandIn:
    def __init__(self):
        self.lock = threading.Lock()
        self.notifications: dict[str, dict] = {}  # by Notify id
        self.references: list[str] = []  # every reference accepted, in order (a repeat is a double send)
        self.lookups: list[str] = []
        self.fail_next: list[int] = []  # statuses to answer the next sends with, one each
        self.delay = 0.0
        # Answer nothing once this many sends have arrived, until released: a worker waiting on the answer is
        # exactly where a crash is worst (Notify has the message, the outbox does not know).
        self.hold_after: int | None = None
        self.released = threading.Event()
        self.bad_tokens = 0
        self._server = make_server("127.0.0.1", 0, self._app, server_class=_Server, handler_class=_Quiet)
        self.base_url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> "NotifyStandIn":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reference_counts(self) -> Counter:
        with self.lock:
            return Counter(self.references)

    def bodies(self) -> list[str]:
        with self.lock:
            return [n["content"]["body"] for n in self.notifications.values()]

    # The API ----------------------------------------------------------------------------------------------------

    def _app(self, environ, start_response):
        request = Request(environ)
        response = self._route(request)
        return response(environ, start_response)

    def _authorised(self, request: Request) -> bool:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return False
        try:
            claims = jwt.decode(header[7:], SECRET, algorithms=["HS256"], options={"require": ["iss", "iat"]})
        except jwt.PyJWTError:
            return False
        return claims["iss"] == SERVICE_ID and abs(time.time() - claims["iat"]) <= 30

    def _route(self, request: Request) -> Response:
        if not self._authorised(request):
            with self.lock:
                self.bad_tokens += 1
            return _error(403, "AuthError", "Invalid token: signature, api token not found")
        path = request.path.rstrip("/")
        if request.method == "POST" and path in ("/v2/notifications/sms", "/v2/notifications/email"):
            return self._send(request, path.rsplit("/", 1)[1])
        if request.method == "GET" and path == "/v2/notifications":
            reference = request.args.get("reference")
            with self.lock:
                self.lookups.append(reference or "")
                found = [n for n in self.notifications.values() if reference is None or n["reference"] == reference]
            return _json(200, {"notifications": found, "links": {"current": request.url}})
        if request.method == "GET" and path.startswith("/v2/notifications/"):
            with self.lock:
                found = self.notifications.get(path.rsplit("/", 1)[1])
            return _json(200, found) if found else _error(404, "NoResultFound", "No result found")
        return _error(404, "NotFound", "Not found")

    def _send(self, request: Request, channel: str) -> Response:
        data = json.loads(request.get_data(as_text=True))
        with self.lock:
            failing = self.fail_next.pop(0) if self.fail_next else None
        if failing is not None:
            return _error(failing, *ERRORS[failing])
        key = _KEY_BY_ID.get(data.get("template_id"))
        if key is None or key[0] != channel:
            return _error(400, "BadRequestError", "Template not found")
        body = render(key[1], data.get("personalisation") or {})
        notification = {
            "id": str(uuid.uuid4()),
            "reference": data.get("reference"),
            "type": channel,
            "status": "created",
            "template": {"id": data["template_id"], "version": 1},
            "content": {"body": body},
            "recipient": data.get("phone_number") or data.get("email_address"),
        }
        with self.lock:
            # Recorded before the answer: a worker killed while waiting has still sent it (the case to survive).
            self.notifications[notification["id"]] = notification
            self.references.append(notification["reference"])
            delay = self.delay
            hold = self.hold_after is not None and len(self.references) >= self.hold_after
        if delay:
            time.sleep(delay)
        if hold:
            self.released.wait(30)
        return _json(201, notification)


def _json(status: int, body) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


def _error(status: int, error: str, message: str) -> Response:
    return _json(status, {"status_code": status, "errors": [{"error": error, "message": message}]})
