"""A stand-in for Twilio's HTTP API: records every request and answers in Twilio's shape.

Install it with `install_fake_twilio(app)`; the app's Twilio client then sends every request
here and nothing reaches the network. Queue answers with `fake.respond(...)`, or make the
provider fail with `fake.fail_next(...)` / `fake.down = True`, or answer slowly with
`fake.delay`. Texts it takes are kept in `fake.messages` and listed back by number, as Twilio
lists them; `fake.take_then_time_out()` takes the next text and then times out, as Twilio can
when it answers after the timeout. `fake.hold(...)` keeps requests waiting, genuinely blocked,
until the test releases them: a provider that is slow exactly while the test looks around.
"""

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC
from email.utils import format_datetime
from itertools import count
from urllib.parse import unquote

from twilio.http import HttpClient
from twilio.http.response import Response

from app import clock

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "test-auth-token"
APPROVED_CODE = "123456"  # the one code the fake Verify approves


@dataclass
class Recorded:
    method: str
    uri: str
    params: dict
    data: dict


@dataclass
class Hold:
    """Requests to the fake that wait until `release()` (or until `seconds` pass, so that a
    test that fails never hangs): the thread that asked is blocked on an event meanwhile."""

    fragment: str  # held: requests whose URI contains it
    count: int  # how many requests it holds
    seconds: float
    arrived: int = 0
    timed_out: bool = False
    _released: threading.Event = field(default_factory=threading.Event)
    _changed: threading.Condition = field(default_factory=threading.Condition)

    def wait_for_arrivals(self, count: int | None = None, timeout: float = 10) -> bool:
        """Wait until `count` requests (all it holds, by default) are held; whether they are."""
        with self._changed:
            return self._changed.wait_for(
                lambda: self.arrived >= (count or self.count), timeout=timeout
            )

    def release(self) -> None:
        self._released.set()

    def takes(self, recorded: "Recorded") -> bool:
        with self._changed:
            if self.fragment not in recorded.uri or self.arrived >= self.count:
                return False
            self.arrived += 1
            self._changed.notify_all()
            return True

    def block(self) -> None:
        if not self._released.wait(self.seconds):
            self.timed_out = True


@dataclass
class FakeTwilio(HttpClient):
    requests: list[Recorded] = field(default_factory=list)
    down: bool = False  # every request fails as a timeout would
    delay: float = 0.0  # seconds every request takes to answer, as a slow provider would
    # Called with each request before it is answered: a test looks at the world meanwhile.
    while_answering: Callable[[Recorded], None] | None = None
    # Lookup v2 answers by number (E.164); a number not here is a mobile, never swapped.
    lookups: dict[str, dict] = field(default_factory=dict)
    # Every text the fake took, as Twilio's Message resource shows it, oldest first.
    messages: list[dict] = field(default_factory=list)
    _answers: list[Callable[[Recorded], Response]] = field(default_factory=list)
    _holds: list[Hold] = field(default_factory=list)
    _sids: count = field(default_factory=lambda: count(1))

    def __post_init__(self) -> None:
        super().__init__(logging.getLogger("fake-twilio"), is_async=False)

    def request(
        self,
        method,
        uri,
        params=None,
        data=None,
        headers=None,
        auth=None,
        timeout=None,
        allow_redirects=False,
    ):
        recorded = Recorded(method, uri, dict(params or {}), dict(data or {}))
        self.requests.append(recorded)
        if self.while_answering is not None:
            self.while_answering(recorded)
        for hold in self._holds:
            if hold.takes(recorded):
                hold.block()
                break
        if self.delay:
            time.sleep(self.delay)
        if self.down:
            raise TimeoutError("fake provider is down")
        if self._answers:
            return self._answers.pop(0)(recorded)
        return self._default(recorded)

    def hold(self, fragment: str, count: int = 1, seconds: float = 10) -> Hold:
        """Hold the next `count` requests whose URI contains `fragment` (e.g.
        "/VerificationCheck") until the returned hold is released, for `seconds` at most;
        then they are answered as they would have been."""
        hold = Hold(fragment, count, seconds)
        self._holds.append(hold)
        return hold

    def note_locks(self, *rows: tuple[type, int], only: str = "") -> list[tuple[bool, bool]]:
        """While answering each request whose URI contains `only`, note whether every (model,
        id) row is free and whether the session asking holds a transaction open: a provider
        asked under a lock shows (False, ...) or (..., True). Read the ids before: loading
        one meanwhile would itself open a transaction."""
        from app.extensions import db
        from tests.helpers import rows_are_free

        noted: list[tuple[bool, bool]] = []

        def note(recorded: Recorded) -> None:
            if only in recorded.uri:
                noted.append((rows_are_free(*rows), db.session().in_transaction()))

        self.while_answering = note
        return noted

    def release_holds(self) -> None:
        for hold in self._holds:
            hold.release()

    def respond(self, status: int, body: dict) -> None:
        """Answer the next request with this status and JSON body."""
        self._answers.append(lambda _: Response(status, json.dumps(body)))

    def fail_next(self, error: Exception) -> None:
        """Raise `error` for the next request (a timeout, a refused connection)."""

        def raise_it(_):
            raise error

        self._answers.append(raise_it)

    def take_then_time_out(
        self,
        error: Exception | None = None,
        *,
        answer: tuple[int, dict] | None = None,
        then: Callable[[dict], object] | None = None,
    ) -> None:
        """Take the next text (it is held, and listed), then raise `error` (a timeout by
        default) instead of answering, as when Twilio answers after the timeout; or give
        `answer` (a status and body, e.g. a 502 from a gateway). `then(message)` runs in
        between, as a delivery report arriving while the send waits would."""

        def take_it(recorded):
            message = self._take_text(recorded)
            if then is not None:
                then(message)
            if answer is not None:
                return Response(answer[0], json.dumps(answer[1]))
            raise error or TimeoutError("the provider answered after the timeout")

        self._answers.append(take_it)

    def sent(self, fragment: str) -> list[Recorded]:
        """The requests whose URI contains `fragment` (e.g. "/Verifications")."""
        return [r for r in self.requests if fragment in r.uri]

    def text_requests(self) -> list[Recorded]:
        """The requests to send a text (whether or not the fake took them)."""
        return [r for r in self.sent("/Messages.json") if r.method == "POST"]

    def texts_held(self, body: str | None = None) -> list[dict]:
        """The texts the fake took, with this body if one is given."""
        return [m for m in self.messages if body is None or m["body"] == body]

    def look_up_as(
        self,
        number: str,
        *,
        swapped_period: str | None = None,
        line_type: str = "mobile",
        forwarded: bool = False,
    ) -> None:
        """Make Lookup v2 describe `number` so: its SIM swapped within `swapped_period` (an
        ISO 8601 period such as "PT24H"), its line type, whether its calls are forwarded."""
        answer = lookup_answer(number)
        answer["sim_swap"]["last_sim_swap"].update(
            swapped_period=swapped_period or "PT720H", swapped_in_period=swapped_period is not None
        )
        answer["line_type_intelligence"]["type"] = line_type
        answer["call_forwarding"]["call_forwarding_status"] = forwarded
        self.lookups[number] = answer

    def lookup_of(self, number: str) -> dict:
        """What Lookup v2 answers for `number`: as set, else a mobile not swapped lately."""
        return self.lookups.get(number) or lookup_answer(number)

    def _default(self, recorded: Recorded) -> Response:
        n = next(self._sids)
        if "lookups.twilio.com/v2/PhoneNumbers/" in recorded.uri:
            number = unquote(recorded.uri.rsplit("/", 1)[1])
            return Response(200, json.dumps(self.lookup_of(number)))
        if recorded.uri.endswith("/Messages.json") and recorded.method == "GET":
            to = recorded.params.get("To")
            listed = [m for m in reversed(self.messages) if to is None or m["to"] == to]
            size = int(recorded.params.get("PageSize", 50))
            return Response(
                200,
                json.dumps({"messages": listed[:size], "next_page_uri": None, "page": 0}),
            )
        if recorded.uri.endswith("/Messages.json"):
            return Response(201, json.dumps(self._take_text(recorded, n)))
        if recorded.uri.endswith("/Verifications"):
            return Response(
                201,
                json.dumps(
                    {"sid": f"VE{n:032x}", "to": recorded.data.get("To"), "status": "pending"}
                ),
            )
        if recorded.uri.endswith("/Calls.json") and recorded.method == "POST":
            body = {
                "sid": f"CA{n:032x}",
                "account_sid": ACCOUNT_SID,
                "to": recorded.data.get("To"),
                "from": recorded.data.get("From"),
                "status": "queued",
            }
            return Response(201, json.dumps(body))
        if "/Calls/CA" in recorded.uri and recorded.method == "POST":
            call_sid = recorded.uri.rsplit("/", 1)[1].removesuffix(".json")
            status = recorded.data.get("Status", "in-progress")
            return Response(
                200, json.dumps({"sid": call_sid, "account_sid": ACCOUNT_SID, "status": status})
            )
        if recorded.uri.endswith("/VerificationCheck"):
            approved = recorded.data.get("Code") == APPROVED_CODE
            return Response(
                200,
                json.dumps(
                    {
                        "sid": f"VE{n:032x}",
                        "to": recorded.data.get("To"),
                        "status": "approved" if approved else "pending",
                        "valid": approved,
                    }
                ),
            )
        return Response(404, json.dumps({"code": 20404, "message": "not found", "status": 404}))

    def _take_text(self, recorded: Recorded, n: int | None = None) -> dict:
        n = next(self._sids) if n is None else n
        message = {
            "sid": f"SM{n:032x}",
            "account_sid": ACCOUNT_SID,
            "to": recorded.data.get("To"),
            "from": recorded.data.get("From"),
            "body": recorded.data.get("Body"),
            "status": "queued",
            "direction": "outbound-api",
            "date_created": format_datetime(clock.now().astimezone(UTC), usegmt=True),
            "date_sent": None,
        }
        self.messages.append(message)
        return message


def lookup_answer(number: str) -> dict:
    """Lookup v2's whole answer, as Twilio shapes it, for a UK mobile whose SIM was not
    swapped within the 30 days asked about and whose calls are not forwarded. Tests change
    the parts they are about."""
    carrier = {"carrier_name": "Vodafone UK", "mobile_country_code": "234"}
    return {
        "calling_country_code": "44",
        "country_code": "GB",
        "phone_number": number,
        "national_format": "0" + number[3:] if number.startswith("+44") else number,
        "valid": True,
        "validation_errors": [],
        "caller_name": None,
        "sim_swap": {
            "last_sim_swap": {
                "last_sim_swap_date": None,
                "swapped_period": "PT720H",
                "swapped_in_period": False,
            },
            **carrier,
            "mobile_network_code": "15",
            "error_code": None,
        },
        "call_forwarding": {"call_forwarding_status": False, "error_code": None},
        "line_status": None,
        "line_type_intelligence": {
            **carrier,
            "mobile_network_code": "15",
            "type": "mobile",
            "error_code": None,
        },
        "identity_match": None,
        "reassigned_number": None,
        "sms_pumping_risk": None,
        "phone_number_quality_score": None,
        "pre_fill": None,
        "url": f"https://lookups.twilio.com/v2/PhoneNumbers/{number}",
    }


def install_fake_twilio(app) -> FakeTwilio:
    """Point the app's Twilio client at a new fake, with credentials set; returns the fake."""
    fake = FakeTwilio()
    app.extensions["twilio_http_client"] = fake
    app.config["TWILIO_ACCOUNT_SID"] = ACCOUNT_SID
    app.config["TWILIO_AUTH_TOKEN"] = AUTH_TOKEN
    return fake
