"""Supervisors' and administrators' pages in Chromium with axe, at a phone's width and at
desktop widths: the dashboard's charts fit and their labels never run together, and the menu
highlights one item on every page.

With SCREENSHOTS set to a folder (`make screenshots`), the dashboard and the dispatch list
are also written there as PNGs, at 320 and 1280 px, for review.
"""

from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from app import clock
from app.extensions import db
from app.navigation import NAVIGATION
from app.rules.vocabulary import DisputeStatus, Relationship, Role
from app.services import disputes
from tests import factories
from tests.browser.call_steps import expect_no_sideways_scroll
from tests.browser.helpers import save_screenshot, sign_in

pytestmark = pytest.mark.browser

WIDTHS = [320, 1280, 1920]


def _screenshot(page: Page, name: str, width: int) -> None:
    if width in (320, 1280):
        save_screenshot(page, f"{name}-{width}px")


def _busy_council() -> None:
    """Disputes in every state and age, and a dozen weeks of third-party reports from several
    relationships, some weeks in three figures: long labels, wide numbers."""
    resident = factories.make_resident(forename="Olive", surname="Tranter")
    supervisor = factories.make_staff(Role.SUPERVISOR)
    for days in (0, 9, 16, 25, 40):
        dispute = factories.make_dispute(resident)
        dispute.opened_at = clock.now() - timedelta(days=days)
        dispute.due_on = clock.today() + timedelta(days=31 - days)
        db.session.commit()
    decided = factories.make_dispute(resident)
    disputes.decide_dispute(decided, DisputeStatus.UPHELD, "Hoax", 0, supervisor, now=clock.now())
    relationships = [
        Relationship.NEIGHBOUR,
        Relationship.CHILD,
        Relationship.PROFESSIONAL,
        Relationship.COUNCILLOR_MP,
    ]
    for week in range(12):
        for index, relationship in enumerate(relationships):
            for _ in range(1 + (week * 7 + index * 5) % 6 + (100 if week == 10 else 0)):
                factories.make_entry(
                    resident,
                    reporter_relationship=relationship,
                    created_at=clock.now() - timedelta(weeks=week, hours=1),
                )


# Every chart's text: where it is drawn, its font, and its colour and the bars' colours.
_CHART_TEXT = """() => [...document.querySelectorAll('.app-chart text')]
  .filter(t => getComputedStyle(t).display !== 'none')
  .map(t => {
    const r = t.getBoundingClientRect();
    return {text: t.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom,
            font: getComputedStyle(t).fontFamily, fill: getComputedStyle(t).fill};
  })"""
_FIGURES = """() => [...document.querySelectorAll('figure.app-chart')].map(f => {
    const r = f.getBoundingClientRect();
    const followed = [...document.querySelectorAll('table')]
      .some(t => f.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_FOLLOWING);
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, followed};
  })"""
_BAR_FILLS = """() => [...new Set([...document.querySelectorAll('.app-chart rect')]
  .map(r => getComputedStyle(r).fill))]"""


def _overlap(a: dict, b: dict) -> bool:
    return (
        a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and (b["top"] < a["bottom"])
    )


def _contrast_with_white(rgb: str) -> float:
    def luminance(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (int(part) for part in rgb.strip("rgb()").split(","))
    lum = 0.2126 * luminance(red) + 0.7152 * luminance(green) + 0.0722 * luminance(blue)
    return 1.05 / (lum + 0.05)


@pytest.mark.parametrize("width", WIDTHS, ids=[f"{width}px" for width in WIDTHS])
def test_the_dashboards_charts_fit_the_window_and_no_labels_run_together(
    browser: Browser, live_server, check_accessibility, width
):
    _busy_council()
    supervisor = factories.make_staff(Role.SUPERVISOR)
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    sign_in(page, live_server, supervisor.email)

    page.goto(f"{live_server}/dashboard")

    expect(page.get_by_role("heading", name="Dashboard", exact=True)).to_be_visible()
    expect_no_sideways_scroll(page)
    texts = page.evaluate(_CHART_TEXT)
    figures = page.evaluate(_FIGURES)
    window = page.evaluate("() => document.documentElement.clientWidth")
    assert len(figures) == 2 + 1 + 4  # deadline, age, reports a week, one per relationship
    assert {"Overdue: 1", "4 weeks or more: 1", "Under a week: 1"} <= {t["text"] for t in texts}
    overlapping = [
        (a["text"], b["text"])
        for i, a in enumerate(texts)
        for b in texts[i + 1 :]
        if _overlap(a, b)
    ]
    assert overlapping == []
    assert [f for f in figures if f["right"] > window or f["left"] < 0] == []
    assert [(a, b) for i, a in enumerate(figures) for b in figures[i + 1 :] if _overlap(a, b)] == []
    assert all(figure["followed"] for figure in figures)  # each chart's table comes after it
    assert [t for t in texts if t["right"] > window or t["left"] < 0] == []
    assert {t["font"].split(",")[0].strip('"') for t in texts} == {"GDS Transport"}
    assert min(_contrast_with_white(t["fill"]) for t in texts) >= 4.5
    assert min(_contrast_with_white(fill) for fill in page.evaluate(_BAR_FILLS)) >= 3
    check_accessibility(page)
    _screenshot(page, "dashboard", width)


def test_every_menu_page_and_a_disputes_page_highlight_one_menu_item(
    browser: Browser, live_server, check_accessibility
):
    resident = factories.make_resident()
    dispute = factories.make_dispute(resident)
    supervisor = factories.make_staff(Role.SUPERVISOR)
    page = browser.new_context().new_page()
    sign_in(page, live_server, supervisor.email)
    menu = page.get_by_role("navigation", name="Menu")
    items = [
        item.text
        for item in NAVIGATION
        if item.capability is None or supervisor.can(item.capability)
    ]
    items = [text for text in items if menu.get_by_role("link", name=text, exact=True).count()]
    assert "Dashboard" in items and "Disputes" in items

    highlighted = {}
    for text in items:
        menu.get_by_role("link", name=text, exact=True).click()
        expect(menu.locator("[aria-current=page]")).to_have_text(text)
        highlighted[text] = menu.locator("[aria-current]").all_inner_texts()
    page.goto(f"{live_server}/disputes/{dispute.id}")
    on_dispute = menu.locator("[aria-current]").all_inner_texts()

    assert highlighted == {text: [text] for text in items}
    assert on_dispute == ["Disputes"]
    assert menu.locator("[aria-current=true]").inner_text() == "Disputes"
    check_accessibility(page)


@pytest.mark.parametrize("width", [320, 1280], ids=["320px", "1280px"])
def test_the_dispatch_list_fits_the_window(
    browser: Browser, live_server, check_accessibility, width
):
    for forename, team in (("Olive", "Housing repairs"), ("Arthur", "Adult social care")):
        resident = factories.make_resident(forename=forename, surname="Tranter")
        factories.make_entry(resident, team=team)
    handler = factories.make_staff(Role.HANDLER)
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    sign_in(page, live_server, handler.email)

    page.goto(f"{live_server}/dispatches")

    expect(page.get_by_role("heading", name="Open dispatches", exact=True)).to_be_visible()
    expect(page.locator("main")).to_contain_text("Housing repairs")
    expect_no_sideways_scroll(page)
    check_accessibility(page)
    _screenshot(page, "dispatches", width)
