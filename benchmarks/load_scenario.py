"""One simulated call handler's work, as `make load` drives it (benchmarks/locustfile.py).

Kept apart from Locust so that a test can run the same calls through Flask's test client
(tests/test_load_scenario.py) without Locust installed. A `Browser` sends each request
under the name it is reported by, one per route; a `Caller` is a seeded resident, with the
answers the handler is given on the phone.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')
SHOWN_FOR = re.compile(r'name="verify-shown_for"[^>]*value="([^"]*)"')
RESULT_ID = re.compile(r'name="resident_id" value="(\d+)"')
CALL_URL = re.compile(r"/calls/(\d+)$")
HTMX = {"HX-Request": "true"}


@dataclass(frozen=True)
class Caller:
    """A seeded resident, and how they come across on the phone."""

    resident_id: int
    name: str  # "forename surname", as on the record
    misspelt: str  # the same name as a handler might mistype it
    phone: str  # in national format, as caller ID shows it
    date_of_birth: str  # "27 3 1985", as the caller says it
    postcode: str


@dataclass(frozen=True)
class Response:
    status: int
    location: str
    text: str


class Browser(Protocol):
    def __call__(
        self, method: str, url: str, name: str, data: dict | None = None, htmx: bool = False
    ) -> Response: ...


class ScenarioFailed(AssertionError):
    """A step did not answer as a handler's browser expects."""


def _expect(response: Response, status: int, step: str, contains: str | None = None) -> None:
    if response.status != status:
        raise ScenarioFailed(f"{step}: {response.status}, expected {status}")
    if contains is not None and contains not in response.text:
        raise ScenarioFailed(f"{step}: the page does not say {contains!r}")


def _token(response: Response, step: str) -> str:
    match = TOKEN.search(response.text)
    if not match:
        raise ScenarioFailed(f"{step}: no CSRF token on the page")
    return match.group(1)


class Handler:
    """A member of staff at the console: signs in once, then works whole calls."""

    def __init__(self, browser: Browser, email: str, password: str):
        self.browser = browser
        self.email = email
        self.password = password
        self.token = ""

    def sign_in(self) -> None:
        page = self.browser("GET", "/login", "/login")
        _expect(page, 200, "sign-in page")
        data = {"email": self.email, "password": self.password, "csrf_token": _token(page, "login")}
        signed_in = self.browser("POST", "/login", "/login [sign in]", data)
        _expect(signed_in, 302, "sign in")
        # Signing in starts a new session, with its own token.
        calls = self.browser("GET", "/calls", "/calls")
        _expect(calls, 200, "calls page")
        self.token = _token(calls, "calls page")

    def _post(self, url: str, name: str, data: dict, htmx: bool = False) -> Response:
        return self.browser("POST", url, name, {**data, "csrf_token": self.token}, htmx)

    def work_call(self, caller: Caller, think: Callable[[], None] = lambda: None) -> None:
        """Start, search (exact name, misspelt name, phone), select, record the caller as the
        resident, verify, view the record, log a report, end: the call's whole life."""
        started = self._post("/calls", "/calls [start]", {"caller_number": caller.phone})
        _expect(started, 302, "start call")
        match = CALL_URL.search(started.location)
        if not match:
            raise ScenarioFailed(f"start call: redirected to {started.location!r}")
        call = f"/calls/{match.group(1)}"
        _expect(self.browser("GET", call, "/calls/[id]"), 200, "call page", "Find the resident")
        think()

        found = None
        for kind, query in (
            ("name", caller.name),
            ("misspelt name", caller.misspelt),
            ("phone", caller.phone),
        ):
            results = self._post(
                f"{call}/search", f"/calls/[id]/search [{kind}]", {"q": query}, htmx=True
            )
            _expect(results, 200, f"search by {kind}")
            if found is None and str(caller.resident_id) in RESULT_ID.findall(results.text):
                found = caller.resident_id
            think()
        if found is None:
            raise ScenarioFailed("search: the caller's record was not found")

        selected = self._post(f"{call}/resident", "/calls/[id]/resident", {"resident_id": found})
        _expect(selected, 302, "select resident")
        page = self.browser("GET", call, "/calls/[id]")
        _expect(page, 200, "call page with the resident")
        think()

        recorded = self._post(
            f"{call}/caller", "/calls/[id]/caller", {"caller-caller_type": "resident"}, htmx=True
        )
        _expect(recorded, 200, "record the caller", "Saved: The resident")
        shown_for = SHOWN_FOR.search(recorded.text)
        if not shown_for:
            raise ScenarioFailed("record the caller: no verification form came back")
        think()

        verified = self._post(
            f"{call}/verify",
            "/calls/[id]/verify",
            {
                "verify-shown_for": shown_for.group(1),
                "verify-date_of_birth": caller.date_of_birth,
                "verify-postcode": caller.postcode,
            },
            htmx=True,
        )
        _expect(verified, 200, "verify", "Verified</strong> as the resident")
        panel = self.browser("GET", f"{call}/record", "/calls/[id]/record", htmx=True)
        _expect(panel, 200, "the record")
        think()

        logged = self._post(
            f"{call}/reports",
            "/calls/[id]/reports",
            {
                "report-resident_id": found,
                "report-area": "housing",
                "report-category": "repair",
                "report-summary": "Kitchen tap dripping since Monday.",
                "report-urgency": "routine",
            },
            htmx=True,
        )
        _expect(logged, 200, "log a report", "Report logged")
        think()

        ended = self._post(
            f"{call}/end",
            "/calls/[id]/end",
            {"end-outcome": "report-logged", "end-summary": "Repair reported."},
        )
        _expect(ended, 302, "end call")
        _expect(self.browser("GET", ended.location, "/calls?ended"), 200, "calls page")
