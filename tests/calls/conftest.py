import re

import pytest

from app.extensions import db
from app.models import Call
from app.services import phones, verification
from tests.helpers import csrf_token, hidden_inputs


class CallDriver:
    """Drives one call through the real routes, as the handler's browser would."""

    def __init__(self, client, number: str = "07700 900999"):
        self.client = client
        self.token = csrf_token(client, "/calls")
        data = {"csrf_token": self.token}
        if number:
            data["caller_number"] = number
        else:
            data["withheld"] = "y"
        response = client.post("/calls", data=data)
        assert response.status_code == 302, response.get_data(as_text=True)
        self.url = response.headers["Location"]
        self.id = int(re.search(r"/calls/(\d+)", self.url).group(1))

    @classmethod
    def taken(cls, client, call_id: int) -> "CallDriver":
        """A driver for a call the handler took from the queue rather than started."""
        driver = cls.__new__(cls)
        driver.client, driver.id, driver.url = client, call_id, f"/calls/{call_id}"
        driver.token = csrf_token(client, "/calls")
        return driver

    # Forms whose hidden fields say what the call showed when they were rendered.
    HIDDEN_FROM_PAGE = {
        "/verify": ("verify-", "rep-", "code-"),
        "/text-code": ("text-",),
        "/call-back": ("callback-",),
        "/reports": ("report-",),
        "/phones/add": ("add-number-",),
        "/phones/change": ("change-number-",),
        "/phones/remove": ("remove-number-",),
    }

    def post(self, path: str, data: dict, htmx: bool = False):
        """Post a form as the browser would: with the hidden fields the page rendered in it,
        unless the test gives its own."""
        headers = {"HX-Request": "true"} if htmx else {}
        hidden = {}
        if path in self.HIDDEN_FROM_PAGE:
            prefixes = self.HIDDEN_FROM_PAGE[path]
            hidden = {
                name: value
                for name, value in hidden_inputs(self.page()).items()
                if name.startswith(prefixes)
            } or self.hidden_now(prefixes)
        return self.client.post(
            self.url + path, data={"csrf_token": self.token, **hidden, **data}, headers=headers
        )

    def hidden_now(self, prefixes: tuple[str, ...]) -> dict:
        """The hidden fields a form would carry if it were shown now. The page shows one
        step at a time, and not the steps that do not apply (a neighbour is never shown the
        resident's questions); the server must refuse such a post all the same, so it is
        posted as a browser that kept an earlier page would."""
        call = db.session.get(Call, self.id)
        token = verification.subject_token(call)
        seen = phones.numbers_version(call.resident_id) if call.resident_id else ""
        fields = {
            "verify-shown_for": token,
            "rep-shown_for": token,
            "code-shown_for": token,
            "text-shown_for": token,
            "callback-shown_for": token,
            "report-resident_id": str(call.resident_id or ""),
            **{f"{form}-shown_for": token for form in ("add-number", "change-number")},
            **{f"{form}-seen": seen for form in ("add-number", "change-number")},
            "remove-number-shown_for": token,
            "remove-number-seen": seen,
        }
        return {name: value for name, value in fields.items() if name.startswith(prefixes)}

    def page(self) -> str:
        return self.client.get(self.url).get_data(as_text=True)

    def record_fragment(self) -> str:
        return self.client.get(self.url + "/record", headers={"HX-Request": "true"}).get_data(
            as_text=True
        )

    def select(self, resident):
        return self.post("/resident", {"resident_id": resident.id})

    def resident_calls_about(self, resident):
        """Choose the record, and record the caller as the resident themselves."""
        self.select(resident)
        return self.caller("resident")

    def representative_verified(self, resident, permission, passcode: str):
        """Choose the record, record the caller as the holder of `permission`, and check
        their passcode."""
        self.select(resident)
        self.post(
            "/caller",
            {"caller-caller_type": "representative", "caller-permission_id": str(permission.id)},
        )
        return self.post("/verify", {"rep-passcode": passcode})

    def caller(self, caller_type: str, name: str = "", relationship: str = ""):
        return self.post(
            "/caller",
            {
                "caller-caller_type": caller_type,
                "caller-caller_name": name,
                "caller-relationship": relationship,
            },
        )

    def verify(self, **answers):
        return self.post("/verify", {f"verify-{k}": v for k, v in answers.items()})

    def answer_wrongly(self):
        """A date of birth and a postcode that are not the resident's: a failed check."""
        return self.verify(date_of_birth="1/1/1990", postcode="ZZ1 1ZZ")

    def report(self, **fields):
        values = {
            "area": "housing",
            "category": "repair",
            "summary": "Water leaking through the ceiling",
            "urgency": "routine",
        }
        values.update(fields)
        return self.post("/reports", {f"report-{k}": v for k, v in values.items()})

    def end(self, outcome: str = "resolved", summary: str = "Done"):
        return self.post("/end", {"end-outcome": outcome, "end-summary": summary})


def answer_wrongly_on_calls(client, resident, times: int) -> None:
    """`times` calls, one after another, from someone saying they are the resident and giving
    wrong answers on each: three within a day lock phone verification."""
    for _ in range(times):
        call = CallDriver(client)
        call.resident_calls_about(resident)
        call.answer_wrongly()


@pytest.fixture
def start_call():
    def start(client, number: str = "07700 900999") -> CallDriver:
        return CallDriver(client, number)

    return start


@pytest.fixture
def call_on_record(signed_in_handler, start_call, resident) -> CallDriver:
    """A handler's call from 07700 900999 with the resident's record chosen; who is calling
    is not recorded yet."""
    call = start_call(signed_in_handler)
    call.select(resident)
    return call


@pytest.fixture
def resident_calling(call_on_record) -> CallDriver:
    """A handler's call on which the caller says they are the resident, not yet verified."""
    call_on_record.caller("resident")
    return call_on_record
