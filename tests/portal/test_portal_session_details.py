"""A portal session rests on the date of birth and the number the code went to: when either
changes or leaves the resident's record, by whatever path, the session ends at the next
request and the resident is asked to sign in again."""

from datetime import date

import pytest
from sqlalchemy import delete, insert, select, update

from app.extensions import db
from app.models import AuditEvent, PortalSession, PortalSessionStatus, Resident, ResidentPhone
from tests.portal.helpers import portal_sign_in

SIGNED_OUT = "You have been signed out because the details we use to check it is you have changed"


def change_date_of_birth(resident) -> None:
    db.session.execute(
        update(Resident).where(Resident.id == resident.id).values(date_of_birth=date(1948, 3, 15))
    )


def change_the_number(resident) -> None:
    db.session.execute(
        update(ResidentPhone)
        .where(ResidentPhone.resident_id == resident.id)
        .values(number="+447700900999")
    )


def remove_the_number(resident) -> None:
    db.session.execute(delete(ResidentPhone).where(ResidentPhone.resident_id == resident.id))


def move_the_number_to_someone_else(resident) -> None:
    from tests import factories

    other = factories.make_resident(phones=["+447700900555"])
    db.session.execute(
        update(ResidentPhone)
        .where(ResidentPhone.resident_id == resident.id)
        .values(resident_id=other.id)
    )


@pytest.mark.parametrize(
    "change",
    [change_date_of_birth, change_the_number, remove_the_number, move_the_number_to_someone_else],
    ids=["date-of-birth-changed", "number-changed", "number-removed", "number-moved-to-another"],
)
def test_the_session_ends_when_what_it_was_signed_in_with_changes(client, resident, change):
    portal_sign_in(client, resident)
    assert client.get("/portal/your-record").status_code == 200

    change(resident)
    db.session.commit()
    response = client.get("/portal/your-record")
    landing = client.get(response.headers["Location"])

    assert response.headers["Location"] == "/portal"
    page = landing.get_data(as_text=True)
    assert SIGNED_OUT in page
    assert "Sign in to see your council record" in page
    assert db.session.scalar(select(PortalSession.status)) is PortalSessionStatus.ENDED
    assert db.session.scalar(
        select(AuditEvent.id).where(AuditEvent.action == "portal.signed_out_details_changed")
    )


def test_a_copied_cookie_opens_nothing_once_the_details_changed_even_if_changed_back(
    app, client, resident
):
    portal_sign_in(client, resident)
    copied = client.get_cookie("cv_session").value
    change_date_of_birth(resident)
    db.session.commit()
    client.get("/portal/your-record")

    db.session.execute(
        update(Resident).where(Resident.id == resident.id).values(date_of_birth=date(1948, 3, 14))
    )
    db.session.commit()
    replay = app.test_client()
    replay.set_cookie("cv_session", copied)

    assert replay.get("/portal/your-record").headers["Location"] == "/portal"


@pytest.mark.parametrize(
    "change",
    [
        lambda resident: db.session.execute(
            insert(ResidentPhone).values(
                resident_id=resident.id, number="+447700900777", label="mobile"
            )
        ),
        lambda resident: db.session.execute(
            update(Resident).where(Resident.id == resident.id).values(postcode="LE2 1AA")
        ),
        lambda resident: db.session.execute(
            update(ResidentPhone)
            .where(ResidentPhone.resident_id == resident.id)
            .values(label="home")
        ),
    ],
    ids=["another-number-added", "address-changed", "the-number-relabelled"],
)
def test_other_changes_to_the_record_leave_the_resident_signed_in(client, resident, change):
    portal_sign_in(client, resident)

    change(resident)
    db.session.commit()

    assert client.get("/portal/your-record").status_code == 200


def test_a_session_from_before_the_fingerprint_was_kept_is_asked_to_sign_in_again(client, resident):
    portal_sign_in(client, resident)
    with client.session_transaction() as session:
        del session["signed_in_with"]

    response = client.get("/portal/your-record")

    assert response.headers["Location"] == "/portal"


def test_the_session_cookie_carries_neither_the_date_of_birth_nor_the_number(client, resident):
    portal_sign_in(client, resident)

    with client.session_transaction() as session:
        stored = repr(dict(session))

    for clue in ("1948", "14/03", "03-14", "447700900123", "900123"):
        assert clue not in stored
