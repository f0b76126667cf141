"""Whatever a handler types, the call page answers without a server error."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories

TYPED = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=150
) | st.sampled_from(
    ["+", "0", "07700", "LE1", "O'", "Mc", "-", "  ", "1/1/1", "31/02/2000", "Ⅻ", "ß", "\x00"]
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(typed=TYPED)
def test_any_search_text_is_answered_without_a_server_error(signed_in_handler, start_call, typed):
    call = start_call(signed_in_handler)

    response = call.post("/search", {"q": typed}, htmx=True)

    assert response.status_code == 200


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(dob=TYPED, postcode=TYPED, reference=TYPED)
def test_any_answers_are_checked_without_a_server_error(
    signed_in_handler, start_call, dob, postcode, reference
):
    # A resident of its own: three failures lock a resident, and a shared one would leave
    # later examples only the refusal to check.
    resident = factories.make_resident()
    call = start_call(signed_in_handler)
    call.resident_calls_about(resident)

    response = call.verify(date_of_birth=dob, postcode=postcode, reference=reference)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Phone verification locked" not in page
    assert "14 March 1948" not in page.split("Record</h2>")[0]
