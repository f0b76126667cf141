"""A stand-in for Twilio's HTTP API: records every request and answers in Twilio's shape.

Install it with `install_fake_twilio(app)`; the app's Twilio client then sends every request
here and nothing reaches the network. Queue answers with `fake.respond(...)`, or make the
provider fail with `fake.fail_next(...)` / `fake.down = True`.
"""

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import count
from urllib.parse import unquote

from twilio.http import HttpClient
from twilio.http.response import Response

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
class FakeTwilio(HttpClient):
    requests: list[Recorded] = field(default_factory=list)
    down: bool = False  # every request fails as a timeout would
    # Lookup v2 answers by number (E.164); a number not here is a mobile, never swapped.
    lookups: dict[str, dict] = field(default_factory=dict)
    _answers: list[Callable[[Recorded], Response]] = field(default_factory=list)
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
        if self.down:
            raise TimeoutError("fake provider is down")
        if self._answers:
            return self._answers.pop(0)(recorded)
        return self._default(recorded)

    def respond(self, status: int, body: dict) -> None:
        """Answer the next request with this status and JSON body."""
        self._answers.append(lambda _: Response(status, json.dumps(body)))

    def fail_next(self, error: Exception) -> None:
        """Raise `error` for the next request (a timeout, a refused connection)."""

        def raise_it(_):
            raise error

        self._answers.append(raise_it)

    def sent(self, fragment: str) -> list[Recorded]:
        """The requests whose URI contains `fragment` (e.g. "/Messages.json")."""
        return [r for r in self.requests if fragment in r.uri]

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
        self.lookups[number] = {
            "sim_swap": {
                "last_sim_swap": {
                    "last_sim_swap_date": None,
                    "swapped_period": swapped_period or "PT720H",
                    "swapped_in_period": swapped_period is not None,
                },
                "error_code": None,
            },
            "line_type_intelligence": {"type": line_type, "error_code": None},
            "call_forwarding": {"call_forwarding_status": forwarded, "error_code": None},
        }

    def _default(self, recorded: Recorded) -> Response:
        n = next(self._sids)
        if "lookups.twilio.com/v2/PhoneNumbers/" in recorded.uri:
            number = unquote(recorded.uri.rsplit("/", 1)[1])
            if number not in self.lookups:
                self.look_up_as(number)
            return Response(
                200, json.dumps({"phone_number": number, "valid": True, **self.lookups[number]})
            )
        if recorded.uri.endswith("/Messages.json"):
            return Response(
                201,
                json.dumps(
                    {
                        "sid": f"SM{n:032x}",
                        "account_sid": ACCOUNT_SID,
                        "to": recorded.data.get("To"),
                        "from": recorded.data.get("From"),
                        "body": recorded.data.get("Body"),
                        "status": "queued",
                    }
                ),
            )
        if recorded.uri.endswith("/Verifications"):
            return Response(
                201,
                json.dumps(
                    {"sid": f"VE{n:032x}", "to": recorded.data.get("To"), "status": "pending"}
                ),
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


def install_fake_twilio(app) -> FakeTwilio:
    """Point the app's Twilio client at a new fake, with credentials set; returns the fake."""
    fake = FakeTwilio()
    app.extensions["twilio_http_client"] = fake
    app.config["TWILIO_ACCOUNT_SID"] = ACCOUNT_SID
    app.config["TWILIO_AUTH_TOKEN"] = AUTH_TOKEN
    return fake
