"""The portal tried as an attacker would: the timeout's public post and "Stay signed in", the
kept drafts, forged ids and odd input. Never a 500, never someone else's draft, and a page
that says "signed out" only when the resident was."""

import pytest

from app.models import PortalSession
from app.rules.disputes import STATEMENT_MAX_LENGTH
from tests import factories
from tests.helpers import count_rows, csrf_token
from tests.portal.helpers import portal_sign_in

SIGNED_OUT = "We signed you out because there was no activity"
BEYOND_ANY_ROW = "99999999999999999999"


def _token(client) -> str:
    return csrf_token(client, "/portal/your-record")


def _time_out(client, token, **fields):
    return client.post("/portal/timed-out", data={"csrf_token": token, **fields})


def _signed_in(client) -> bool:
    return client.get("/portal/your-record").status_code == 200


def _drafts_kept() -> int:
    return count_rows(PortalSession, PortalSession.dispute_draft.is_not(None))


def test_a_statement_over_the_limit_still_signs_out_and_is_kept_as_typed(app, client, resident):
    entry = factories.make_entry(resident)
    portal_sign_in(client, resident)
    typed = "a" * (STATEMENT_MAX_LENGTH + 10)

    _time_out(client, _token(client), entry=str(entry.id), reason="hoax", statement=typed)

    assert not _signed_in(client), "told it was signed out, the session must have ended"
    assert "we kept what you were writing" in client.get("/portal").get_data(as_text=True)
    again = portal_sign_in(app.test_client(), resident)
    assert typed in again.get(f"/portal/entries/{entry.id}/dispute").get_data(as_text=True)


@pytest.mark.parametrize("entry", ["abc", "-1", "0", "1.5", BEYOND_ANY_ROW, "１", ""])
def test_a_forged_entry_id_signs_out_and_keeps_nothing(client, resident, entry):
    portal_sign_in(client, resident)

    response = _time_out(client, _token(client), entry=entry, statement="typed")

    assert response.status_code == 302
    assert not _signed_in(client)
    assert _drafts_kept() == 0


def test_a_forged_reason_is_not_kept(app, client, resident):
    entry = factories.make_entry(resident)
    portal_sign_in(client, resident)

    _time_out(client, _token(client), entry=str(entry.id), reason="x" * 500, statement="typed")

    again = portal_sign_in(app.test_client(), resident)
    page = again.get(f"/portal/entries/{entry.id}/dispute")
    assert page.status_code == 200
    assert "x" * 500 not in page.get_data(as_text=True)


def test_a_timeout_posted_from_another_site_neither_signs_out_nor_says_so(client, resident):
    portal_sign_in(client, resident)

    client.post("/portal/timed-out", data={"statement": "planted"})

    record = client.get("/portal/your-record")
    assert record.status_code == 200
    assert SIGNED_OUT not in record.get_data(as_text=True)
    assert _drafts_kept() == 0


def _signed_out_leaving_a_copy(app, client, resident):
    """Sign in, copy the cookie and the page's token, sign out: a client with the copy."""
    portal_sign_in(client, resident)
    token = _token(client)
    copied = client.get_cookie("cv_session").value
    client.post("/portal/sign-out", data={"csrf_token": token})
    replay = app.test_client()
    replay.set_cookie("cv_session", copied)
    return replay, token


def test_a_timeout_replayed_after_sign_out_writes_nothing(app, client, resident):
    entry = factories.make_entry(resident)
    replay, token = _signed_out_leaving_a_copy(app, client, resident)

    response = _time_out(replay, token, entry=str(entry.id), statement="replayed")

    assert response.status_code == 302
    assert _drafts_kept() == 0


def test_stay_signed_in_with_a_copied_cookie_after_sign_out_keeps_nothing_open(
    app, client, resident
):
    again, token = _signed_out_leaving_a_copy(app, client, resident)

    stayed = again.post("/portal/stay-signed-in", data={"csrf_token": token})

    assert stayed.status_code == 302
    assert again.get("/portal/your-record").status_code == 302


def test_another_residents_kept_draft_is_never_handed_to_me(app, client, resident):
    neighbour = factories.make_resident(forename="Olive", phones=["+447700900777"])
    theirs = factories.make_entry(neighbour)
    portal_sign_in(client, neighbour)
    _time_out(client, _token(client), entry=str(theirs.id), reason="hoax", statement="Olive's")

    mine = portal_sign_in(app.test_client(), resident)

    assert "Carry on with your dispute" not in mine.get("/portal/your-record").get_data(
        as_text=True
    )
    assert mine.get(f"/portal/entries/{theirs.id}/dispute").status_code == 404
    assert _drafts_kept() == 1, "still Olive's, for her next sign-in"


@pytest.mark.parametrize(
    "path",
    [
        f"/portal/entries/{BEYOND_ANY_ROW}/dispute",
        f"/portal/entries/{BEYOND_ANY_ROW}/dispute/check",
        f"/portal/disputes/{BEYOND_ANY_ROW}",
        f"/portal/end-requests/{BEYOND_ANY_ROW}",
        f"/portal/permissions/{BEYOND_ANY_ROW}/end",
    ],
)
def test_an_id_beyond_any_row_is_not_found_not_an_error(resident_client, path):
    assert resident_client.get(path).status_code == 404


@pytest.mark.parametrize("typed", ["\x00", "I was\x00 away", "\u202e\x00"])
def test_a_nul_typed_in_a_dispute_or_an_end_request_is_never_a_500(
    resident_client, resident, lpa, typed
):
    entry = factories.make_entry(resident)
    token = _token(resident_client)
    dispute = f"/portal/entries/{entry.id}/dispute"
    end = f"/portal/permissions/{lpa.id}/end"

    answers = [
        resident_client.post(
            dispute, data={"csrf_token": token, "reason": "hoax", "statement": typed}
        ),
        resident_client.get(dispute),
        resident_client.post(f"{dispute}/check", data={"csrf_token": token}),
        resident_client.post(end, data={"csrf_token": token, "note": typed}),
        resident_client.get(end),
        resident_client.post(f"{end}/check", data={"csrf_token": token}),
        resident_client.post("/portal", data={"csrf_token": token, "reference": typed}),
    ]

    assert [a.status_code for a in answers if a.status_code >= 500] == []


def test_a_body_larger_than_any_form_is_refused_before_it_is_read(client):
    token = csrf_token(client, "/portal")

    response = client.post(
        "/portal/timed-out", data={"csrf_token": token, "statement": "x" * (2 * 1024 * 1024)}
    )

    assert response.status_code == 413
