"""Browser tests: real Chromium (Debian's package) driven by Playwright, checked with axe.

Without Chromium they skip with a clear message, except under CI, where a
missing browser is a failure.
"""

import os
import shutil

import pytest
from axe_playwright_python.sync_playwright import Axe

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
HAS_CHROMIUM = os.path.exists(CHROMIUM)
BLOCKING_IMPACTS = {"serious", "critical"}


def pytest_collection_modifyitems(config, items):
    if HAS_CHROMIUM:
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(f"CI is set but Chromium was not found at {CHROMIUM}")
    skip = pytest.mark.skip(
        reason=f"Chromium not found at {CHROMIUM}: install Debian's 'chromium' package "
        "(apt-get install -y chromium) to run the browser tests"
    )
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


def _known_design_system_exception(violation: dict, node: dict) -> bool:
    """GOV.UK Frontend marks a radio that reveals more questions with `aria-expanded`, which
    ARIA allows only on other roles. It does so on purpose: screen readers announce it, and
    its research found it helps (alphagov/govuk-frontend#979, a documented known issue). That
    one attribute on such a radio is not held against a page; anything else still is."""
    if violation["id"] != "aria-allowed-attr" or 'type="radio"' not in node["html"]:
        return False
    attributes = [item for check in node["any"] + node["all"] for item in check["data"] or []]
    return bool(attributes) and all(a.startswith("aria-expanded=") for a in attributes)


@pytest.fixture
def check_accessibility(axe):
    """Fail on any serious or critical axe violation on the page as it is now."""

    def check(page) -> None:
        results = axe.run(page)
        blocking = [
            f"{violation['id']} ({violation['impact']}): {violation['help']} "
            f"at {[node['target'] for node in nodes]}"
            for violation in results.response["violations"]
            if violation["impact"] in BLOCKING_IMPACTS
            and (
                nodes := [
                    node
                    for node in violation["nodes"]
                    if not _known_design_system_exception(violation, node)
                ]
            )
        ]
        assert blocking == [], f"accessibility problems on {page.url}:\n" + "\n".join(blocking)

    return check


@pytest.fixture(params=[True, False], ids=["javascript", "no-javascript"])
def handler_desk(request, browser, live_server: str):
    """A signed-in handler's page, with JavaScript on and off, and every request it sends from
    then on: (page, requests sent, whether JavaScript runs)."""
    from playwright.sync_api import expect

    from app.rules.vocabulary import Role
    from tests import factories
    from tests.browser.helpers import sign_in

    context = browser.new_context(java_script_enabled=request.param)
    page = context.new_page()
    handler = factories.make_staff(Role.HANDLER)
    if request.param:
        sign_in(page, live_server, handler.email)
    else:
        page.goto(f"{live_server}/login")
        page.get_by_label("Email address").fill(handler.email)
        page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
        page.get_by_label("Password", exact=True).press("Enter")
        expect(page.get_by_role("heading", name="Console")).to_be_visible()
    sent = []
    page.on("request", lambda sending: sent.append(sending))
    yield page, sent, request.param
    context.close()
