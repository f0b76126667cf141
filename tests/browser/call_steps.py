"""What the call page must be after each step: the step the handler is on, its heading with
focus (after an htmx swap), only the forms that step needs, and no sideways scrolling."""

from playwright.sync_api import Page, expect

# The open sections after each step of the commonest calls (app/rules/call_steps.py).
FINDING = ["find", "end"]
SAYING_WHO = ["caller", "end"]
VERIFYING = ["verify", "end"]
REPORTING = ["report", "duty-to-share", "end"]
REPORTING_VERIFIED = ["report", "consent", "duty-to-share", "end"]

HEADINGS = {
    "find": "1. Find the record",
    "caller": "2. Who is calling",
    "verify": "3. Verify the caller",
    "report": "4. Log a report",
}


def open_steps(page: Page) -> list[str]:
    return page.eval_on_selector_all("#call-steps > section", "sections => sections.map(s => s.id)")


def expect_step(page: Page, open_: list[str], *, focused: bool = True) -> None:
    """The handler is on the first of `open_`, and only those steps' forms are on the page:
    its heading has focus (after an htmx swap), and nothing else is open."""
    heading = page.get_by_role("heading", name=HEADINGS[open_[0]], exact=True)
    expect(heading).to_be_visible()
    if focused:
        expect(heading).to_be_focused()
        assert page.evaluate("document.activeElement.id") == f"{open_[0]}-heading"
    assert open_steps(page) == open_
    forms = page.eval_on_selector_all(
        "#call-steps > section form", "forms => forms.map(f => f.closest('section').id)"
    )
    assert set(forms) <= set(open_), forms


def expect_no_sideways_scroll(page: Page) -> None:
    """Nothing wider than the window: no horizontal scrolling to read or reach anything."""
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"page is {widths[0]}px wide in a {widths[1]}px window"
