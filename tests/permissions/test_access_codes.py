"""LPA access codes are masked on every page until revealed with a reason, as any hidden
detail; and every page that shows a holder's contact details is audited (docs/rules.md rule 7)."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent
from app.rules.vocabulary import PermissionKind, Role
from app.services import reveals
from tests import factories
from tests.helpers import audit_events, csrf_token
from tests.permissions.data import FORM, evidence

CODE = "V-ABCD-1234-EFGH"
REASON = "Checking the LPA on the OPG service"


def _never_shown() -> list[str]:
    return [CODE, "ABCD-1234-EFGH", "VABCD1234EFGH", "ABCD1234EFGH"]


def _reveal(client, resident_id, permission_id, reason=REASON, *, htmx=False, token=None):
    prefix = f"access-code-{permission_id}"
    form = {
        f"{prefix}-csrf_token": csrf_token(client, "/") if token is None else token,
        f"{prefix}-reason": reason,
    }
    headers = {"HX-Request": "true"} if htmx else {}
    path = f"/residents/{resident_id}/permissions/{permission_id}/reveal-access-code"
    return client.post(path, data=form, headers=headers)


def _open_permissions(client, resident) -> str:
    return client.get(f"/residents/{resident.id}/permissions").get_data(as_text=True)


def test_the_access_code_is_masked_on_the_residents_permissions(
    signed_in_supervisor, grant_written, resident
):
    permission = grant_written().permission

    page = _open_permissions(signed_in_supervisor, resident)

    for shown in _never_shown():
        assert shown not in page, shown
    assert f'id="access-code-{permission.id}"' in page
    assert "Reveal the LPA access code" in page
    assert f'name="access-code-{permission.id}-reason"' in page


def test_the_access_code_is_masked_on_the_recorded_permission_page(
    signed_in_supervisor, grant_written
):
    permission = grant_written().permission

    page = signed_in_supervisor.get(f"/permissions/{permission.id}/recorded").get_data(as_text=True)

    assert not any(shown in page for shown in _never_shown())
    assert "Reveal the LPA access code" in page


def test_the_access_code_is_masked_right_after_it_is_recorded(signed_in_supervisor, resident):
    path = f"/residents/{resident.id}/permissions/new"

    response = signed_in_supervisor.post(
        path, data={"csrf_token": csrf_token(signed_in_supervisor, path), **FORM}
    )

    page = response.get_data(as_text=True)
    assert "Permission recorded" in page
    assert not any(shown in page for shown in _never_shown())


def test_permission_pages_never_show_the_residents_full_reference(
    signed_in_supervisor, grant_written, resident
):
    grant_written()

    pages = [
        _open_permissions(signed_in_supervisor, resident),
        signed_in_supervisor.get(f"/residents/{resident.id}/permissions/new").get_data(
            as_text=True
        ),
    ]

    for page in pages:
        assert resident.reference not in page
        assert f"record ending {resident.reference[-3:]}" in page


def test_revealing_the_access_code_shows_it_and_audits_it_without_the_code(
    signed_in_supervisor, grant_written, resident
):
    permission = grant_written().permission
    _open_permissions(signed_in_supervisor, resident)

    response = _reveal(signed_in_supervisor, resident.id, permission.id)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert CODE in page
    [event] = audit_events(reveals.REVEALED)
    assert (event.staff_id, event.resident_id) == (signed_in_supervisor.user.id, resident.id)
    assert event.purpose == REASON
    assert event.detail == {"field": "lpa-access-code", "permission": permission.id}
    stored = " ".join(str(e.detail) for e in db.session.scalars(select(AuditEvent)))
    assert not any(shown in stored for shown in _never_shown())
    with signed_in_supervisor.session_transaction() as session:
        assert not any(shown in str(dict(session)) for shown in _never_shown())


def test_revealing_the_access_code_in_place_answers_with_its_row(
    signed_in_supervisor, grant_written, resident
):
    permission = grant_written().permission
    _open_permissions(signed_in_supervisor, resident)

    response = _reveal(signed_in_supervisor, resident.id, permission.id, htmx=True)

    fragment = response.get_data(as_text=True)
    assert "<html" not in fragment
    assert f'id="access-code-{permission.id}"' in fragment
    assert CODE in fragment


def test_a_reveal_without_a_reason_shows_the_error_and_not_the_code(
    signed_in_supervisor, grant_written, resident
):
    permission = grant_written().permission
    _open_permissions(signed_in_supervisor, resident)

    response = _reveal(signed_in_supervisor, resident.id, permission.id, "short")

    page = response.get_data(as_text=True)
    assert "<title>Error: " in page
    assert "Enter why you need to see the LPA access code, in at least 10 characters" in page
    assert f'href="#access-code-{permission.id}-reason"' in page
    assert CODE not in page
    assert audit_events(reveals.REVEALED) == []


def test_a_permission_of_another_resident_is_not_found(
    signed_in_supervisor, grant_written, resident
):
    permission = grant_written().permission
    other = factories.make_resident(forename="Neil", surname="Barker")
    _open_permissions(signed_in_supervisor, resident)
    _open_permissions(signed_in_supervisor, other)

    response = _reveal(signed_in_supervisor, other.id, permission.id)

    assert response.status_code == 404
    assert CODE not in response.get_data(as_text=True)
    assert audit_events(reveals.REVEALED) == []


@pytest.mark.parametrize("permission_id", ["no-code", 999999], ids=["without-a-code", "unknown"])
def test_a_code_the_page_never_offers_is_not_found(
    signed_in_supervisor, grant_written, resident, permission_id
):
    if permission_id == "no-code":
        permission_id = grant_written(
            evidence_=evidence(kind=PermissionKind.WRITTEN, lpa_access_code=None)
        ).permission.id
    _open_permissions(signed_in_supervisor, resident)

    response = _reveal(signed_in_supervisor, resident.id, permission_id)

    assert response.status_code == 404
    assert audit_events(reveals.REVEALED) == []


def test_handlers_cannot_reveal_an_access_code(signed_in_handler, grant_written, resident):
    permission = grant_written().permission

    response = _reveal(signed_in_handler, resident.id, permission.id)

    assert response.status_code == 403
    assert CODE not in response.get_data(as_text=True)
    assert audit_events(reveals.REVEALED) == []


def test_a_code_is_revealed_only_after_opening_the_residents_permissions_today(
    signed_in_client, grant_written, resident
):
    permission = grant_written().permission
    supervisor = signed_in_client(Role.SUPERVISOR)

    response = _reveal(supervisor, resident.id, permission.id)

    assert response.status_code == 403
    assert CODE not in response.get_data(as_text=True)
    [refused] = audit_events(reveals.REFUSED)
    assert refused.detail["refusal"] == "record-not-opened"
    assert refused.detail["permission"] == permission.id


@pytest.mark.parametrize("token", ["", "stale"], ids=["missing", "from-another-session"])
def test_a_reveal_without_this_sessions_csrf_token_reveals_nothing(
    signed_in_client, grant_written, resident, token
):
    permission = grant_written().permission
    supervisor = signed_in_client(Role.SUPERVISOR)
    _open_permissions(supervisor, resident)
    if token == "stale":
        token = csrf_token(signed_in_client(Role.SUPERVISOR), "/")

    response = _reveal(supervisor, resident.id, permission.id, token=token)

    assert response.status_code in (302, 400)
    assert CODE not in response.get_data(as_text=True)
    assert audit_events(reveals.REVEALED) == []


def test_access_codes_share_the_daily_limit_with_residents_details(
    app, signed_in_supervisor, grant_written, resident, monkeypatch
):
    monkeypatch.setitem(app.config, "REVEALS_PER_DAY", 1)
    permission = grant_written().permission
    token = csrf_token(signed_in_supervisor, "/")
    signed_in_supervisor.post(
        f"/residents/{resident.id}",
        data={"csrf_token": token, "reason": "Investigating complaint C-1042"},
    )
    signed_in_supervisor.post(
        f"/residents/{resident.id}/reveal/postcode",
        data={"postcode-csrf_token": token, "postcode-reason": REASON},
    )
    _open_permissions(signed_in_supervisor, resident)

    response = _reveal(signed_in_supervisor, resident.id, permission.id)

    page = response.get_data(as_text=True)
    assert "you have already revealed 1 hidden detail today" in page
    assert CODE not in page
    [refused] = audit_events(reveals.REFUSED)
    assert refused.detail["refusal"] == "daily-limit"


def test_viewing_a_recorded_permission_is_audited(signed_in_supervisor, grant_written, resident):
    permission = grant_written().permission

    signed_in_supervisor.get(f"/permissions/{permission.id}/recorded")

    [event] = audit_events("permission.viewed")
    assert event.staff_id == signed_in_supervisor.user.id
    assert event.resident_id == resident.id
    assert event.detail["permissions"] == [permission.id]
