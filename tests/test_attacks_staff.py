"""Staff pages tried as an attacker would: filters and forms given NULs, ids beyond any row,
forged codes and repeated fields. A page answers, never a 500."""

import pytest

from tests.helpers import audit_events, csrf_token, without_tokens

BEYOND_ANY_ROW = "99999999999999999999"
BEYOND_AN_INTEGER = str(2**31)


@pytest.mark.parametrize(
    "path",
    [
        f"/residents/{BEYOND_ANY_ROW}",
        f"/disputes/{BEYOND_ANY_ROW}",
        f"/duty-to-share/{BEYOND_ANY_ROW}",
        f"/residents/{BEYOND_ANY_ROW}/legal-hold",
        f"/permissions/end-requests/{BEYOND_ANY_ROW}",
        f"/admin/staff/{BEYOND_ANY_ROW}",
    ],
)
def test_an_id_beyond_any_row_in_an_address_is_not_found(signed_in_client, path):
    administrator = signed_in_client(role="admin")
    supervisor = signed_in_client(role="supervisor")

    answers = {administrator.get(path).status_code, supervisor.get(path).status_code}

    assert answers <= {403, 404}


@pytest.mark.parametrize("given", ["resident", "staff"])
def test_an_audit_search_for_an_id_beyond_any_row_is_refused_not_an_error(signed_in_admin, given):
    response = signed_in_admin.get(f"/audit?{given}={BEYOND_AN_INTEGER}")

    assert response.status_code == 404


@pytest.mark.parametrize("odd", ["\x00", "audit.\x00viewed", "\u202e\x00", "x" * 5000])
def test_a_nul_or_a_long_value_in_a_list_filter_is_never_a_500(
    signed_in_supervisor, signed_in_admin, odd
):
    asked = [
        signed_in_admin.get("/audit", query_string={"action": odd}),
        signed_in_supervisor.get("/disputes", query_string={"reference": odd}),
        signed_in_supervisor.get("/disputes", query_string={"area": odd, "status": odd}),
        signed_in_admin.get("/admin/staff", query_string={"show": odd, "q": odd}),
        signed_in_supervisor.get("/duty-to-share", query_string={"status": odd}),
        signed_in_supervisor.get("/dashboard", query_string={"area": odd}),
    ]

    assert [r.status_code for r in asked if r.status_code >= 500] == []


@pytest.mark.parametrize("odd", ["\x00", "ABCD-\x00EFGH-JKM", "x" * 5000])
def test_odd_input_in_the_reference_and_audit_forms_is_answered_on_the_form(signed_in_admin, odd):
    token = csrf_token(signed_in_admin, "/legal-holds")

    hold = signed_in_admin.post("/legal-holds", data={"csrf_token": token, "reference": odd})
    audit = signed_in_admin.post(
        "/audit",
        data={"csrf_token": token, "reference": odd, "action": odd, "staff_id": odd},
    )

    assert hold.status_code == 200
    assert audit.status_code < 500


def test_an_audit_search_for_a_resident_no_record_has_is_searched_and_recorded(signed_in_admin):
    # A mistyped id, or a record since erased: the search is still recorded, not a 500.
    response = signed_in_admin.get("/audit?resident=424242")

    assert response.status_code == 200
    [searched] = audit_events("audit.searched")
    assert searched.resident_id is None
    assert "424242" in str(searched.detail)


def test_repeated_fields_in_a_filter_are_never_a_500(signed_in_admin, signed_in_supervisor):
    asked = [
        signed_in_admin.get("/audit?action=a&action=b&resident=1&resident=x"),
        signed_in_supervisor.get("/disputes?status=open&status=x&reference=a&reference=b"),
        signed_in_admin.get("/admin/staff?show=two-factor-not-set-up&show=x"),
    ]

    assert [r.status_code for r in asked if r.status_code >= 500] == []


def test_without_legal_holds_a_reference_posted_finds_nothing_and_says_nothing(
    signed_in_handler, resident
):
    # A handler may not set holds, and learns nothing by posting references: a real one and
    # a made-up one get the same refusal, and neither goes on to a record.
    token = csrf_token(signed_in_handler, "/")
    answers = [
        signed_in_handler.post("/legal-holds", data={"csrf_token": token, "reference": typed})
        for typed in (resident.reference, "ZZZZ-ZZZZ-ZZZ")
    ]

    assert [a.status_code for a in answers] == [403, 403]
    assert without_tokens(answers[0]) == without_tokens(answers[1])
    assert "Location" not in answers[0].headers


def test_the_reference_for_a_legal_hold_never_goes_in_an_address(signed_in_admin, resident):
    token = csrf_token(signed_in_admin, "/legal-holds")

    found = signed_in_admin.post(
        "/legal-holds", data={"csrf_token": token, "reference": resident.reference}
    )

    assert found.status_code == 302
    assert resident.reference not in found.headers["Location"]
    assert found.headers["Location"] == f"/residents/{resident.id}/legal-hold"
