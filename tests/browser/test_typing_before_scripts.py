"""Someone who starts typing before the page's scripts have started keeps every keystroke:
a banner that takes focus when it starts ("You have signed out") leaves their field alone."""

import re
import time

import pytest
from playwright.sync_api import Page, Route, expect

from app.rules.vocabulary import Role
from tests import factories
from tests.browser.helpers import sign_in

pytestmark = pytest.mark.browser


def test_an_email_typed_before_the_scripts_start_is_kept_whole(
    page: Page, live_server, check_accessibility
):
    staff = factories.make_staff(Role.HANDLER)
    sign_in(page, live_server, staff.email)

    def slow_script(route: Route) -> None:
        time.sleep(1.5)
        route.continue_()

    page.route(re.compile(r"/static/js/app\.js"), slow_script)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/login"), wait_until="commit")
    email = page.get_by_label("Email address")
    email.focus()
    page.keyboard.type("sunita.patel@example.org", delay=60)  # through the script's arrival

    banner = page.get_by_role("alert").filter(has_text="You have signed out")
    expect(banner).to_be_visible()
    expect(email).to_have_value("sunita.patel@example.org")
    expect(email).to_be_focused()
    check_accessibility(page)
