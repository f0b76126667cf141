"""A stand-in for Twilio's HTTP API: records every request and answers in Twilio's shape.

Install it with `install_fake_twilio(app)`; the app's Twilio client then sends every request
here and nothing reaches the network. Queue answers with `fake.respond(...)`, or make the
provider fail with `fake.fail_next(...)` / `fake.down = True`, or answer slowly with
`fake.delay`.
"""

import json
import logging
import time
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
    delay: float = 0.0  # seconds every request takes to answer, as a slow provider would
    # Called with each request before it is answered: a test looks at the world meanwhile.
    while_answering: Callable[[Recorded], None] | None = None
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
        if self.while_answering is not None:
            self.while_answering(recorded)
        if self.delay:
            time.sleep(self.delay)
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
