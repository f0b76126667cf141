"""Two changes to one resident's numbers at once, as real concurrent requests against a live
server: one stands and the other is refused, never two numbers where one was changed, and the
history holds exactly what stood. Runs on SQLite and on PostgreSQL."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMessage, ResidentPhone, ResidentPhoneChange
from app.rules import phone_changes as rules
from app.rules.vocabulary import MessageKind, Role
from tests import factories
from tests.calls.test_concurrency import RIGHT_ANSWERS, Browser, _together
from tests.helpers import count_rows, hidden_inputs

REASON = "The resident sent a signed change of details form"


def _numbers(resident_id: int) -> list[str]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(ResidentPhone.number)
            .where(ResidentPhone.resident_id == resident_id)
            .order_by(ResidentPhone.id)
        )
    )


def _supervisor_form(browser: Browser, path: str, **fields) -> tuple[str, dict]:
    data = hidden_inputs(browser.get(path))
    return path, {**data, "reason": REASON, "evidence": "FORM-7", **fields}


def _verified_call_form(browser: Browser, resident, form: str, **fields) -> tuple[str, dict]:
    """A call on which the caller is verified as the resident, and `form` of its numbers
    step as the page shows it, filled in with `fields`."""
    url = browser.start_call_about(resident)
    browser.post(url + "/verify", {**browser.verify_form(url), **RIGHT_ANSWERS})
    page = browser.get(url)
    data = {k: v for k, v in hidden_inputs(page).items() if k.startswith(f"{form}-")}
    assert data, "the numbers step is not on the page"
    action = {"add-number": "add", "change-number": "change"}[form]
    return f"{url}/phones/{action}", {**data, **{f"{form}-{k}": v for k, v in fields.items()}}


def _post(browser: Browser, path_and_data: tuple[str, dict]):
    path, data = path_and_data
    return lambda: browser.http.post(browser.base + path, data=data, allow_redirects=False)


def _outcomes(responses) -> list[str]:
    """ "made" for a change that stood (a redirect), "refused" for one refused on its page."""
    seen = []
    for response in responses:
        if response.status_code == 302:
            seen.append("made")
        else:
            assert response.status_code == 200, response.text
            assert rules.NUMBERS_CHANGED in response.text or rules.NOT_ON_FILE in response.text
            seen.append("refused")
    return sorted(seen)


@pytest.mark.parametrize("round_", range(3))
def test_two_supervisors_changing_one_number_at_once_leave_one_number(live_server, round_):
    resident = factories.make_resident(phones=["+447700900123"])
    resident_id = resident.id
    phone_id = db.session.scalar(select(ResidentPhone.id))
    first = Browser(live_server, factories.make_staff(Role.SUPERVISOR))
    second = Browser(live_server, factories.make_staff(Role.SUPERVISOR))
    path = f"/residents/{resident_id}/phone-numbers/{phone_id}/change"
    forms = [
        _supervisor_form(first, path, number="07700 900201", label="mobile"),
        _supervisor_form(second, path, number="07700 900202", label="mobile"),
    ]

    responses = _together(_post(first, forms[0]), _post(second, forms[1]))

    assert _outcomes(responses) == ["made", "refused"]
    [number] = _numbers(resident_id)
    assert number in {"+447700900201", "+447700900202"}
    [change] = db.session.scalars(select(ResidentPhoneChange)).all()
    assert (change.old_number, change.new_number) == ("+447700900123", number)
    told = db.session.scalars(
        select(OutboxMessage.to_number).where(OutboxMessage.kind == MessageKind.PHONE_CHANGED)
    ).all()
    assert told == ["+447700900123"]


def test_a_change_on_a_call_and_one_by_a_supervisor_at_once_leave_one_number(live_server):
    resident = factories.make_resident(phones=["+447700900123"])
    resident_id = resident.id
    phone_id = db.session.scalar(select(ResidentPhone.id))
    handler = Browser(live_server, factories.make_staff(Role.HANDLER))
    supervisor = Browser(live_server, factories.make_staff(Role.SUPERVISOR))
    on_call = _verified_call_form(
        handler, resident, "change-number", phone=str(phone_id), number="07700 900301",
        label="mobile",
    )  # fmt: skip
    outside = _supervisor_form(
        supervisor,
        f"/residents/{resident_id}/phone-numbers/{phone_id}/change",
        number="07700 900302",
        label="mobile",
    )

    responses = _together(_post(handler, on_call), _post(supervisor, outside))

    assert _outcomes(responses) == ["made", "refused"]
    assert len(_numbers(resident_id)) == 1
    assert count_rows(ResidentPhoneChange) == 1


def test_the_same_number_added_on_two_calls_at_once_is_on_file_once(live_server):
    resident = factories.make_resident(phones=["+447700900123"])
    resident_id = resident.id
    first = Browser(live_server, factories.make_staff(Role.HANDLER))
    second = Browser(live_server, factories.make_staff(Role.HANDLER))
    forms = [
        _verified_call_form(browser, resident, "add-number", number="07700 900401", label="work")
        for browser in (first, second)
    ]

    responses = _together(_post(first, forms[0]), _post(second, forms[1]))

    assert _outcomes(responses) == ["made", "refused"]
    assert _numbers(resident_id) == ["+447700900123", "+447700900401"]
    assert count_rows(ResidentPhoneChange) == 1
