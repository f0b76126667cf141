"""Supervisors' pages for residents' requests to end a legal authority: the list, the request,
the decision; and what nobody else may do with them."""

import re

import pytest
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import AuditEvent, AuthorityEndRequest, OutboxMessage
from app.rules import authority_ends as rules
from app.rules.vocabulary import AuthorityEndStatus, PermissionKind, Role, ServiceArea
from app.services import authority_ends
from tests import factories
from tests.calls.conftest import CallDriver
from tests.calls.test_representatives import _representative_calls
from tests.helpers import count_rows, csrf_token, hidden_inputs, is_revoked

EVERY_CHECK = ["spoke-alone", "told-holder", "told-issuer"]


def _page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def _ask(resident, kind=PermissionKind.LPA_PROPERTY_FINANCIAL, note="Please ring after 6pm"):
    areas = frozenset({"adult-social-care"}) if kind is PermissionKind.LPA_HEALTH_WELFARE else None
    permission, _ = factories.make_permission(resident, kind=kind, areas=areas)
    return authority_ends.ask_to_end(permission, note, now=clock.now())


def _decide(client, request_id: int, **fields):
    path = f"/permissions/end-requests/{request_id}"
    data = {
        "csrf_token": csrf_token(client, "/"),
        "checks": EVERY_CHECK,
        "outcome": "ended",
        "reason": "Spoke to her alone; told Dana and the OPG",
        **fields,
    }
    return client.post(path, data={k: v for k, v in data.items() if v is not None})


def _status(request_id: int) -> AuthorityEndStatus:
    db.session.expire_all()
    return db.session.get(AuthorityEndRequest, request_id).status


def _listed(page: str) -> list[int]:
    return [int(n) for n in re.findall(r">Request (\d+)</a>", page)]


def test_the_list_shows_waiting_requests_oldest_first_a_page_at_a_time(
    signed_in_supervisor, resident
):
    asked = [_ask(resident) for _ in range(27)]
    decided = asked[0]
    authority_ends.decide(
        decided, AuthorityEndStatus.KEPT, rules.Checks(True, False, False), "Pressed to ask",
        factories.make_staff(Role.SUPERVISOR), now=clock.now(),
    )  # fmt: skip

    first = _page(signed_in_supervisor, "/permissions/end-requests")
    second = _page(signed_in_supervisor, "/permissions/end-requests?page=2")
    everything = _page(signed_in_supervisor, "/permissions/end-requests?status=")
    kept = _page(signed_in_supervisor, "/permissions/end-requests?status=kept")

    assert _listed(first) == [a.id for a in asked[1:26]]
    assert _listed(second) == [asked[26].id]
    assert "26 requests, the oldest first." in first
    assert "/permissions/end-requests?page=2" in first
    assert "27 requests, the oldest first." in everything
    assert _listed(kept) == [decided.id]


def test_an_empty_list_says_so(signed_in_supervisor):
    page = _page(signed_in_supervisor, "/permissions/end-requests")

    assert "No request is waiting for a decision." in page


def test_the_request_shows_the_permission_the_residents_words_and_the_checklist(
    signed_in_supervisor, resident
):
    asked = _ask(resident, kind=PermissionKind.DEPUTYSHIP, note="My daughter pressures me")

    page = _page(signed_in_supervisor, f"/permissions/end-requests/{asked.id}")

    assert "My daughter pressures me" in page
    assert "Deputyship" in page and "Dana Okafor" in page
    assert "07700 900456" in page  # to tell the holder
    assert "I spoke to the resident without the holder there" in page
    assert "I told the Court of Protection" in page
    assert re.search(r"<legend[^>]*>\s*What have you done\?", page)
    assert re.search(r"<legend[^>]*>\s*What have you decided\?", page)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "authority_end.viewed"))
    assert event.staff_id == signed_in_supervisor.user.id
    assert event.purpose == f"Deciding request {asked.id} to end a legal authority"


def test_a_supervisor_ends_it_on_the_page_and_it_ends_at_once(signed_in_supervisor, resident):
    asked = _ask(resident)

    response = _decide(signed_in_supervisor, asked.id)

    assert response.headers["Location"] == f"/permissions/end-requests/{asked.id}"
    page = _page(signed_in_supervisor, response.headers["Location"])
    assert "Decision recorded. The resident will be told by text" in page
    assert "Ended on the resident&#39;s request" in page
    assert 'name="outcome"' not in page
    assert is_revoked(asked.permission_id)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"checks": ["told-holder", "told-issuer"]}, "checks", rules.CHECK_SPOKE_ALONE),
        ({"checks": None}, "checks", rules.CHECK_SPOKE_ALONE),
        ({"checks": ["spoke-alone", "told-holder"]}, "checks", "Tell the Office of the Public"),
        ({"checks": ["anything"]}, "checks", "Select from the list"),
        ({"outcome": None}, "outcome", rules.SELECT_OUTCOME),
        ({"outcome": "waiting"}, "outcome", rules.SELECT_OUTCOME),
        ({"reason": "  "}, "reason", rules.ENTER_REASON),
        ({"reason": "x" * 1001}, "reason", rules.REASON_TOO_LONG),
    ],
    ids=[
        "not-spoken-to-alone",
        "no-checks",
        "issuer-not-told",
        "a-check-not-offered",
        "no-outcome",
        "waiting-is-not-an-outcome",
        "no-reason",
        "reason-too-long",
    ],
)
def test_an_incomplete_decision_is_shown_next_to_its_field_and_changes_nothing(
    signed_in_supervisor, resident, fields, field, message
):
    asked = _ask(resident)

    response = _decide(signed_in_supervisor, asked.id, **fields)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: Request" in page
    error = re.search(rf'id="{field}-error"[^>]*>(.*?)</p>', page, flags=re.S)
    assert error and message in error.group(1).replace("&#39;", "'")
    assert _status(asked.id) is AuthorityEndStatus.WAITING
    assert not is_revoked(asked.permission_id)
    assert count_rows(OutboxMessage) == 0


def test_keeping_it_needs_only_a_reason(signed_in_supervisor, resident):
    asked = _ask(resident)

    response = _decide(
        signed_in_supervisor, asked.id, checks=None, outcome="kept", reason="Pressed to ask"
    )

    assert response.status_code == 302
    assert _status(asked.id) is AuthorityEndStatus.KEPT
    assert not is_revoked(asked.permission_id)


def test_a_stale_form_after_another_supervisor_decided_is_told_and_changes_nothing(
    signed_in_client, resident
):
    asked = _ask(resident)
    first, second = signed_in_client(Role.SUPERVISOR), signed_in_client(Role.SUPERVISOR)
    stale = hidden_inputs(_page(second, f"/permissions/end-requests/{asked.id}"))
    _decide(first, asked.id, outcome="kept", checks=None, reason="Pressed to ask")

    response = second.post(
        f"/permissions/end-requests/{asked.id}",
        data={**stale, "checks": EVERY_CHECK, "outcome": "ended", "reason": "She asked"},
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert rules.ALREADY_DECIDED in page and "<title>Error: " in page
    assert _status(asked.id) is AuthorityEndStatus.KEPT
    assert not is_revoked(asked.permission_id)
    assert count_rows(OutboxMessage) == 1


@pytest.mark.parametrize("role", [Role.HANDLER, Role.ADMIN], ids=str)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/permissions/end-requests"),
        ("get", "/permissions/end-requests/{id}"),
        ("post", "/permissions/end-requests/{id}"),
    ],
    ids=["list", "request", "decide"],
)
def test_nobody_but_a_supervisor_sees_or_decides_them(
    signed_in_client, resident, role, method, path
):
    asked = _ask(resident)
    client = signed_in_client(role)

    response = getattr(client, method)(
        path.format(id=asked.id),
        data={
            "csrf_token": csrf_token(client, "/"),
            "checks": EVERY_CHECK,
            "outcome": "ended",
            "reason": "x",
        },
    )

    assert response.status_code == 403
    assert _status(asked.id) is AuthorityEndStatus.WAITING
    assert not is_revoked(asked.permission_id)


def test_an_unknown_request_is_not_found(signed_in_supervisor):
    assert signed_in_supervisor.get("/permissions/end-requests/999999").status_code == 404
    assert _decide(signed_in_supervisor, 999999).status_code == 404


def test_a_cookie_replayed_after_sign_out_decides_nothing(app, signed_in_supervisor, resident):
    asked = _ask(resident)
    path = f"/permissions/end-requests/{asked.id}"
    form = hidden_inputs(_page(signed_in_supervisor, path))
    copied = signed_in_supervisor.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    signed_in_supervisor.post("/logout", data={"csrf_token": csrf_token(signed_in_supervisor, "/")})
    replay = app.test_client()
    replay.set_cookie(app.config["SESSION_COOKIE_NAME"], copied)

    response = replay.post(
        path, data={**form, "checks": EVERY_CHECK, "outcome": "ended", "reason": "She asked"}
    )

    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert _status(asked.id) is AuthorityEndStatus.WAITING
    assert not is_revoked(asked.permission_id)


def test_ending_it_stops_disclosure_mid_call_at_the_next_request(
    signed_in_supervisor, signed_in_handler, resident
):
    factories.make_enquiry(resident, ServiceArea.COUNCIL_TAX.value, "Council tax band query")
    permission, passcode = factories.make_permission(resident)
    call = _representative_calls(CallDriver, signed_in_handler, resident, permission)
    call.post("/verify", {"rep-passcode": passcode})
    assert "Council tax band query" in call.record_fragment()
    asked = authority_ends.ask_to_end(permission, "", now=clock.now())

    _decide(signed_in_supervisor, asked.id)

    fragment = call.record_fragment()
    assert "Do not disclose: permission revoked on" in fragment
    assert "Council tax band query" not in fragment


def test_supervisors_are_pointed_to_them_and_administrators_never_linked(
    signed_in_client, resident
):
    _ask(resident)
    _ask(resident, kind=PermissionKind.DWP_APPOINTEE)
    supervisor, admin = signed_in_client(Role.SUPERVISOR), signed_in_client(Role.ADMIN)
    link = 'href="/permissions/end-requests"'

    console, dashboard, listed = (_page(supervisor, p) for p in ("/", "/dashboard", "/permissions"))
    admins = {path: _page(admin, path) for path in ("/", "/dashboard")}

    assert re.search(
        r"Requests to end a legal authority waiting for a decision\s*</dt>\s*<dd[^>]*>\s*2\s*<",
        console,
    )
    assert re.search(rf"{link}>2 requests from residents to end a legal authority", dashboard)
    assert link in console and link in listed
    assert "legal authority" not in admins["/"]
    assert "2 requests from residents to end a legal authority" in admins["/dashboard"]
    assert all(link not in page for page in admins.values())
    assert admin.get("/permissions").status_code == 403


def test_the_pages_are_never_cached_and_a_post_without_its_token_decides_nothing(
    signed_in_supervisor, resident
):
    asked = _ask(resident)
    path = f"/permissions/end-requests/{asked.id}"

    pages = [signed_in_supervisor.get(p) for p in ("/permissions/end-requests", path)]
    forged = signed_in_supervisor.post(
        path, data={"checks": EVERY_CHECK, "outcome": "ended", "reason": "Forged"}
    )

    assert all(page.headers["Cache-Control"] == "no-store" for page in pages)
    assert forged.status_code in (302, 400)
    assert _status(asked.id) is AuthorityEndStatus.WAITING
    assert not is_revoked(asked.permission_id)
