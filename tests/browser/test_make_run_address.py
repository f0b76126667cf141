"""`make run` serves the app where HOST and PORT say, and says so: the demo banner, the links
`flask staff` prints and the portal address in residents' texts all use that address.

Runs the real `make run` from this checkout on a free port, against a database of its own,
and opens the address the banner printed in Chromium.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

pytestmark = pytest.mark.browser

CHECKOUT = Path(__file__).resolve().parents[2]
MAKE = shutil.which("make") or "/usr/bin/make"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def served(tmp_path):
    """`make run` with HOST and PORT set, and everything it prints."""
    port = _free_port()
    env = {
        **os.environ,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "APP_ENV": "development",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite'}",
        "AUDIT_HEAD_FILE": str(tmp_path / "audit-head.log"),
        "SECRET_KEY": "make-run-test-secret-key-" + "x" * 24,
    }
    env.pop("PUBLIC_BASE_URL", None)
    env.pop("RESIDENT_PORTAL_URL", None)
    log = tmp_path / "make-run.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [MAKE, "--no-print-directory", "run"],
            cwd=CHECKOUT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if server.poll() is not None:
                pytest.fail(f"make run stopped:\n{log.read_text()}")
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.5)
        else:
            pytest.fail(f"make run never answered on port {port}:\n{log.read_text()}")
        yield port, env, log
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def test_make_run_serves_on_port_and_host_from_the_environment_and_says_where(
    browser: Browser, served, check_accessibility
):
    port, env, log = served
    address = f"http://127.0.0.1:{port}"

    printed = log.read_text()
    link = subprocess.run(
        [str(CHECKOUT / ".venv/bin/flask"), "staff", "issue-password-link", "admin@example.org"],
        cwd=CHECKOUT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    portal_url = subprocess.run(
        [
            sys.executable,
            "-c",
            "from app import create_app; print(create_app().config['RESIDENT_PORTAL_URL'])",
        ],
        cwd=CHECKOUT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()

    assert f"Demo sign-ins (at {address}/login)" in printed
    assert "make demo-code EMAIL=supervisor@example.org" in printed
    assert re.search(rf"{re.escape(address)}/set-password/\S+", link), link
    assert portal_url == f"{address}/portal"
    page = browser.new_page()
    page.goto(f"{address}/login")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_label("Email address")).to_be_focused()
    check_accessibility(page)
    page.goto(f"{address}/portal")
    expect(page.get_by_role("heading", name="Sign in to see your council record")).to_be_visible()
    page.context.close()
