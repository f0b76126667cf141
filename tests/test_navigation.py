"""Every page a role may use can be reached from the navigation, or from a page that can.

The access map is what each view declares (`staff_required(...)`); the test signs in as each
role, follows the links of the pages it can reach from the console, and checks that every page
(a GET route without arguments) the role is allowed is among them.
"""

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from flask import url_for
from werkzeug.exceptions import HTTPException

from app.navigation import NAVIGATION, ORDER
from app.rules.vocabulary import Role
from tests import factories

# Parts of a page fetched by the page itself (and the browser phone's token), never opened
# on their own.
FRAGMENTS = {"calls.waiting_list", "calls.waiting_count", "calls.voice_token"}
NOT_FOLLOWED = ("/static/", "/assets/", "/logout", "/portal")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def _links(html: str, base: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return [urljoin(base, href) for href in parser.hrefs]


def _pages_for(app, role: Role) -> set[str]:
    """The GET routes without arguments this role is allowed, as the views declare."""
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and not rule.arguments
        and role in getattr(app.view_functions[rule.endpoint], "allowed_roles", ())
        and rule.endpoint not in FRAGMENTS
    }


def _reachable(app, client, limit: int = 60) -> set[str]:
    adapter = app.url_map.bind("localhost")
    seen_paths: set[str] = set()
    endpoints: set[str] = set()
    queue = deque(["/"])
    while queue and len(seen_paths) < limit:
        path = queue.popleft()
        if path in seen_paths:
            continue
        seen_paths.add(path)
        response = client.get(path)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        try:
            endpoints.add(adapter.match(urlsplit(path).path, method="GET")[0])
        except HTTPException:
            continue
        for url in _links(response.get_data(as_text=True), f"http://localhost{path}"):
            parts = urlsplit(url)
            if parts.netloc != "localhost" or parts.path.startswith(NOT_FOLLOWED):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return endpoints


@pytest.mark.parametrize("role", list(Role))
def test_every_page_a_role_may_use_is_reachable_from_the_console(app, signed_in_client, role):
    client = signed_in_client(role)

    missing = _pages_for(app, role) - _reachable(app, client)

    assert not missing, f"{role.value} cannot reach {sorted(missing)} from the navigation"


@pytest.mark.parametrize("role", list(Role))
def test_the_navigation_offers_no_page_the_role_may_not_use(app, signed_in_client, role):
    client = signed_in_client(role)
    html = client.get("/").get_data(as_text=True)
    nav = html.split('<nav aria-label="Menu"', 1)[1].split("</nav>", 1)[0]
    adapter = app.url_map.bind("localhost")

    for url in _links(nav, "http://localhost/"):
        endpoint = adapter.match(urlsplit(url).path, method="GET")[0]
        assert role in app.view_functions[endpoint].allowed_roles, endpoint
        assert client.get(urlsplit(url).path).status_code == 200, endpoint


def test_every_menu_item_has_a_place_in_the_menus_order(app):
    assert {item.endpoint for item in NAVIGATION} <= set(ORDER)


def _highlighted(html: str) -> list[tuple[str, str]]:
    """The menu's highlighted items: (link text, aria-current)."""
    nav = html.split('<nav aria-label="Menu"', 1)[1].split("</nav>", 1)[0]
    return [
        (re.sub(r"<[^>]+>|\s+", " ", text).strip(), current)
        for current, text in re.findall(r'aria-current="(\w+)"\s*>(.*?)</a>', nav, re.S)
    ]


@pytest.mark.parametrize("role", list(Role))
def test_every_menu_page_highlights_its_own_item_and_no_other(app, signed_in_client, role):
    client = signed_in_client(role)
    items = [
        item
        for item in NAVIGATION
        if role in getattr(app.view_functions[item.endpoint], "allowed_roles", set(Role))
    ]

    with app.test_request_context():
        pages = {item.text: url_for(item.endpoint) for item in items}
    shown = {
        text: _highlighted(client.get(path).get_data(as_text=True)) for text, path in pages.items()
    }

    assert shown == {text: [(text, "page")] for text in pages}


def test_a_disputes_page_comes_under_disputes_alone(app, signed_in_client, resident):
    client = signed_in_client(Role.SUPERVISOR)
    dispute = factories.make_dispute(resident)

    page = client.get(f"/disputes/{dispute.id}")

    assert page.status_code == 200
    assert _highlighted(page.get_data(as_text=True)) == [("Disputes", "true")]


def test_the_menus_addresses_are_built_once_for_the_app(signed_in_supervisor, monkeypatch):
    from app import navigation

    signed_in_supervisor.get("/console")
    built = []
    monkeypatch.setattr(navigation, "url_for", lambda endpoint, **values: built.append(endpoint))

    page = signed_in_supervisor.get("/console").get_data(as_text=True)

    assert built == []
    assert 'href="/calls"' in page
    assert 'href="/disputes"' in page
