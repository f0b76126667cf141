"""One simulated call handler's work, as `make load` drives it (benchmarks/locustfile.py).

Kept apart from Locust so that a test can run the same calls through Flask's test client
(tests/test_load_scenario.py) without Locust installed. A `Browser` sends each request
under the name it is reported by, one per route; a `Caller` is a seeded resident, with the
answers the handler is given on the phone; `Polls` is what the open page asks by itself.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')
SHOWN_FOR = re.compile(r'name="verify-shown_for"[^>]*value="([^"]*)"')
RESULT_ID = re.compile(r'name="resident_id" value="(\d+)"')
CALL_URL = re.compile(r"/calls/(\d+)$")
HTMX = {"HX-Request": "true"}
JSON = {"Accept": "application/json"}
# What the waiting list on the Calls page shows, sent back when it asks again.
SHOWN = re.compile(r'/calls/waiting\?([^"]+)"')
# Every page asks this often (static/js/waiting_count.js, static/js/call_status.js, and
# hx-trigger="every 3s" in templates/calls/_waiting_list.html).
POLL_SECONDS = 3


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
    etag: str = ""


class Browser(Protocol):
    def __call__(
        self, method: str, url: str, name: str, data: dict | None = None, htmx: bool = False
    ) -> Response: ...


@dataclass(frozen=True)
class Poll:
    """A request the page makes by itself, and what it accepts as an answer."""

    url: str
    name: str
    headers: dict
    answers: tuple[int, ...]


class Polls:
    """What the page open in a handler's browser asks every POLL_SECONDS without a click.

    On every page, the header's count of calls waiting, with the version it last saw: "not
    modified" (304) while no call came or went. Besides, the page's own: the list of waiting
    calls on the Calls page, with what it shows ("no change", 204), and the call's status on
    a call page, with the version it last saw ("not modified", 304, while the call is as it
    was). `Handler` says which page is open.
    """

    COUNT = "/calls/waiting-count"
    LIST = "/calls/waiting"

    def __init__(self) -> None:
        self.page = ""  # the path of the page open, once signed in
        self.shown = ""  # what the waiting list shows, as it asks with it
        self.version = ""  # the count's version, as its ETag said
        self.status_version = ""  # the open call's status, as its ETag said

    def opened(self, url: str, response: Response) -> None:
        if response.status == 200:
            self.page = urlsplit(url).path
            self.status_version = ""
            self._keep_shown(response)

    def count(self) -> Poll:
        headers = {**JSON, "If-None-Match": self.version} if self.version else JSON
        return Poll(self.COUNT, f"{self.COUNT} [poll]", headers, (200, 304))

    def of_page(self) -> Poll | None:
        if self.page == "/calls":
            url = self.LIST + (f"?{self.shown}" if self.shown else "")
            return Poll(url, f"{self.LIST} [poll]", HTMX, (200, 204))
        if CALL_URL.search(self.page):
            headers = (
                {**JSON, "If-None-Match": self.status_version} if self.status_version else JSON
            )
            return Poll(f"{self.page}/status", "/calls/[id]/status [poll]", headers, (200, 304))
        return None

    def answered(self, poll: Poll, response: Response) -> None:
        """Keep what the answer says the page now shows."""
        if poll.url == self.COUNT and response.etag:
            self.version = response.etag
        elif poll.url.endswith("/status") and response.etag:
            self.status_version = response.etag
        elif poll.url.startswith(self.LIST) and response.status == 200:
            self._keep_shown(response)

    def _keep_shown(self, response: Response) -> None:
        if found := SHOWN.search(response.text):
            self.shown = found.group(1).replace("&amp;", "&")


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
        self.polls = Polls()

    def open_page(self, url: str, name: str) -> Response:
        """A whole page drawn in the browser, whose own requests then run (`polls`)."""
        response = self.browser("GET", url, name)
        self.polls.opened(url, response)
        return response

    def sign_in(self) -> None:
        page = self.browser("GET", "/login", "/login")
        _expect(page, 200, "sign-in page")
        data = {"email": self.email, "password": self.password, "csrf_token": _token(page, "login")}
        signed_in = self.browser("POST", "/login", "/login [sign in]", data)
        _expect(signed_in, 302, "sign in")
        # Signing in starts a new session, with its own token.
        calls = self.open_page("/calls", "/calls")
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
        _expect(self.open_page(call, "/calls/[id]"), 200, "call page", "Find the resident")
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
        page = self.open_page(call, "/calls/[id]")
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
        _expect(self.open_page(ended.location, "/calls?ended"), 200, "calls page")
