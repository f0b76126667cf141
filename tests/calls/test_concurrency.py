"""Real concurrent requests against a live server: checks and changes on a call run one at a
time, and parallel guesses never get past the lock. Runs on SQLite and on PostgreSQL."""

import re
import threading
import time
from collections.abc import Callable

import pytest
import requests
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Call, Entry, VerificationAttempt
from app.rules.disclosure import VerifiedAs
from app.rules.vocabulary import CallerType, Relationship, Role, VerificationResult
from tests import factories
from tests.helpers import CSRF_META, hidden_inputs

RIGHT_ANSWERS = {"verify-date_of_birth": "14/3/1948", "verify-postcode": "LE1 5AB"}
# The secret word is checked against its hash: the slowest check, the widest race window.
WRONG_ANSWERS = {"verify-date_of_birth": "1/1/1960", "verify-secret_word": "wrongword"}


class Browser:
    """A member of staff's browser, signed in to the live server."""

    def __init__(self, base: str, user=None, cookies=None):
        self.base = base
        self.http = requests.Session()
        if cookies is not None:
            self.http.cookies.update(cookies)
        else:
            token = self._token("/login")
            signed_in = self.http.post(
                base + "/login",
                data={"email": user.email, "password": factories.PASSWORD, "csrf_token": token},
                allow_redirects=False,
            )
            assert signed_in.status_code == 302, signed_in.text
            step = signed_in.headers["Location"]
            if step.startswith("/login/code"):  # an account enrolled in two-factor sign-in
                signed_in = self.http.post(
                    base + step,
                    data={"code": factories.fresh_code(user), "csrf_token": self._token(step)},
                    allow_redirects=False,
                )
                assert signed_in.status_code == 302, signed_in.text
        self.token = self._token("/calls")

    def _token(self, path: str) -> str:
        return CSRF_META.search(self.http.get(self.base + path).text).group(1)

    def another_tab(self) -> "Browser":
        return Browser(self.base, cookies=self.http.cookies)

    def get(self, path: str) -> str:
        return self.http.get(self.base + path).text

    def post(self, path: str, data: dict) -> requests.Response:
        return self.http.post(
            self.base + path, data={"csrf_token": self.token, **data}, allow_redirects=False
        )

    def start_call_about(self, resident) -> str:
        created = self.post("/calls", {"withheld": "y"})
        url = re.search(r"/calls/\d+", created.headers["Location"]).group(0)
        self.post(url + "/resident", {"resident_id": resident.id})
        self.post(url + "/caller", {"caller-caller_type": "resident"})
        return url

    def verify_form(self, url: str) -> dict:
        return {k: v for k, v in hidden_inputs(self.get(url)).items() if k.startswith("verify-")}


def _together(*actions: Callable[[], object]) -> list:
    """Run the actions in threads released at the same moment; return their results."""
    barrier = threading.Barrier(len(actions))
    results: list = [None] * len(actions)
    errors: list = []

    def run(i: int, action) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = action()
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    return results


def _call(url: str) -> Call:
    db.session.expire_all()
    return db.session.get(Call, int(url.rsplit("/", 1)[1]))


@pytest.fixture
def handler_browser(live_server) -> Browser:
    return Browser(live_server, factories.make_staff(Role.HANDLER))


@pytest.mark.parametrize("delay_ms", [0, 2, 5, 10, 20, 40, 80])
def test_a_check_racing_a_change_of_record_never_verifies_the_new_record(
    handler_browser, resident, delay_ms
):
    other = factories.make_resident(forename="Brian", surname="Other")
    url = handler_browser.start_call_about(resident)
    form = handler_browser.verify_form(url)
    second_tab = handler_browser.another_tab()
    other_id = other.id  # read here: the threads have no database session

    def check():
        return handler_browser.post(url + "/verify", {**form, **RIGHT_ANSWERS})

    def switch():
        time.sleep(delay_ms / 1000)
        return second_tab.post(url + "/resident", {"resident_id": other_id})

    _together(check, switch)

    call = _call(url)
    assert call.resident_id == other_id
    assert call.verified_as is VerifiedAs.NOBODY
    assert "Do not disclose" in handler_browser.get(url + "/record")


def test_two_checks_on_one_call_run_one_after_the_other(handler_browser, resident):
    url = handler_browser.start_call_about(resident)
    form = handler_browser.verify_form(url)
    second_tab = handler_browser.another_tab()

    _together(
        lambda: handler_browser.post(
            url + "/verify", {**form, "verify-date_of_birth": RIGHT_ANSWERS["verify-date_of_birth"]}
        ),
        lambda: second_tab.post(
            url + "/verify", {**form, "verify-postcode": RIGHT_ANSWERS["verify-postcode"]}
        ),
    )

    # Each check saw the factor the other matched: neither wrote over the other.
    call = _call(url)
    assert call.verified_as is VerifiedAs.RESIDENT
    assert set(call.factors_matched.split(",")) == {"date-of-birth", "postcode"}


def test_parallel_wrong_answers_are_checked_no_more_often_than_the_lock_allows(
    live_server, resident, app
):
    limit = app.config["LOCKOUT_POLICY"]["max_failures"]
    browsers = [Browser(live_server, factories.make_staff(Role.HANDLER)) for _ in range(8)]
    calls = [(browser, browser.start_call_about(resident)) for browser in browsers]
    forms = [browser.verify_form(url) for browser, url in calls]

    responses = _together(
        *[
            (lambda b=browser, u=url, f=form: b.post(u + "/verify", {**f, **WRONG_ANSWERS}))
            for (browser, url), form in zip(calls, forms, strict=True)
        ]
    )

    failures = db.session.scalar(
        select(func.count())
        .select_from(VerificationAttempt)
        .where(VerificationAttempt.result == VerificationResult.FAILED)
    )
    attempts = db.session.scalar(select(func.count()).select_from(VerificationAttempt))
    assert failures == limit
    assert attempts == limit  # the others were refused before anything was compared
    assert all(response.status_code == 200 for response in responses)
    # The attempt that locked it, and every one refused, tell the handler to stop.
    locked = [r for r in responses if "Do not verify this caller by phone" in r.text]
    assert len(locked) == len(browsers) - limit + 1


def test_parallel_sends_never_text_a_resident_more_often_than_the_hourly_limit(
    live_server, resident, app
):
    from app.models import ResidentPhone, TextCode

    limit = app.config["TEXT_CODE_POLICY"]["sends_per_hour"]
    phone_id = str(
        db.session.scalar(select(ResidentPhone.id).where(ResidentPhone.resident_id == resident.id))
    )
    browsers = [Browser(live_server, factories.make_staff(Role.HANDLER)) for _ in range(6)]
    calls = [(browser, browser.start_call_about(resident)) for browser in browsers]
    forms = [
        {k: v for k, v in hidden_inputs(browser.get(url)).items() if k.startswith("text-")}
        for browser, url in calls
    ]

    responses = _together(
        *[
            (
                lambda b=browser, u=url, f=form: b.post(
                    u + "/text-code", {**f, "text-phone": phone_id}
                )
            )
            for (browser, url), form in zip(calls, forms, strict=True)
        ]
    )

    sent = db.session.scalar(select(func.count()).select_from(TextCode))
    assert sent == limit
    assert all(response.status_code == 200 for response in responses)
    refused = [r for r in responses if "codes have been sent for this resident" in r.text]
    assert len(refused) == len(browsers) - limit


def test_a_code_read_back_racing_a_change_of_record_never_verifies_the_new_record(
    handler_browser, resident
):
    from app.models import OutboxMessage, ResidentPhone

    other = factories.make_resident(forename="Brian", surname="Other")
    other_id = other.id
    phone_id = str(
        db.session.scalar(select(ResidentPhone.id).where(ResidentPhone.resident_id == resident.id))
    )
    url = handler_browser.start_call_about(resident)
    send_form = {
        k: v for k, v in hidden_inputs(handler_browser.get(url)).items() if k.startswith("text-")
    }
    handler_browser.post(url + "/text-code", {**send_form, "text-phone": phone_id})
    db.session.expire_all()
    code = re.search(r"\d{6}", db.session.scalar(select(OutboxMessage.body))).group()
    code_form = {
        k: v for k, v in hidden_inputs(handler_browser.get(url)).items() if k.startswith("code-")
    }
    second_tab = handler_browser.another_tab()

    _together(
        lambda: handler_browser.post(url + "/verify", {**code_form, "code-code": code}),
        lambda: second_tab.post(url + "/resident", {"resident_id": other_id}),
    )

    call = _call(url)
    assert call.resident_id == other_id
    assert call.verified_as is VerifiedAs.NOBODY


@pytest.mark.parametrize("delay_ms", [0, 5, 20])
def test_a_report_naming_the_caller_racing_the_caller_step_never_overwrites_it(
    handler_browser, resident, delay_ms
):
    """The report says who is calling only while nobody has: a caller recorded as the resident
    at the same moment is never turned into a neighbour by the report."""
    created = handler_browser.post("/calls", {"withheld": "y"})
    url = re.search(r"/calls/\d+", created.headers["Location"]).group(0)
    handler_browser.post(url + "/resident", {"resident_id": resident.id})
    second_tab = handler_browser.another_tab()
    resident_id = resident.id
    report = {
        "report-resident_id": str(resident_id), "report-relationship": "neighbour",
        "report-area": "housing", "report-category": "repair", "report-urgency": "routine",
        "report-summary": "Water through the ceiling",
    }  # fmt: skip

    def log():
        return handler_browser.post(url + "/reports", report)

    def say_resident():
        time.sleep(delay_ms / 1000)
        return second_tab.post(url + "/caller", {"caller-caller_type": "resident"})

    _together(log, say_resident)

    call = _call(url)
    entry = db.session.scalar(select(Entry).where(Entry.call_id == call.id))
    assert call.caller_type is CallerType.RESIDENT  # the caller step always has the last word
    assert entry is not None and not entry.reporter_verified
    # Whichever came first: the report named a neighbour, or it found the resident recorded.
    assert entry.reporter_relationship in {Relationship.NEIGHBOUR, Relationship.SELF}


def test_two_pages_of_a_record_fetched_at_once_each_disclose_and_audit_their_own(
    handler_browser, resident
):
    for n in range(30):
        factories.make_entry(resident, summary=f"Entry {n}")
    url = handler_browser.start_call_about(resident)
    handler_browser.post(url + "/verify", {**handler_browser.verify_form(url), **RIGHT_ANSWERS})
    second_tab = handler_browser.another_tab()
    htmx, panel = {"HX-Request": "true"}, f"{handler_browser.base}{url}/record"

    first, second = _together(
        lambda: handler_browser.http.get(panel + "?page=1", headers=htmx),
        lambda: second_tab.http.get(panel + "?page=2", headers=htmx),
    )

    assert first.status_code == second.status_code == 200
    shown = [set(re.findall(r"Entry (\d+)\b", page.text)) for page in (first, second)]
    assert len(shown[0]) == 20 and len(shown[1]) == 10 and not shown[0] & shown[1]
    db.session.expire_all()
    audited = db.session.scalars(
        select(AuditEvent.detail)
        .where(AuditEvent.action == "record.disclosed", AuditEvent.call_id == _call(url).id)
        .order_by(AuditEvent.id.desc())
        .limit(2)
    ).all()
    assert sorted(len(detail["entries"]) for detail in audited) == [10, 20]


def test_two_searches_at_once_on_one_call_are_both_answered_and_audited_once_each(
    handler_browser, resident
):
    url = handler_browser.start_call_about(resident)
    tab = handler_browser.another_tab()

    answers = _together(
        lambda: handler_browser.post(url + "/search", {"q": resident.surname}),
        lambda: tab.post(url + "/search", {"q": resident.postcode}),
    )

    assert [answer.status_code for answer in answers] == [200, 200]
    assert all(f"{url}/resident" in answer.text for answer in answers)
    db.session.expire_all()
    searches = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "search.made")
    ).all()
    assert len(searches) == 2
    assert {event.call_id for event in searches} == {_call(url).id}
