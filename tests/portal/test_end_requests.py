"""A resident asks us to end a legal authority from the portal, and what the portal never lets
them (or anyone else) do: end one with a tap, reach another resident's, or replay a cookie."""

import re

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import AuthorityEndRequest
from app.rules import authority_ends as rules
from app.rules.authority_ends import Checks
from app.rules.vocabulary import AuthorityEndStatus, PermissionKind, Role
from app.services import authority_ends
from tests import factories
from tests.helpers import count_rows, csrf_token, hidden_inputs, is_revoked


def _ask(client, permission_id: int, note: str = ""):
    """Ask, then send from the check page: the requests a browser makes."""
    path = f"/portal/permissions/{permission_id}/end"
    answered = client.post(path, data={"csrf_token": csrf_token(client, path), "note": note})
    assert answered.headers["Location"] == f"{path}/check"
    check = client.get(f"{path}/check").get_data(as_text=True)
    assert "Check your request" in check
    return client.post(f"{path}/check", data=hidden_inputs(check))


def test_a_legal_authority_offers_ask_us_to_end_and_consent_offers_take_away(
    resident_client, resident, lpa
):
    written, _ = factories.make_permission(
        resident, name="Chris Okafor", kind=PermissionKind.WRITTEN
    )

    page = resident_client.get("/portal/your-record").get_data(as_text=True)

    assert f'href="/portal/permissions/{lpa.id}/end"' in page
    assert f'href="/portal/permissions/{lpa.id}/revoke"' not in page
    assert f'href="/portal/permissions/{written.id}/revoke"' in page
    assert f'href="/portal/permissions/{written.id}/end"' not in page


def test_the_resident_asks_through_a_check_page_and_gets_a_reference(
    resident_client, resident, lpa
):
    path = f"/portal/permissions/{lpa.id}/end"
    explained = resident_client.get(path).get_data(as_text=True)
    assert "made under the law, not by the council" in explained
    assert "the Office of the Public Guardian" in explained
    assert "Until we decide, Dana Okafor can still speak to us for you" in explained

    sent = _ask(resident_client, lpa.id, "Please ring after 6pm")

    asked = db.session.scalar(select(AuthorityEndRequest))
    assert sent.headers["Location"] == f"/portal/end-requests/{asked.id}"
    confirmation = resident_client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "We have your request" in confirmation
    assert f"<strong>{asked.id}</strong>" in confirmation
    assert asked.resident_note == "Please ring after 6pm"
    assert not is_revoked(lpa.id)
    record = resident_client.get("/portal/your-record").get_data(as_text=True)
    assert f"Request {asked.id}</a>: you asked us to end this" in record
    assert f'href="/portal/permissions/{lpa.id}/end"' not in record


def test_nothing_typed_is_fine(resident_client, lpa):
    _ask(resident_client, lpa.id)

    assert db.session.scalar(select(AuthorityEndRequest.resident_note)) is None


def test_a_note_over_the_limit_is_shown_next_to_the_field(resident_client, lpa):
    path = f"/portal/permissions/{lpa.id}/end"

    response = resident_client.post(
        path, data={"csrf_token": csrf_token(resident_client, path), "note": "x" * 1001}
    )

    assert response.status_code == 302 and response.headers["Location"] == path
    page = resident_client.get(path).get_data(as_text=True)
    assert "<title>Error: Ask us to end" in page
    assert "x" * 1001 in page, "what was typed is shown again"
    assert re.search(r'id="note-error"[^>]*>\s*<span[^>]*>Error:</span>\s*What you tell us', page)
    assert count_rows(AuthorityEndRequest) == 0


def test_a_tampered_check_page_sends_the_resident_back_and_writes_nothing(resident_client, lpa):
    path = f"/portal/permissions/{lpa.id}/end"

    response = resident_client.post(
        f"{path}/check",
        data={"csrf_token": csrf_token(resident_client, path), "note": "x" * 1001},
    )

    assert response.headers["Location"] == path
    assert count_rows(AuthorityEndRequest) == 0


def test_sending_twice_makes_one_request(resident_client, lpa):
    path = f"/portal/permissions/{lpa.id}/end"
    resident_client.post(
        path, data={"csrf_token": csrf_token(resident_client, path), "note": "Once"}
    )
    check = resident_client.get(f"{path}/check").get_data(as_text=True)

    first = resident_client.post(f"{path}/check", data=hidden_inputs(check))
    second = resident_client.post(f"{path}/check", data=hidden_inputs(check))

    assert first.headers["Location"] == second.headers["Location"]
    assert count_rows(AuthorityEndRequest) == 1


def test_posting_the_immediate_take_away_for_an_lpa_ends_nothing(resident_client, lpa):
    path = f"/portal/permissions/{lpa.id}/revoke"

    shown = resident_client.get(path)
    posted = resident_client.post(
        path, data={"csrf_token": csrf_token(resident_client, "/portal/your-record")}
    )

    for response in (shown, posted):
        assert response.headers["Location"] == f"/portal/permissions/{lpa.id}/end"
    assert not is_revoked(lpa.id)
    assert count_rows(AuthorityEndRequest) == 0


def test_written_consent_is_not_asked_about_but_taken_away(resident_client, resident):
    written, _ = factories.make_permission(resident, kind=PermissionKind.WRITTEN)
    path = f"/portal/permissions/{written.id}/end"

    shown = resident_client.get(path)
    posted = resident_client.post(
        f"{path}/check",
        data={"csrf_token": csrf_token(resident_client, "/portal/your-record"), "note": ""},
    )

    for response in (shown, posted):
        assert response.headers["Location"] == f"/portal/permissions/{written.id}/revoke"
    assert count_rows(AuthorityEndRequest) == 0


def test_an_authority_already_ended_has_nothing_to_ask(resident_client, lpa):
    from app.services import permissions

    permissions.revoke(
        lpa, factories.make_staff(Role.SUPERVISOR), "Court order discharged", now=clock.now()
    )

    response = resident_client.get(f"/portal/permissions/{lpa.id}/end", follow_redirects=True)

    assert rules.ALREADY_ENDED in response.get_data(as_text=True)
    assert count_rows(AuthorityEndRequest) == 0


def test_the_resident_reads_the_outcome_but_never_the_supervisors_reason(
    resident_client, resident, lpa
):
    _ask(resident_client, lpa.id)
    asked = db.session.scalar(select(AuthorityEndRequest))
    authority_ends.decide(
        asked,
        AuthorityEndStatus.KEPT,
        Checks(True, False, False),
        "Her nephew was in the room pressing her",
        factories.make_staff(Role.SUPERVISOR),
        now=clock.now(),
    )

    page = resident_client.get(f"/portal/end-requests/{asked.id}").get_data(as_text=True)

    assert "Kept in force" in page
    assert "nephew" not in page


def test_another_residents_permission_and_request_are_not_found(resident_client, resident):
    neighbour = factories.make_resident(forename="Olive", surname="Tranter")
    theirs, _ = factories.make_permission(neighbour, name="Pat Tranter")
    their_request = authority_ends.ask_to_end(theirs, "Theirs", now=clock.now())
    token = csrf_token(resident_client, "/portal/your-record")
    attempts = [
        ("GET", f"/portal/permissions/{theirs.id}/end", None),
        ("POST", f"/portal/permissions/{theirs.id}/end", {"note": "x"}),
        ("POST", f"/portal/permissions/{theirs.id}/end/check", {"note": "x"}),
        ("GET", f"/portal/end-requests/{their_request.id}", None),
        ("GET", "/portal/end-requests/999999", None),
        ("POST", "/portal/permissions/999999/end/check", {"note": "x"}),
    ]

    for method, path, data in attempts:
        body = None if data is None else {"csrf_token": token, **data}
        response = resident_client.open(path, method=method, data=body)
        assert response.status_code == 404, (method, path)

    assert count_rows(AuthorityEndRequest) == 1
    assert not is_revoked(theirs.id)


def test_a_cookie_replayed_after_sign_out_asks_nothing(app, resident_client, lpa):
    path = f"/portal/permissions/{lpa.id}/end"
    resident_client.post(
        path, data={"csrf_token": csrf_token(resident_client, path), "note": "Mine"}
    )
    check = resident_client.get(f"{path}/check").get_data(as_text=True)
    copied = resident_client.get_cookie("cv_session").value
    resident_client.post(
        "/portal/sign-out", data={"csrf_token": csrf_token(resident_client, "/portal/your-record")}
    )
    replay = app.test_client()
    replay.set_cookie("cv_session", copied)

    response = replay.post(f"{path}/check", data=hidden_inputs(check))

    assert response.headers["Location"] == "/portal"
    assert count_rows(AuthorityEndRequest) == 0


def test_staff_are_sent_to_the_portals_sign_in(signed_in_supervisor, lpa):
    response = signed_in_supervisor.get(f"/portal/permissions/{lpa.id}/end")

    assert response.headers["Location"] == "/portal"


def test_the_pages_are_never_cached_and_a_post_without_its_token_writes_nothing(
    resident_client, lpa
):
    path = f"/portal/permissions/{lpa.id}/end"
    _ask(resident_client, lpa.id)
    asked = db.session.scalar(select(AuthorityEndRequest))
    other, _ = factories.make_permission(lpa.resident, name="Tom Reid")

    pages = [resident_client.get(p) for p in (path, f"/portal/end-requests/{asked.id}")]
    forged = resident_client.post(f"/portal/permissions/{other.id}/end/check", data={"note": "x"})

    assert all(page.headers["Cache-Control"] == "no-store" for page in pages)
    assert forged.status_code in (302, 400)
    assert count_rows(AuthorityEndRequest) == 1


def test_change_what_you_told_us_shows_it_again_and_back_after_sending_resends_nothing(
    resident_client, lpa
):
    path = f"/portal/permissions/{lpa.id}/end"
    resident_client.post(
        path, data={"csrf_token": csrf_token(resident_client, path), "note": "Ring after 6pm"}
    )

    changing = resident_client.get(path).get_data(as_text=True)
    sent = _ask(resident_client, lpa.id, "Ring after 7pm")
    back = resident_client.get(f"{path}/check")

    assert "Ring after 6pm</textarea>" in changing
    assert back.status_code == 302 and back.headers["Location"] == sent.headers["Location"]
    assert db.session.scalar(select(AuthorityEndRequest.resident_note)) == "Ring after 7pm"
    assert count_rows(AuthorityEndRequest) == 1
