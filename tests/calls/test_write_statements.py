"""What each step of a call costs the database, as the load drives it (benchmarks/
load_scenario.py): the statements a step runs, counted, so that reading the call or the
member of staff again after the step's unit of work does not come back unnoticed."""

import pytest

from tests.calls.conftest import CallDriver
from tests.helpers import hidden_inputs, statements_run

RIGHT_ANSWERS = {"verify-date_of_birth": "14/3/1948", "verify-postcode": "LE1 5AB"}
REPORT = dict(area="housing", category="repair", summary="Tap dripping", urgency="routine")
# The most statements each step may run: what it ran when this test was written.
MOST = {"resident": 15, "caller": 15, "verify": 17, "reports": 17, "end": 6}


def _step(call: CallDriver, path: str, data: dict, prefix: str | None = None, htmx=True):
    """Send a step as the load does, with the hidden fields the page drew in its form; the
    statements the step ran, and its answer."""
    hidden = {}
    if prefix:
        hidden = {k: v for k, v in hidden_inputs(call.page()).items() if k.startswith(prefix)}
    headers = {"HX-Request": "true"} if htmx else {}
    with statements_run() as ran:
        response = call.client.post(
            call.url + path, data={"csrf_token": call.token, **hidden, **data}, headers=headers
        )
    return ran, response


@pytest.fixture
def counted(signed_in_handler, resident):
    """Each step of a whole call, the statements it ran."""
    call = CallDriver(signed_in_handler)
    steps = {}
    steps["resident"], answer = _step(call, "/resident", {"resident_id": resident.id}, htmx=False)
    assert answer.status_code == 302
    steps["caller"], answer = _step(call, "/caller", {"caller-caller_type": "resident"})
    assert "Saved: The resident" in answer.get_data(as_text=True)
    steps["verify"], answer = _step(call, "/verify", RIGHT_ANSWERS, "verify-")
    assert "as the resident" in answer.get_data(as_text=True)
    steps["reports"], answer = _step(
        call, "/reports", {f"report-{k}": v for k, v in REPORT.items()}, "report-"
    )
    assert "Report logged" in answer.get_data(as_text=True)
    data = {"end-outcome": "report-logged", "end-summary": "Repair reported."}
    steps["end"], answer = _step(call, "/end", data, htmx=False)
    assert answer.status_code == 302
    return steps


@pytest.mark.parametrize("step", list(MOST))
def test_a_step_runs_no_more_statements_than_it_needs(counted, step):
    assert len(counted[step]) <= MOST[step], "\n".join(counted[step])


@pytest.mark.parametrize("step", ["resident", "caller", "verify", "reports"])
def test_a_step_reads_the_call_once_before_and_once_after_its_unit_of_work(counted, step):
    calls = [s for s in counted[step] if s.lstrip().startswith("SELECT calls.")]
    staff = [s for s in counted[step] if s.lstrip().startswith("SELECT staff_users.")]

    assert len(staff) == 1, staff
    assert len(calls) == 3, calls  # the handler's own, the one locked, the answer's
