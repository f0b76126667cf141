"""Administrators create, change and deactivate staff accounts; nobody else may."""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import StaffUser
from app.rules import staff_accounts as rules
from app.rules.vocabulary import Role, ServiceArea
from tests import factories
from tests.admin.helpers import actions, events, post, text
from tests.helpers import csrf_token, sign_in

NEW_SUPERVISOR = {
    "name": "Priya Supervisor",
    "email": "Priya.S@example.org",
    "role": "supervisor",
    "areas": ["housing", "benefits"],
    "may_see_sensitive": "y",
}


def _user(user_id: int) -> StaffUser:
    db.session.expire_all()
    return db.session.get(StaffUser, user_id)


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(StaffUser))


def _edit_values(user: StaffUser, **changes) -> dict:
    values = {
        "name": user.name,
        "email": user.email,
        "role": user.role.value,
        "areas": sorted(user.area_codes),
    }
    if user.may_see_sensitive:
        values["may_see_sensitive"] = "y"
    values.update(changes)
    return values


# --- who may ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.HANDLER, Role.SUPERVISOR])
def test_staff_pages_are_refused_to_supervisors_and_handlers(signed_in_client, role):
    client = signed_in_client(role)
    admin = factories.make_staff(Role.ADMIN)
    token = csrf_token(client, "/")

    pages = ["/admin/staff", "/admin/staff/new", f"/admin/staff/{admin.id}",
             f"/admin/staff/{admin.id}/edit", f"/admin/staff/{admin.id}/deactivate",
             f"/admin/staff/{admin.id}/password-link",
             f"/admin/staff/{admin.id}/reset-two-factor"]  # fmt: skip
    answers = [client.get(path).status_code for path in pages]
    posted = client.post(
        f"/admin/staff/{admin.id}/edit",
        data={**_edit_values(admin, role="handler", areas=["housing"]), "csrf_token": token},
    )
    deactivated = client.post(f"/admin/staff/{admin.id}/deactivate", data={"csrf_token": token})

    assert answers == [403] * len(pages)
    assert posted.status_code == 403 and deactivated.status_code == 403
    assert _user(admin.id).role is Role.ADMIN and _user(admin.id).active
    assert actions("staff.updated") == actions("staff.deactivated") == []


def test_the_staff_menu_item_is_shown_to_administrators_only(signed_in_client):
    assert 'href="/admin/staff"' in text(signed_in_client(Role.ADMIN).get("/"))
    assert 'href="/admin/staff"' not in text(signed_in_client(Role.SUPERVISOR).get("/"))


# --- the list --------------------------------------------------------------------------


def test_the_list_shows_every_account_a_page_at_a_time(signed_in_admin):
    for n in range(30):
        factories.make_staff(name=f"Listed Person {n:02d}")

    first = text(signed_in_admin.get("/admin/staff"))
    second = text(signed_in_admin.get("/admin/staff?page=2"))

    assert "31 accounts, active first" in first
    assert first.count('href="/admin/staff/') - first.count('href="/admin/staff/new') == 25
    assert "Listed Person 29" in second
    assert signed_in_admin.get("/admin/staff?page=3").status_code == 404


def test_a_search_by_part_of_a_name_or_email_is_posted_and_finds_them(signed_in_admin):
    factories.make_staff(name="Oluwaseun Adeyemi", email="o.adeyemi@example.org")
    factories.make_staff(name="Someone Else")

    by_name = post(signed_in_admin, "/admin/staff", {"q": "adeye"})
    by_email = post(signed_in_admin, "/admin/staff", {"q": "O.ADEYEMI@"})
    underscore = factories.make_staff(name="Underscore Person", email="first_last@example.org")
    literal = post(signed_in_admin, "/admin/staff", {"q": "first_last"})
    wildcard = post(signed_in_admin, "/admin/staff", {"q": "first%last"})
    nothing = post(signed_in_admin, "/admin/staff", {"q": "zzz%"})
    empty = post(signed_in_admin, "/admin/staff", {"q": "  "})

    assert "Oluwaseun Adeyemi" in text(by_name) and "Someone Else" not in text(by_name)
    assert "1 account found" in text(by_email)
    assert underscore.name in text(literal)
    assert "No accounts match your search" in text(wildcard)
    assert "No accounts match your search" in text(nothing)
    assert "Enter a name or email address to search for" in text(empty)
    assert "<title>Error: Staff" in text(empty)


# --- create ----------------------------------------------------------------------------


def test_an_administrator_creates_a_supervisor_with_no_password(signed_in_admin):
    response = post(signed_in_admin, "/admin/staff/new", NEW_SUPERVISOR)

    created = db.session.scalar(select(StaffUser).where(StaffUser.email == "priya.s@example.org"))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/staff/{created.id}"
    assert created.role is Role.SUPERVISOR
    assert created.area_codes == {"housing", "benefits"}
    assert created.may_see_sensitive and created.active
    assert created.password_hash == ""
    page = text(signed_in_admin.get(response.headers["Location"]))
    assert "Priya Supervisor" in page and "Not set yet" in page
    [event] = events("staff.created")
    assert event.staff_id == signed_in_admin.user.id
    assert event.detail["target_staff_id"] == created.id
    assert event.detail["role"] == "supervisor"


def test_an_account_with_no_password_cannot_sign_in(client, signed_in_admin):
    post(signed_in_admin, "/admin/staff/new", NEW_SUPERVISOR)
    created = db.session.scalar(select(StaffUser).where(StaffUser.email == "priya.s@example.org"))

    assert sign_in(client, created, password="").status_code == 200
    assert sign_in(client, created, password="anything at all").status_code == 200


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, rules.ENTER_NAME),
        ({"email": ""}, rules.ENTER_EMAIL),
        ({"email": "not an email"}, rules.EMAIL_FORMAT),
        ({"role": ""}, rules.SELECT_ROLE),
        ({"role": "superuser"}, "Not a valid choice"),
        ({"role": "handler", "areas": []}, rules.SELECT_AREA),
        ({"areas": ["housing", "secret-service"]}, "Select service areas from the list"),
        ({"name": "x" * 201}, "Full name must be 200 characters or fewer"),
    ],
    ids=[
        "no-name",
        "no-email",
        "bad-email",
        "no-role",
        "role-not-offered",
        "handler-no-area",
        "area-not-offered",
        "long-name",
    ],
)
def test_what_is_wrong_is_said_next_to_the_field_and_nothing_is_saved(
    signed_in_admin, changes, message
):
    before = _count()

    response = post(signed_in_admin, "/admin/staff/new", {**NEW_SUPERVISOR, **changes})

    page = text(response)
    assert response.status_code == 200
    assert "<title>Error: Add a member of staff" in page
    assert "There is a problem" in page
    assert message in page
    assert _count() == before
    assert actions("staff.created") == []


def test_an_email_already_used_is_refused_whatever_its_case(signed_in_admin):
    factories.make_staff(email="taken@example.org")
    before = _count()

    response = post(
        signed_in_admin, "/admin/staff/new", {**NEW_SUPERVISOR, "email": "TAKEN@example.org"}
    )

    assert rules.EMAIL_TAKEN in text(response)
    assert _count() == before


# --- change ----------------------------------------------------------------------------


def test_a_change_of_role_is_saved_audited_and_ends_their_sessions(app, signed_in_admin):
    handler = factories.make_staff(Role.HANDLER)
    theirs = app.test_client()
    sign_in(theirs, handler)

    response = post(
        signed_in_admin,
        f"/admin/staff/{handler.id}/edit",
        _edit_values(handler, role="supervisor", name="Harriet Promoted"),
    )

    assert response.headers["Location"] == f"/admin/staff/{handler.id}"
    changed = _user(handler.id)
    assert changed.role is Role.SUPERVISOR and changed.name == "Harriet Promoted"
    assert theirs.get("/").status_code == 302
    [event] = events("staff.updated")
    assert event.detail["changed"] == ["name", "role"]
    assert event.detail["role"] == "supervisor"
    assert "Harriet" not in str(event.detail)


def test_the_edit_form_shows_what_is_set_now(signed_in_admin):
    user = factories.make_staff(Role.SUPERVISOR, area_codes=["waste"], may_see_sensitive=True)

    page = text(signed_in_admin.get(f"/admin/staff/{user.id}/edit"))

    assert f'value="{user.email}"' in page
    assert 'value="supervisor" checked' in page
    assert 'value="waste" checked' in page
    assert 'value="housing" checked' not in page


def test_saving_with_no_change_records_nothing(signed_in_admin):
    user = factories.make_staff(Role.HANDLER)

    post(signed_in_admin, f"/admin/staff/{user.id}/edit", _edit_values(user))

    assert actions("staff.updated") == []


def test_an_administrator_cannot_change_their_own_role(signed_in_admin):
    me = signed_in_admin.user
    factories.make_staff(Role.ADMIN)  # another administrator: not the last

    response = post(
        signed_in_admin, f"/admin/staff/{me.id}/edit", _edit_values(me, role="supervisor")
    )

    assert rules.NOT_YOUR_OWN_ROLE in text(response)
    assert _user(me.id).role is Role.ADMIN


def test_an_administrator_may_change_their_own_name(signed_in_admin):
    me = signed_in_admin.user

    post(signed_in_admin, f"/admin/staff/{me.id}/edit", _edit_values(me, name="New Name"))

    assert _user(me.id).name == "New Name"


def test_an_administrator_may_demote_another_administrator(signed_in_admin):
    other = factories.make_staff(Role.ADMIN)

    post(signed_in_admin, f"/admin/staff/{other.id}/edit", _edit_values(other, role="supervisor"))

    assert _user(other.id).role is Role.SUPERVISOR


def test_editing_an_account_that_does_not_exist_is_not_found(signed_in_admin):
    response = post(
        signed_in_admin, "/admin/staff/99999/edit", {**NEW_SUPERVISOR}, page="/admin/staff/new"
    )

    assert response.status_code == 404


def test_a_post_without_its_csrf_token_changes_nothing(signed_in_admin):
    user = factories.make_staff(Role.HANDLER)

    signed_in_admin.post(f"/admin/staff/{user.id}/edit", data=_edit_values(user, role="admin"))
    signed_in_admin.post(f"/admin/staff/{user.id}/deactivate", data={})

    assert _user(user.id).role is Role.HANDLER and _user(user.id).active


def test_a_stale_csrf_token_from_an_earlier_session_changes_nothing(app, signed_in_admin):
    user = factories.make_staff(Role.HANDLER)
    stale = csrf_token(signed_in_admin, "/")
    other_admin = app.test_client()
    sign_in(other_admin, signed_in_admin.user)  # a new sign-in: the old session ends

    response = other_admin.post(f"/admin/staff/{user.id}/deactivate", data={"csrf_token": stale})

    assert _user(user.id).active
    assert response.status_code == 302


# --- deactivate --------------------------------------------------------------------------


def test_deactivation_asks_first_then_ends_their_open_session_at_once(app, signed_in_admin):
    handler = factories.make_staff(Role.HANDLER)
    theirs = app.test_client()
    sign_in(theirs, handler)
    assert theirs.get("/calls").status_code == 200

    asked = signed_in_admin.get(f"/admin/staff/{handler.id}/deactivate")
    assert "They will be signed out at once" in text(asked)
    assert _user(handler.id).active  # asking changed nothing until confirmed

    done = post(signed_in_admin, f"/admin/staff/{handler.id}/deactivate")

    assert done.headers["Location"] == f"/admin/staff/{handler.id}"
    assert not _user(handler.id).active
    refused = theirs.get("/calls")
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/login")
    assert sign_in(app.test_client(), handler).status_code == 200  # and cannot sign in again
    [event] = events("staff.deactivated")
    assert event.staff_id == signed_in_admin.user.id
    assert event.detail["target_staff_id"] == handler.id


def test_a_deactivated_accounts_copied_cookie_opens_nothing(app, signed_in_admin):
    handler = factories.make_staff(Role.HANDLER)
    theirs = app.test_client()
    sign_in(theirs, handler)
    cookie = theirs.get_cookie(app.config["SESSION_COOKIE_NAME"]).value

    post(signed_in_admin, f"/admin/staff/{handler.id}/deactivate")
    copy = app.test_client()
    copy.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)

    assert copy.get("/calls").status_code == 302


NOT_ACTIVE = (
    "Your account is not active. Ask an administrator of this service to reactivate it if you "
    "still need it"
)


def test_a_deactivated_member_of_staff_is_told_why_they_were_signed_out_and_whom_to_ask(
    app, signed_in_admin
):
    handler = factories.make_staff(Role.HANDLER)
    theirs = app.test_client()
    sign_in(theirs, handler)

    post(signed_in_admin, f"/admin/staff/{handler.id}/deactivate")
    page = text(theirs.get("/calls", follow_redirects=True))

    assert "You have been signed out: an administrator deactivated your account" in page
    assert "Ask an administrator of this service to reactivate it if you still need it" in page


def test_a_deactivated_account_is_told_it_is_not_active_only_after_its_right_password(
    app, signed_in_admin
):
    handler = factories.make_staff(Role.HANDLER)
    post(signed_in_admin, f"/admin/staff/{handler.id}/deactivate")

    right = text(sign_in(app.test_client(), handler))
    wrong = text(sign_in(app.test_client(), handler, password="not-the-password"))
    nobody = app.test_client()
    unknown = nobody.post(
        "/login",
        data={
            "email": "nobody@example.org",
            "password": factories.PASSWORD,
            "csrf_token": csrf_token(nobody, "/login"),
        },
    )

    assert NOT_ACTIVE in right
    assert "Enter a correct email address and password" not in right
    for refused in (wrong, text(unknown)):
        assert "Enter a correct email address and password" in refused
        assert "not active" not in refused
    assert [event.detail["reason"] for event in events("staff.sign_in_failed")] == [
        "inactive",
        "wrong credentials",
        "wrong credentials",
    ]


def test_a_deactivated_supervisor_is_told_before_any_second_factor(app, signed_in_admin):
    supervisor = factories.make_staff(Role.SUPERVISOR)
    post(signed_in_admin, f"/admin/staff/{supervisor.id}/deactivate")
    client = app.test_client()

    response = sign_in(client, supervisor)

    assert response.status_code == 200 and NOT_ACTIVE in text(response)
    assert client.get("/login/code").status_code == 302  # no second step was started


def test_an_administrator_cannot_deactivate_themselves(signed_in_admin):
    me = signed_in_admin.user
    factories.make_staff(Role.ADMIN)

    page = text(signed_in_admin.get(f"/admin/staff/{me.id}"))
    response = post(signed_in_admin, f"/admin/staff/{me.id}/deactivate")

    assert "Deactivate account" not in page
    assert rules.NOT_YOURSELF in text(response)
    assert _user(me.id).active
    assert signed_in_admin.get("/").status_code == 200


def test_a_deactivated_account_can_be_reactivated(signed_in_admin):
    handler = factories.make_staff(Role.HANDLER)
    post(signed_in_admin, f"/admin/staff/{handler.id}/deactivate")

    post(
        signed_in_admin, f"/admin/staff/{handler.id}/reactivate", page=f"/admin/staff/{handler.id}"
    )

    assert _user(handler.id).active
    assert actions()[-1] == "staff.reactivated"


# --- reset two-factor sign-in ----------------------------------------------------------


def test_an_administrator_resets_someones_two_factor_sign_in(app, signed_in_admin):
    supervisor = factories.make_staff(Role.SUPERVISOR)
    theirs = app.test_client()
    sign_in(theirs, supervisor)

    asked = signed_in_admin.get(f"/admin/staff/{supervisor.id}/reset-two-factor")
    post(signed_in_admin, f"/admin/staff/{supervisor.id}/reset-two-factor")

    assert "Reset two-factor sign-in" in text(asked)
    reset = _user(supervisor.id)
    assert reset.two_factor_secret is None and reset.two_factor_enrolled_at is None
    assert theirs.get("/").status_code == 302
    [event] = events("staff.two_factor_reset")
    assert event.staff_id == signed_in_admin.user.id
    assert event.detail["target_staff_id"] == supervisor.id
    assert "will set it up again" in text(signed_in_admin.get(f"/admin/staff/{supervisor.id}"))


def test_every_area_is_offered(signed_in_admin):
    page = text(signed_in_admin.get("/admin/staff/new"))

    for area in ServiceArea:
        assert f'value="{area.value}"' in page


def test_no_name_or_email_travels_in_the_session_cookie(app, signed_in_admin):
    serializer = app.session_interface.get_signing_serializer(app)
    name = app.config["SESSION_COOKIE_NAME"]
    seen = []

    created = post(signed_in_admin, "/admin/staff/new", NEW_SUPERVISOR)
    seen.append(signed_in_admin.get_cookie(name).value)
    staff_id = created.headers["Location"].rsplit("/", 1)[1]
    for action in ("deactivate", "reactivate"):
        post(signed_in_admin, f"/admin/staff/{staff_id}/{action}", page=f"/admin/staff/{staff_id}")
        seen.append(signed_in_admin.get_cookie(name).value)

    for cookie in seen:
        content = repr(serializer.loads(cookie)).lower()
        assert "priya" not in content and "example.org" not in content


# --- a desk phone for calls taken ---------------------------------------------------------


def _handler_given_a_desk_phone(admin_client, typed: str):
    """A new handler, and the response to an administrator's edit typing `typed` as their
    desk phone and changing nothing else."""
    handler = factories.make_staff(Role.HANDLER, area_codes=["housing"])
    response = post(
        admin_client, f"/admin/staff/{handler.id}/edit", _edit_values(handler, desk_number=typed)
    )
    return handler, response


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0116 496 0123", "+441164960123"),
        ("+44 116 496 0123", "+441164960123"),
        ("sip:desk-4@council.sip.twilio.com", "sip:desk-4@council.sip.twilio.com"),
        ("sip:desk-4@council.example:5060", "sip:desk-4@council.example:5060"),
        ("", None),
    ],
    ids=["national", "international", "sip", "sip-with-port", "browser"],
)
def test_an_administrator_sets_where_a_handlers_calls_ring(signed_in_admin, typed, stored):
    handler, response = _handler_given_a_desk_phone(signed_in_admin, typed)

    assert response.status_code == 302
    assert _user(handler.id).desk_number == stored
    shown = text(signed_in_admin.get(f"/admin/staff/{handler.id}"))
    assert ("On " if stored else "In the browser") in shown
    if stored:
        [event] = events("staff.updated")
        assert event.detail["changed"] == ["desk_number"]
        assert stored not in str(event.detail)


@pytest.mark.parametrize(
    "typed",
    ["not a number", "sip:", "sip:desk@", "http://council.example", "sip:a b@host", "0" * 201],
)
def test_a_desk_phone_that_is_neither_a_number_nor_a_sip_address_is_refused(signed_in_admin, typed):
    handler, response = _handler_given_a_desk_phone(signed_in_admin, typed)

    assert response.status_code == 200
    page = text(response)
    assert "Desk phone" in page and "govuk-error-message" in page
    assert _user(handler.id).desk_number is None
