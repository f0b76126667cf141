"""No personal data in any address or cookie.

Addresses end up in access logs, proxies and browser history, and the session cookie is
signed but not encrypted. Each staff role walks its main journeys as a browser would,
submitting the forms each page offers (by the method and target the page gives them,
with and without htmx), then follows the links it finds. Every address requested, every
redirect, every link or form target on every page, and every cookie set is checked
against the personal values seeded: names, phone numbers, postcodes, emails, references.
"""

import re
from collections import deque
from datetime import date
from html.parser import HTMLParser
from urllib.parse import unquote, unquote_plus, urlsplit

import pytest
from flask.testing import FlaskClient

from app.extensions import db
from app.models import Entry
from app.references import format_reference
from app.rules.vocabulary import (
    EntryCategory,
    EntryStatus,
    PermissionKind,
    Relationship,
    Role,
    ServiceArea,
)
from tests import factories
from tests.permissions.data import FORM

URL_ATTRIBUTES = {
    "href", "src", "action", "formaction",
    "hx-get", "hx-post", "hx-put", "hx-patch", "hx-delete", "hx-vals", "hx-push-url",
    "hx-replace-url", "data-url",
}  # fmt: skip
CRAWL_LIMIT = 80
SEARCH_PATHS = ("/residents", "/calls/1/search")


class Page(HTMLParser):
    """What a browser would find on a page: link and form targets, forms and their fields."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.targets: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.forms: list[dict] = []
        self.csrf_token: str | None = None
        self._form: dict | None = None
        self._textarea: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name, value in values.items():
            if name in URL_ATTRIBUTES:
                self.targets.append((tag, name, value))
        if tag == "meta" and values.get("name") == "csrf-token":
            self.csrf_token = values.get("content")
        elif tag == "form":
            self._form = {"attrs": values, "fields": {}}
            self.forms.append(self._form)
        elif self._form is not None and tag == "input" and values.get("name"):
            if values.get("type") not in ("checkbox", "radio") or "checked" in values:
                self._form["fields"].setdefault(values["name"], values.get("value", ""))
        elif self._form is not None and tag == "textarea" and values.get("name"):
            self._textarea = values["name"]
            self._form["fields"].setdefault(self._textarea, "")

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form["fields"][self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None

    def form(self, action_ending: str) -> dict:
        """The form whose target (plain or htmx) ends with `action_ending`."""
        for form in self.forms:
            attrs = form["attrs"]
            for name in ("action", "hx-post", "hx-get"):
                if urlsplit(attrs.get(name, "")).path.endswith(action_ending):
                    return form
        raise AssertionError(f"no form for {action_ending} on the page")


class PersonalValues:
    """The seeded values that must never appear in an address or a cookie."""

    def __init__(self):
        self.plain: dict[str, str] = {}  # compared case-insensitively
        self.compact: dict[str, str] = {}  # also compared with spaces removed

    def add(self, label: str, value: str, compact: bool = False) -> None:
        self.plain[label] = value.lower()
        if compact:
            self.compact[label] = value.replace(" ", "").replace("-", "").lower()

    def add_phone(self, label: str, e164: str) -> None:
        national = "0" + e164.removeprefix("+44")
        self.add(f"{label} (E.164)", e164, compact=True)
        self.add(f"{label} (national)", f"{national[:5]} {national[5:]}", compact=True)
        self.add(f"{label} (digits)", e164.removeprefix("+44"), compact=True)

    def found_in(self, text: str) -> list[str]:
        decoded = unquote_plus(text).lower()
        squeezed = re.sub(r"[\s\-]", "", decoded)
        found = [label for label, value in self.plain.items() if value in decoded]
        found += [
            label
            for label, value in self.compact.items()
            if value in squeezed and label not in found
        ]
        return found


class Walker:
    """A test client that remembers everywhere it went and everything it was given."""

    def __init__(self, client: FlaskClient, values: PersonalValues, who: str):
        app = client.application
        self.client = client
        self.values = values
        self.who = who
        self.leaks: list[str] = []
        self.failures: list[str] = []
        self.visited: set[str] = set()
        self.last: Page | None = None
        self.csrf_token: str | None = None
        self._serializer = app.session_interface.get_signing_serializer(app)
        self._cookie_name = app.config["SESSION_COOKIE_NAME"]

    def _check(self, where: str, text: str) -> None:
        for label in self.values.found_in(text):
            self.leaks.append(f"{self.who}: {label} in {where}: {text[:160]!r}")

    def request(self, method: str, url: str, htmx: bool = False, **kwargs):
        headers = kwargs.pop("headers", {})
        if htmx:
            headers["HX-Request"] = "true"
            if method != "GET" and self.csrf_token:
                headers["X-CSRFToken"] = self.csrf_token  # as static/js/app.js does
        response = self.client.open(url, method=method, headers=headers, **kwargs)
        requested = response.request.full_path.rstrip("?")
        self.visited.add(requested)
        if response.status_code >= 500:
            self.failures.append(f"{method} {requested} answered {response.status_code}")
        self._check(f"request {method} {requested}", requested)
        self._inspect(requested, response)
        if response.status_code in (301, 302, 303) and not htmx:
            return self.request("GET", response.headers["Location"])
        return response

    def _inspect(self, requested: str, response) -> None:
        location = response.headers.get("Location")
        if location:
            self._check(f"Location header from {requested}", location)
        for header in ("HX-Redirect", "HX-Location", "HX-Push-Url", "HX-Replace-Url"):
            if response.headers.get(header):
                self._check(f"{header} header from {requested}", response.headers[header])
        for cookie in response.headers.getlist("Set-Cookie"):
            self._check(f"Set-Cookie from {requested}", cookie)
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if name == self._cookie_name and value:
                content = self._serializer.loads(value)
                self._check(f"session cookie set by {requested}", repr(content))
        if response.mimetype == "text/html":
            page = Page(response.get_data(as_text=True))
            for tag, attribute, target in page.targets:
                self._check(f'<{tag} {attribute}="..."> on {requested}', target)
            self.last = page
            self.csrf_token = page.csrf_token or self.csrf_token

    def get(self, url: str, htmx: bool = False):
        return self.request("GET", url, htmx=htmx)

    def submit(self, action_ending: str, data: dict, htmx: bool = False, page: Page | None = None):
        """Fill in and send a form on the last page, the way the page says to send it."""
        page = page or self.last
        form = page.form(action_ending)
        attrs = form["attrs"]
        fields = {**form["fields"], **data}
        if htmx and ("hx-post" in attrs or "hx-get" in attrs):
            method = "POST" if "hx-post" in attrs else "GET"
            url = attrs.get("hx-post") or attrs.get("hx-get")
        else:
            method = attrs.get("method", "get").upper()
            url = attrs.get("action") or "/"
        if method == "GET":
            return self.request(method, url, htmx=htmx, query_string=fields)
        return self.request(method, url, htmx=htmx, data=fields)

    def crawl(self, start: str = "/") -> None:
        """Follow every same-site link and htmx address found, from `start` and from every
        address already visited, up to a limit."""
        queue = deque((url, False) for url in [start, *sorted(self.visited)])
        seen: set[str] = set()
        while queue and len(seen) < CRAWL_LIMIT:
            url, htmx = queue.popleft()
            if url in seen:
                continue
            seen.add(url)
            response = self.get(url, htmx=htmx)
            if response.mimetype != "text/html" or self.last is None:
                continue
            for tag, attribute, target in self.last.targets:
                parts = urlsplit(target)
                if attribute not in ("href", "hx-get") or tag == "link":
                    continue
                if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                    continue
                address = parts.path + (f"?{parts.query}" if parts.query else "")
                queue.append((address, attribute == "hx-get"))


@pytest.fixture
def seeded():
    """A resident, a representative, an entry and a caller, each with distinctive values."""
    values = PersonalValues()
    resident = factories.make_resident(
        forename="Philippa", surname="Quenby", postcode="LE7 9XQ",
        address_line_1="Fernleigh Cottage, 9 Quarry Lane", phones=["+447700900871"],
        email="philippa.quenby@example.com", date_of_birth=date(1951, 7, 23),
        secret_word="marigold",
    )  # fmt: skip
    for label, value in [
        ("resident forename", "Philippa"),
        ("resident surname", "Quenby"),
        ("resident address", "Fernleigh"),
        ("resident street", "Quarry Lane"),
        ("resident email", "philippa.quenby@example.com"),
        ("resident date of birth", "1951-07-23"),
        ("resident date of birth (typed)", "23/7/1951"),
    ]:
        values.add(label, value)
    values.add("resident postcode", "LE7 9XQ", compact=True)
    values.add("resident reference", format_reference(resident.reference), compact=True)
    values.add_phone("resident phone", "+447700900871")

    permission, passcode = factories.make_permission(
        resident, kind=PermissionKind.LPA_PROPERTY_FINANCIAL, name="Thaddeus Wraxall",
        areas=frozenset({ServiceArea.COUNCIL_TAX.value}),
    )  # fmt: skip
    values.add("holder name", "Wraxall")
    values.add("holder forename", "Thaddeus")
    values.add_phone("holder phone", "+447700900456")
    values.add("passcode", passcode, compact=True)

    db.session.add(
        Entry(
            resident_id=resident.id, area_code="housing", category=EntryCategory.REPAIR,
            summary="Boiler broken at the back bedroom", status=EntryStatus.ACTIVE,
            is_sensitive=False, reporter_name="Ottoline Brackenbury",
            reporter_relationship=Relationship.NEIGHBOUR, reporter_verified=False,
        )
    )  # fmt: skip
    db.session.commit()
    values.add("entry reporter", "Brackenbury")
    values.add("caller name", "Barnaby Thistlewood")
    values.add("caller surname", "Thistlewood")
    values.add_phone("caller number", "+447700900662")
    values.add("consent holder", "Pargeter")
    values.add_phone("consent holder phone", "+447700900553")
    locked = factories.make_resident(
        forename="Cressida", surname="Vantongeren", postcode="LE4 2ZW",
        address_line_1="7 Wisteria Row", phones=["+447700900219"],
    )  # fmt: skip
    values.add("locked resident", "Vantongeren")
    values.add("locked resident street", "Wisteria Row")
    values.add("locked resident postcode", "LE4 2ZW", compact=True)
    values.add("new holder", "Gwendolen Featherstonehaugh")
    values.add("new holder surname", "Featherstonehaugh")
    values.add("new holder email", "gwen.f@example.net")
    values.add_phone("new holder phone", "+447700900334")
    return {
        "resident": resident,
        "locked": locked,
        "permission": permission,
        "passcode": passcode,
        "values": values,
    }


SEARCHES = [
    "Philippa Quenby",
    "Quenby",
    "LE7 9XQ",
    "le79xq",
    "07700 900871",
    "+447700900871",
]


def _walker(signed_in_client, role: Role, seeded) -> Walker:
    return Walker(signed_in_client(role), seeded["values"], role.value)


def _finds_her(walker: Walker, seeded, path: str, page=None) -> None:
    """Each search, as it is typed and when sent, from the search box at `path` (on `page`, or
    on a fresh copy of the page that has it), finds Philippa Quenby."""
    for typed in [*SEARCHES, format_reference(seeded["resident"].reference)]:
        if page is None:
            walker.get(path)
        box = page or walker.last
        as_you_type = walker.submit(path, {"q": typed}, htmx=True, page=box)
        full_page = walker.submit(path, {"q": typed}, page=box)

        assert "Philippa Quenby" in as_you_type.get_data(as_text=True), typed
        assert "Philippa Quenby" in full_page.get_data(as_text=True), typed


def _search_everywhere(walker: Walker, seeded) -> None:
    _finds_her(walker, seeded, "/residents")


def _call_journey(walker: Walker, seeded) -> None:
    resident = seeded["resident"]
    walker.get("/calls")
    started = walker.submit("/calls", {"caller_number": "07700 900662"})
    call_url = started.request.path
    _finds_her(walker, seeded, "/search", page=walker.last)

    def say_who_calls(caller: dict) -> None:
        walker.get(call_url + "?step=caller")  # the call page shows one step at a time
        walker.submit("/caller", caller)

    walker.submit("/resident", {"resident_id": str(resident.id)})
    walker.submit("/caller", {"caller-caller_type": "resident"}, htmx=True)
    say_who_calls({"caller-caller_type": "resident"})
    walker.submit("/verify", {"verify-date_of_birth": "23/7/1951", "verify-postcode": "LE7 9XQ"})
    walker.get(call_url + "/record", htmx=True)
    walker.get(call_url)
    consent = walker.submit(
        "/consent",
        {
            "consent-holder_name": "Wilhelmina Pargeter",
            "consent-holder_relationship": "child",
            "consent-holder_phone": "07700 900553",
            "consent-areas": "housing",
            "consent-may_act": "may-act",
            "consent-check": "passcode",
            "consent-safeguarding": ["given-freely", "nobody-pressing", "understands"],
        },
    )
    assert "Verbal consent recorded for Wilhelmina Pargeter" in consent.get_data(as_text=True)
    report = {
        "report-area": "housing",
        "report-category": "repair",
        "report-summary": "Water coming through the ceiling",
        "report-urgency": "routine",
    }
    walker.submit("/reports", report)
    walker.submit("/reports", report, htmx=True)
    say_who_calls(
        {
            "caller-caller_type": "third-party",
            "caller-caller_name": "Barnaby Thistlewood",
            "caller-relationship": "neighbour",
        }
    )
    urgent = {
        **report,
        "report-urgency": "emergency",
        "report-raise_dispatch": "y",
        "report-team": "Emergency repairs",
        "report-instructions": "Isolate the water supply",
    }
    walker.submit("/reports", urgent)
    say_who_calls(
        {
            "caller-caller_type": "representative",
            "caller-permission_id": str(seeded["permission"].id),
        }
    )
    verified = walker.submit("/verify", {"rep-passcode": seeded["passcode"]})
    assert "May discuss council tax" in verified.get_data(as_text=True)
    ended = walker.submit("/end", {"end-outcome": "resolved", "end-summary": "Told them"})
    assert ended.request.path == "/calls"


def _lockout_journey(walker: Walker, seeded) -> None:
    """Wrong answers, three times over, lock phone verification for a resident."""
    locked = seeded["locked"]
    walker.get("/calls")
    walker.submit("/calls", {"withheld": "y", "caller_number": ""})
    walker.submit("/search", {"q": "Cressida Vantongeren LE4 2ZW"})
    walker.submit("/resident", {"resident_id": str(locked.id)})
    walker.submit("/caller", {"caller-caller_type": "resident"})
    for _ in range(3):
        walker.submit("/verify", {"verify-date_of_birth": "1/1/1990", "verify-postcode": "LE1 1AA"})
    walker.submit("/end", {"end-outcome": "resolved", "end-summary": "Could not verify"})


def _unlock_journey(walker: Walker, seeded) -> None:
    locked = seeded["locked"]
    listing = walker.get("/locks").get_data(as_text=True)
    assert f"/locks/{locked.id}/unlock" in listing
    walker.get(f"/locks/{locked.id}/unlock")
    walker.submit("/unlock", {"reason": "Spoke to the resident at the office"})


def _record_journey(walker: Walker, seeded) -> None:
    resident = seeded["resident"]
    walker.get(f"/residents/{resident.id}")
    record = walker.submit(f"/residents/{resident.id}", {"reason": "Complaint C-2291"})

    assert "Quenby" in record.get_data(as_text=True)


def _permission_journey(walker: Walker, seeded) -> None:
    resident = seeded["resident"]
    walker.get(f"/residents/{resident.id}/permissions/new")
    walker.submit(
        "/permissions/new",
        FORM
        | {
            "holder_name": "Gwendolen Featherstonehaugh",
            "holder_phone": "07700 900334",
            "holder_email": "gwen.f@example.net",
            "evidence_reference": "7000-2291-5678",
            "matter": "Council tax arrears",
        },
    )
    listing = walker.get(f"/residents/{resident.id}/permissions").get_data(as_text=True)
    assert "Gwendolen Featherstonehaugh" in listing
    closing = re.search(r'href="(/permissions/\d+/close-matter)"', listing).group(1)
    walker.get(closing)
    walker.submit("/close-matter", {"reason": "Arrears paid"})
    walker.get(f"/permissions/{seeded['permission'].id}/revoke")
    walker.submit("/revoke", {"reason": "Asked us to"})
    walker.get("/permissions")


def _assert_no_leaks(walker: Walker) -> None:
    assert not walker.failures, walker.failures
    assert len(walker.visited) > 10, sorted(walker.visited)
    assert not walker.leaks, "\n".join(sorted(set(walker.leaks)))


def _crawl(walker: Walker, seeded) -> None:
    """Follow every link and form the journeys so far have shown."""
    walker.crawl()


@pytest.mark.parametrize(
    ("role", "journeys"),
    [
        (Role.HANDLER, [_call_journey, _lockout_journey, _search_everywhere, _record_journey]),
        (
            Role.SUPERVISOR,
            [
                _call_journey,
                _lockout_journey,
                _search_everywhere,
                _record_journey,
                _permission_journey,
                _crawl,
                _unlock_journey,
            ],
        ),
        # Permissions are supervisors' alone (README, "What staff can do").
        (Role.ADMIN, [_search_everywhere, _record_journey]),
    ],
    ids=["handler", "supervisor", "administrator"],
)
def test_a_roles_journeys_put_no_personal_data_in_addresses_or_cookies(
    signed_in_client, seeded, role, journeys
):
    walker = _walker(signed_in_client, role, seeded)

    for journey in journeys:
        journey(walker, seeded)
    walker.crawl()

    _assert_no_leaks(walker)


@pytest.mark.parametrize("htmx", [True, False], ids=["as-you-type", "full-page"])
def test_a_search_sent_once_signed_out_leads_to_a_sign_in_address_without_it(client, seeded, htmx):
    walker = Walker(client, seeded["values"], "signed out")
    walker.get("/login")
    typed = {"q": "Philippa Quenby LE7 9XQ", "csrf_token": walker.csrf_token}

    answers = [walker.request("POST", path, htmx=htmx, data=typed) for path in SEARCH_PATHS]

    if htmx:
        assert [answer.headers.get("HX-Redirect") for answer in answers] == ["/login"] * 2
    else:
        assert [unquote(answer.request.full_path) for answer in answers] == [
            f"/login?next={path}" for path in SEARCH_PATHS
        ]
    assert not walker.failures, walker.failures
    assert not walker.leaks, "\n".join(walker.leaks)
