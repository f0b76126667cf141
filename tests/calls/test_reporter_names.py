"""What a handler may tell a caller never names the third party who reported something
(docs/rules.md rule 7): on a call, whoever is calling, a reporter is shown by relationship
only. Staff views outside a call keep the name."""

import pytest

from app.rules.vocabulary import Relationship
from tests import factories
from tests.duty_to_share.conftest import ShareCall
from tests.helpers import csrf_token

REPORTER = "Pat Kinsella"
REPORTER_NUMBER = "+447700900321"
REPORT = "Water coming through the ceiling of the flat below"
HTMX = {"HX-Request": "true"}
RIGHT_ANSWERS = {"date_of_birth": "14/3/1948", "postcode": "LE1 5AB"}


@pytest.fixture
def neighbours_report(resident):
    return factories.make_entry(
        resident,
        number=REPORTER_NUMBER,
        summary=REPORT,
        reporter_name=REPORTER,
        reporter_relationship=Relationship.NEIGHBOUR,
        reporter_verified=False,
    )


def _resident_verified(call, resident):
    call.resident_calls_about(resident)
    call.verify(**RIGHT_ANSWERS)


def _representative_verified(call, resident):
    call.representative_verified(resident, *factories.make_permission(resident))


def _shared_under_duty_to_share(call, resident):
    call.police_call_about(resident)
    call.ask(areas=["housing"], urgent=True)


def _neighbour(call, resident):
    call.select(resident)
    call.caller("third-party", name="Sam Next-Door", relationship="neighbour")


def _nobody_said(call, resident):
    call.select(resident)


CALLERS = {
    "resident-verified": (_resident_verified, True),
    "representative-verified": (_representative_verified, True),
    "duty-to-share": (_shared_under_duty_to_share, True),
    "neighbour": (_neighbour, False),
    "not-said": (_nobody_said, False),
}


def _everything_the_call_page_draws(call) -> dict[str, str]:
    """The call page and every fragment it fetches, as the handler's browser would."""
    drawn = {
        "page": call.page(),
        "record": call.record_fragment(),
        "record-page": call.client.get(call.url + "/record").get_data(as_text=True),
        "status": call.client.get(
            call.url + "/status", headers={"Accept": "application/json"}
        ).get_data(as_text=True),
    }
    for step in ("", "caller", "verify", "report"):
        path = f"{call.url}?step={step}" if step else call.url
        drawn[f"steps-{step or 'now'}"] = call.client.get(path, headers=HTMX).get_data(as_text=True)
    return drawn


@pytest.mark.parametrize("caller", CALLERS, ids=list(CALLERS))
def test_no_call_page_fragment_names_the_reporter_whoever_is_calling(
    signed_in_handler, resident, neighbours_report, caller
):
    call = ShareCall(signed_in_handler)
    arrange, hears_the_record = CALLERS[caller]
    arrange(call, resident)

    drawn = _everything_the_call_page_draws(call)

    for where, html in drawn.items():
        assert REPORTER not in html, f"{REPORTER} named in the {where}"
        assert "Kinsella" not in html, f"the reporter's surname in the {where}"
        assert "7700900321" not in html.replace(" ", ""), f"the reporter's number in the {where}"
    record = drawn["record"]
    if hears_the_record:
        assert REPORT in record
        assert "Reported by a neighbour" in record
        assert "Reported in good faith, not verified" in record
    else:
        assert REPORT not in record


def test_the_residents_own_report_says_it_was_the_resident(signed_in_handler, resident):
    factories.make_enquiry(resident, "council-tax", "Asked about a single person discount")
    call = ShareCall(signed_in_handler)
    _resident_verified(call, resident)

    record = call.record_fragment()

    assert "Reported by the resident" in record
    assert "Margaret Okafor (the resident)" not in record


def test_the_record_outside_a_call_still_names_the_reporter_for_staff(
    signed_in_handler, resident, neighbours_report
):
    page = signed_in_handler.post(
        f"/residents/{resident.id}",
        data={
            "reason": "Investigating complaint C-1042",
            "csrf_token": csrf_token(signed_in_handler, "/"),
        },
    ).get_data(as_text=True)

    assert REPORT in page
    assert f"Reported by {REPORTER} (neighbour)" in page
