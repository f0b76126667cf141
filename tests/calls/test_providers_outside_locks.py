"""No provider is asked while a database lock is held (docs/architecture.md), shown with real
concurrent requests against the live server, on SQLite and on PostgreSQL.

Checking a code with Twilio Verify asks Verify first, with no transaction open, then decides
and records under the call's and the resident's locks. So a Verify that takes its time holds
nobody up: not another check on the same resident, not any write (on SQLite the database has
one write lock). And the lockout still counts one attempt at a time: wrong codes that all
reached Verify together never pass the limit, and an approval that comes back after the lock
engaged is refused.
"""

import threading
from collections.abc import Iterator

import pytest
import requests
from sqlalchemy import func, select

from app.extensions import db
from app.models import Entry, ResidentPhone, VerificationAttempt
from app.rules.disclosure import VerifiedAs
from app.rules.vocabulary import Role, VerificationResult
from tests import factories
from tests.calls.test_concurrency import RIGHT_ANSWERS, WRONG_ANSWERS, Browser, _call, _together
from tests.helpers import hidden_inputs
from tests.telephony.fake_twilio import APPROVED_CODE, FakeTwilio

VERIFY_SID = "VA" + "2" * 32
# How long the fake Verify holds a check at most: the work around it must be done by then.
HELD_SECONDS = 10
# Long enough for a request that waits on nothing; far shorter than the hold.
ANSWERED_WITHIN = 5
LOCKED = "Do not verify this caller by phone"
REPORT = {
    "report-relationship": "self", "report-area": "housing", "report-category": "repair",
    "report-urgency": "routine", "report-summary": "Water through the ceiling",
}  # fmt: skip


@pytest.fixture
def verify(app, fake_twilio, monkeypatch) -> Iterator[FakeTwilio]:
    """Twilio Verify behind the fake, Lookup off; enough sends an hour for every handler."""
    monkeypatch.setitem(app.config, "TWILIO_VERIFY_SERVICE_SID", VERIFY_SID)
    policy = {**app.config["TEXT_CODE_POLICY"], "sends_per_hour": 10}
    monkeypatch.setitem(app.config, "TEXT_CODE_POLICY", policy)
    yield fake_twilio
    fake_twilio.release_holds()  # a test that failed midway leaves no request waiting


def _handler(live_server) -> Browser:
    return Browser(live_server, factories.make_staff(Role.HANDLER))


def _phone_id(resident) -> str:
    return str(
        db.session.scalar(select(ResidentPhone.id).where(ResidentPhone.resident_id == resident.id))
    )


def _with_code_sent(browser: Browser, resident, phone_id: str) -> tuple[str, dict]:
    """A call from the resident with a Verify code sent to them; the call's address and the
    code form's hidden fields, as the page carries them."""
    url = browser.start_call_about(resident)
    fields = hidden_inputs(browser.get(url))
    sent = browser.post(
        url + "/text-code",
        {**{k: v for k, v in fields.items() if k.startswith("text-")}, "text-phone": phone_id},
    )
    assert sent.status_code in {200, 302}, sent.text
    code_form = {k: v for k, v in hidden_inputs(browser.get(url)).items() if k.startswith("code-")}
    assert code_form, "no code form: the code was not sent"
    return url, code_form


def _post_within(browser: Browser, path: str, data: dict) -> requests.Response:
    """Post as `browser.post` does, failing if the answer takes longer than a request that
    waits for nobody would."""
    return browser.http.post(
        browser.base + path,
        data={"csrf_token": browser.token, **data},
        allow_redirects=False,
        timeout=ANSWERED_WITHIN,
    )


def _in_background(action) -> tuple[threading.Thread, dict]:
    done: dict = {}

    def run() -> None:
        done["response"] = action()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, done


def _attempts(result: VerificationResult | None = None) -> int:
    db.session.expire_all()
    query = select(func.count()).select_from(VerificationAttempt)
    if result is not None:
        query = query.where(VerificationAttempt.result == result)
    return db.session.scalar(query)


def test_while_verify_holds_a_check_another_check_on_the_resident_and_a_report_go_through(
    live_server, resident, verify
):
    first, second = _handler(live_server), _handler(live_server)
    first_call, code_form = _with_code_sent(first, resident, _phone_id(resident))
    second_call = second.start_call_about(resident)
    answers_form = second.verify_form(second_call)
    hold = verify.hold("/VerificationCheck", seconds=HELD_SECONDS)
    reading_back, read_back = _in_background(
        lambda: first.post(first_call + "/verify", {**code_form, "code-code": APPROVED_CODE})
    )
    assert hold.wait_for_arrivals(), "the code never reached Verify"

    answered = _post_within(second, second_call + "/verify", {**answers_form, **RIGHT_ANSWERS})
    reported = _post_within(
        second, second_call + "/reports", {**REPORT, "report-resident_id": str(resident.id)}
    )
    still_held = reading_back.is_alive()
    hold.release()
    reading_back.join(timeout=HELD_SECONDS)

    assert still_held, "the first check was not waiting on Verify while the others ran"
    assert not hold.timed_out
    assert answered.status_code == 200
    assert reported.status_code in {200, 302}
    assert _call(second_call).verified_as is VerifiedAs.RESIDENT
    assert db.session.scalar(select(Entry).where(Entry.call_id == _call(second_call).id))
    assert read_back["response"].status_code == 200
    assert _call(first_call).verified_as is VerifiedAs.RESIDENT
    assert _attempts() == _attempts(VerificationResult.VERIFIED) == 2


def test_wrong_codes_that_all_reached_verify_at_once_never_pass_the_lockout_limit(
    live_server, resident, app, verify
):
    limit = app.config["LOCKOUT_POLICY"]["max_failures"]
    phone_id = _phone_id(resident)
    browsers = [_handler(live_server) for _ in range(limit + 3)]
    calls = [(browser, *_with_code_sent(browser, resident, phone_id)) for browser in browsers]
    hold = verify.hold("/VerificationCheck", count=len(browsers), seconds=HELD_SECONDS)
    arrivals: dict = {}

    def release_once_all_arrived() -> None:
        arrivals["all"] = hold.wait_for_arrivals(timeout=HELD_SECONDS)
        hold.release()

    releaser = threading.Thread(target=release_once_all_arrived, daemon=True)
    releaser.start()
    responses = _together(
        *[
            (lambda b=browser, u=url, f=form: b.post(u + "/verify", {**f, "code-code": "654321"}))
            for browser, url, form in calls
        ]
    )
    releaser.join(timeout=HELD_SECONDS)

    assert arrivals["all"], "the checks did not all wait on Verify at once"
    assert _attempts(VerificationResult.FAILED) == _attempts() == limit
    assert all(response.status_code == 200 for response in responses)
    locked = [response for response in responses if LOCKED in response.text]
    assert len(locked) == len(browsers) - limit + 1
    assert all(_call(url).verified_as is VerifiedAs.NOBODY for _, url, _ in calls)


def test_an_approval_that_comes_back_after_the_lock_engaged_is_refused(
    live_server, resident, app, verify
):
    limit = app.config["LOCKOUT_POLICY"]["max_failures"]
    first = _handler(live_server)
    first_call, code_form = _with_code_sent(first, resident, _phone_id(resident))
    others = [_handler(live_server) for _ in range(limit)]
    other_calls = [(other, other.start_call_about(resident)) for other in others]
    forms = [other.verify_form(url) for other, url in other_calls]
    hold = verify.hold("/VerificationCheck", seconds=HELD_SECONDS)
    reading_back, read_back = _in_background(
        lambda: first.post(first_call + "/verify", {**code_form, "code-code": APPROVED_CODE})
    )
    assert hold.wait_for_arrivals(), "the code never reached Verify"

    wrong = [
        _post_within(other, url + "/verify", {**form, **WRONG_ANSWERS})
        for (other, url), form in zip(other_calls, forms, strict=True)
    ]
    hold.release()
    reading_back.join(timeout=HELD_SECONDS)

    assert LOCKED in wrong[-1].text
    assert not hold.timed_out
    assert LOCKED in read_back["response"].text
    assert _call(first_call).verified_as is VerifiedAs.NOBODY
    assert _attempts() == _attempts(VerificationResult.FAILED) == limit
    assert len(verify.sent("/VerificationCheck")) == 1  # Verify approved it: we refused it
