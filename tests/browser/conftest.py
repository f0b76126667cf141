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


@pytest.fixture
def check_accessibility(axe):
    """Fail on any serious or critical axe violation on the page as it is now."""

    def check(page) -> None:
        results = axe.run(page)
        blocking = [
            f"{violation['id']} ({violation['impact']}): {violation['help']} "
            f"at {[node['target'] for node in violation['nodes']]}"
            for violation in results.response["violations"]
            if violation["impact"] in BLOCKING_IMPACTS
        ]
        assert blocking == [], f"accessibility problems on {page.url}:\n" + "\n".join(blocking)

    return check
