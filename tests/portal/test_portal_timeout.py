"""The portal's idle limit: "Stay signed in" moves it on, and a dispute being written when it
runs out is kept for the resident's next sign-in, and for nobody else."""

from datetime import timedelta

from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.models import AuditEvent, PortalSession
from app.services import portal
from tests import factories
from tests.helpers import csrf_token
from tests.portal.helpers import portal_sign_in

STATEMENT = "I was away that week"


def _stay(client):
    token = csrf_token(client, "/portal/your-record")
    return client.post("/portal/stay-signed-in", data={"csrf_token": token})


def _drafts_kept() -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(PortalSession)
        .where(PortalSession.dispute_draft.is_not(None))
    )


def _time_out(client, **fields):
    token = csrf_token(client, "/portal/your-record")
    return client.post("/portal/timed-out", data={"csrf_token": token, **fields})


def test_the_record_page_carries_the_timeout_warning_with_the_idle_limit(app, client, resident):
    portal_sign_in(client, resident)

    page = client.get("/portal/your-record").get_data(as_text=True)

    idle = int(app.config["PORTAL_IDLE_LIFETIME"].total_seconds())
    assert f'data-idle-seconds="{idle}"' in page
    assert 'aria-live="polite"' in page
    assert "Stay signed in" in page
    assert "portal_timeout.js" in page


def test_the_sign_in_page_has_no_timeout_warning(client):
    assert "app-timeout" not in client.get("/portal").get_data(as_text=True)


def test_stay_signed_in_moves_the_idle_limit_on(app, client, resident):
    portal_sign_in(client, resident)
    start = clock.now()
    idle = app.config["PORTAL_IDLE_LIFETIME"]
    clock.set_now(start + idle - timedelta(minutes=1))

    stayed = _stay(client)
    clock.set_now(start + idle + timedelta(minutes=1))

    assert stayed.status_code == 204
    assert client.get("/portal/your-record").status_code == 200


def test_stay_signed_in_without_the_token_is_refused(client, resident):
    portal_sign_in(client, resident)

    response = client.post("/portal/stay-signed-in", data={})

    assert response.status_code != 204


def test_stay_signed_in_after_the_limit_signs_nobody_in(app, client, resident):
    portal_sign_in(client, resident)
    clock.set_now(clock.now() + app.config["PORTAL_IDLE_LIFETIME"] + timedelta(seconds=1))

    response = client.post("/portal/stay-signed-in", data={})

    assert response.status_code == 302
    assert client.get("/portal/your-record").headers["Location"] == "/portal"


def test_timing_out_keeps_the_dispute_being_written_for_the_next_sign_in(app, client, resident):
    entry = factories.make_entry(resident)
    portal_sign_in(client, resident)

    timed_out = _time_out(client, entry=str(entry.id), reason="hoax", statement=STATEMENT)

    assert timed_out.headers["Location"] == "/portal"
    told = client.get("/portal").get_data(as_text=True)
    assert "We signed you out because there was no activity for 15 minutes" in told
    assert "we kept what you were writing" in told
    assert client.get("/portal/your-record").headers["Location"] == "/portal"
    assert db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "portal.signed_out_idle")
    )
    again = portal_sign_in(app.test_client(), resident)
    record = again.get("/portal/your-record").get_data(as_text=True)
    assert "Carry on with your dispute" in record
    form = again.get(f"/portal/entries/{entry.id}/dispute").get_data(as_text=True)
    assert f"{STATEMENT}</textarea>" in form
    kept = db.session.scalars(
        select(PortalSession.dispute_draft).where(PortalSession.dispute_draft.is_not(None))
    ).all()
    assert len(kept) == 1, "the draft moves to the new sign-in; the old one keeps no copy"


def test_signing_out_on_purpose_keeps_no_draft(app, client, resident):
    entry = factories.make_entry(resident)
    portal_sign_in(client, resident)
    path = f"/portal/entries/{entry.id}/dispute"
    client.post(
        path,
        data={"csrf_token": csrf_token(client, path), "reason": "hoax", "statement": STATEMENT},
    )

    client.post("/portal/sign-out", data={"csrf_token": csrf_token(client, "/portal/your-record")})

    again = portal_sign_in(app.test_client(), resident)
    assert STATEMENT not in again.get(path).get_data(as_text=True)
    assert "Carry on with your dispute" not in again.get("/portal/your-record").get_data(
        as_text=True
    )


def test_a_draft_older_than_a_day_is_not_handed_on(app, client, resident):
    entry = factories.make_entry(resident)
    portal_sign_in(client, resident)
    _time_out(client, entry=str(entry.id), reason="hoax", statement=STATEMENT)
    clock.set_now(clock.now() + portal.DRAFT_KEPT_FOR + timedelta(minutes=1))

    again = portal_sign_in(app.test_client(), resident)

    assert STATEMENT not in again.get(f"/portal/entries/{entry.id}/dispute").get_data(as_text=True)
    assert _drafts_kept() == 0


def test_a_draft_about_another_residents_entry_is_never_kept(app, client, resident):
    neighbour = factories.make_resident(forename="Olive", phones=["+447700900777"])
    theirs = factories.make_entry(neighbour)
    portal_sign_in(client, resident)

    timed_out = _time_out(client, entry=str(theirs.id), reason="hoax", statement=STATEMENT)

    assert timed_out.headers["Location"] == "/portal"
    assert "we kept what you were writing" not in client.get("/portal").get_data(as_text=True)
    assert _drafts_kept() == 0


def test_another_residents_sign_in_never_gets_the_draft(app, client, resident):
    neighbour = factories.make_resident(forename="Olive", phones=["+447700900777"])
    entry = factories.make_entry(resident)
    portal_sign_in(client, resident)
    _time_out(client, entry=str(entry.id), reason="hoax", statement=STATEMENT)

    other = portal_sign_in(app.test_client(), neighbour)

    assert "Carry on with your dispute" not in other.get("/portal/your-record").get_data(
        as_text=True
    )
