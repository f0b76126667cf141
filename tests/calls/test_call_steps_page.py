"""The call page shows one step at a time (app/rules/call_steps.py), and what it hides is
never what it refuses: a form for a step that does not apply is refused by its service
exactly as before, whether the page showed it or not."""

import re

from sqlalchemy import func, select

from app.extensions import db
from app.models import Entry, VerificationAttempt
from tests import factories
from tests.helpers import hidden_inputs

SECTION = re.compile(r'<section id="([a-z-]+)"')


def _open(html: str) -> list[str]:
    """The steps open on the page, or in an htmx answer: the sections but the record's."""
    return [section for section in SECTION.findall(html) if section != "record"]


def _neighbour_calls(call, resident):
    """`call`, from a neighbour of `resident`: someone else, never verified."""
    call.select(resident)
    call.caller("third-party", name="Pat", relationship="neighbour")
    return call


def _get(call, step: str = "", htmx: bool = False) -> str:
    url = call.url + (f"?step={step}" if step else "")
    headers = {"HX-Request": "true"} if htmx else {}
    return call.client.get(url, headers=headers).get_data(as_text=True)


def test_each_state_of_the_call_opens_only_its_step(signed_in_handler, start_call, resident):
    call = start_call(signed_in_handler)
    assert _open(call.page()) == ["find", "end"]

    call.select(resident)
    page = call.page()
    assert _open(page) == ["caller", "end"]
    assert 'name="report-' not in page and 'name="verify-' not in page

    call.caller("resident")
    page = call.page()
    assert _open(page) == ["verify", "end"]
    assert 'name="report-' not in page and 'name="caller-caller_type"' not in page

    call.verify(date_of_birth="14/3/1948", postcode="LE1 5AB")
    page = call.page()
    assert _open(page) == ["report", "consent", "phones", "duty-to-share", "end"]
    assert 'name="verify-' not in page
    assert "Verified</strong> as the resident on this call" in page


def test_a_neighbour_is_never_shown_verification_and_is_refused_it_as_before(
    signed_in_handler, start_call, resident
):
    call = _neighbour_calls(start_call(signed_in_handler), resident)
    page = call.page()
    assert _open(page) == ["report", "duty-to-share", "end"]
    assert "verify-" not in page and "Verify the caller" not in page
    assert "3. Log a report" in page  # numbered as shown: no step 3 to verify

    refused = call.verify(date_of_birth="14/3/1948", postcode="LE1 5AB").get_data(as_text=True)

    assert "Only a caller recorded as the resident can answer" in refused
    assert 'id="verify"' in refused  # the refusal is shown with the form it refuses
    assert db.session.scalar(select(func.count()).select_from(VerificationAttempt)) == 0


def test_a_report_before_verification_and_verification_taken_up_again(
    signed_in_handler, start_call, resident
):
    call = start_call(signed_in_handler)
    call.resident_calls_about(resident)
    assert "Log a report without verifying the caller" in call.page()
    assert _open(_get(call, "report")) == ["report", "duty-to-share", "end"]

    location = call.report(summary="Bin missed").headers["Location"]

    page = call.client.get(location).get_data(as_text=True)  # the report stays open
    assert _open(page) == ["report", "duty-to-share", "end"]
    assert "Report logged." in page
    assert "Not verified." in page and "Verify now" in page
    assert _open(_get(call, "verify")) == ["verify", "end"]
    assert _open(call.page()) == ["verify", "end"]  # the caller can still be verified


def test_who_is_calling_can_be_changed_and_steps_not_asked_for_are_ignored(
    signed_in_handler, start_call, resident
):
    call = _neighbour_calls(start_call(signed_in_handler), resident)

    assert _open(_get(call, "caller")) == ["caller", "end"]
    assert 'value="third-party" checked' in _get(call, "caller")
    for junk in ("end", "find", "consent", "verify", "nothing"):
        assert _open(_get(call, junk)) == ["report", "duty-to-share", "end"]


def test_choosing_a_relationship_alone_says_someone_else_is_calling(
    signed_in_handler, start_call, resident
):
    call = start_call(signed_in_handler)
    call.select(resident)

    response = call.post("/caller", {"caller-relationship": "neighbour"})

    assert response.status_code == 302
    assert "Someone else calling about the resident (neighbour)" in call.page()


def test_with_htmx_each_step_answers_with_the_steps_and_asks_for_the_decision_again(
    signed_in_handler, start_call, resident
):
    call = start_call(signed_in_handler)
    call.select(resident)

    response = call.post("/caller", {"caller-caller_type": "resident"}, htmx=True)

    body = response.get_data(as_text=True)
    assert response.headers["HX-Trigger"] == "call-changed"
    assert "<html" not in body
    assert _open(body) == ["verify", "end"]
    assert 'id="verify-heading" tabindex="-1" data-focus-after-swap' in body
    assert '<span role="status">Saved: The resident</span>' in body
    changed = _get(call, "caller", htmx=True)
    assert "<html" not in changed and _open(changed) == ["caller", "end"]


def test_a_report_logged_is_confirmed_without_javascript_only_on_its_own_call(
    signed_in_handler, start_call, resident
):
    call = _neighbour_calls(start_call(signed_in_handler), resident)
    location = call.report(summary="Bin missed").headers["Location"]
    assert "Report logged." in call.client.get(location).get_data(as_text=True)

    other = _neighbour_calls(start_call(signed_in_handler), factories.make_resident(forename="Olu"))
    entry_id = db.session.scalar(select(Entry.id))

    page = other.client.get(f"{other.url}?logged={entry_id}").get_data(as_text=True)

    assert "Report logged." not in page


def test_the_hidden_fields_of_a_step_not_shown_are_not_on_the_page(
    signed_in_handler, start_call, resident
):
    call = _neighbour_calls(start_call(signed_in_handler), resident)

    hidden = hidden_inputs(call.page())

    assert not [name for name in hidden if name.startswith(("verify-", "rep-", "code-"))]
