"""Every route says who may use it, and the server enforces it."""

import re

import pytest
from werkzeug.routing import Rule

from app.rules.vocabulary import Role
from app.security import is_declared
from tests.helpers import csrf_token

PUBLIC_ENDPOINTS = {
    "auth.login",
    "healthz",
    # Readiness for the load balancer, and Prometheus's figures (a bearer token of its own).
    "readyz",
    "metrics",
    "static",
    "assets",
    # Twilio's webhooks: open, but each refuses (403) what Twilio did not sign.
    "telephony.incoming_call",
    "telephony.call_status",
    "telephony.dial_ended",
    "telephony.call_back_answered",
    "telephony.message_status",
    # The portal's sign-in: a reference and date of birth, then the code sent by text.
    "portal.start",
    "portal.enter_code",
    # The page signing a resident out as their idle time runs out: it ends only the session
    # of the browser that sends it, and may find it ended already.
    "portal.timed_out",
    # Staff sign-in's second step (a code, or setting up two-factor sign-in), after a right
    # password; and the one-use link an administrator sends to set a password.
    "auth.two_factor",
    "auth.enrol_two_factor",
    "auth.set_password",
}


H, S, A = Role.HANDLER, Role.SUPERVISOR, Role.ADMIN
EVERYONE = frozenset(Role)
CALL_STAFF = frozenset({H, S})
SUPERVISORS = frozenset({S})
SUPERVISORS_AND_ADMINS = frozenset({S, A})
ADMINS = frozenset({A})

# Who may use each staff endpoint, as the README's "What staff can do" gives it. Need to know:
# administrators manage accounts, not residents' affairs; disputes, locked records,
# permissions and subject access are supervisors' alone; the dashboard, legal holds and
# duty-to-share decisions are supervisors' and administrators'.
WHO_MAY = {
    "console.index": EVERYONE,
    "auth.logout": EVERYONE,
    # Calls (handlers, supervisors), and what is done on a call.
    **{
        f"calls.{name}": CALL_STAFF
        for name in (
            "index", "waiting_list", "take_call", "show_call", "record_panel",
            "search_residents", "select_resident", "clear_resident", "record_caller",
            "verify_caller", "send_text_code", "record_verbal_consent", "log_report", "end_call",
            "add_phone_number", "change_phone_number", "remove_phone_number", "call_status",
            "waiting_count", "voice_token", "line", "simulate_call", "ring_back",
        )
    },
    "disputes.record_dispute": CALL_STAFF,
    "duty_to_share.request_share": CALL_STAFF,
    # Dispatches and Records: every member of staff.
    "dispatches.index": EVERYONE,
    "dispatches.show_dispatch": EVERYONE,
    "dispatches.record_outcome": EVERYONE,
    "residents.find_record": EVERYONE,
    "residents.view_record": EVERYONE,
    "residents.reveal_detail": EVERYONE,
    # Supervisors alone.
    "disputes.index": SUPERVISORS,
    "disputes.show_dispute": SUPERVISORS,
    "disputes.assign_dispute": SUPERVISORS,
    **{
        f"residents.{name}": SUPERVISORS
        for name in (
            "phone_numbers", "add_phone_number", "change_phone_number", "remove_phone_number",
        )
    },
    "locks.index": SUPERVISORS,
    "locks.unlock": SUPERVISORS,
    **{
        f"permissions.{name}": SUPERVISORS
        for name in (
            "index", "resident_permissions", "new_permission", "permission_recorded",
            "reveal_access_code", "revoke_permission", "close_matter", "end_requests",
            "show_end_request",
        )
    },
    **{
        f"subject_access.{name}": SUPERVISORS
        for name in ("index", "new_export", "show_export", "gather", "download")
    },
    # Supervisors and administrators.
    "disputes.dashboard": SUPERVISORS_AND_ADMINS,
    "retention.index": SUPERVISORS_AND_ADMINS,
    "retention.set_hold": SUPERVISORS_AND_ADMINS,
    "retention.lift_hold": SUPERVISORS_AND_ADMINS,
    "duty_to_share.index": SUPERVISORS_AND_ADMINS,
    "duty_to_share.show_request": SUPERVISORS_AND_ADMINS,
    # Not in the README's list: docs/rules.md gives the audit log to supervisors and
    # administrators, and the Messages page to supervisors (administrators see it too).
    "audit.search": SUPERVISORS_AND_ADMINS,
    "audit.export": SUPERVISORS_AND_ADMINS,
    "messages.index": SUPERVISORS_AND_ADMINS,
    # Staff (administrators).
    **{
        f"admin.{name}": ADMINS
        for name in (
            "index", "new_staff", "show_staff", "edit_staff", "deactivate", "reactivate",
            "password_link", "reset_two_factor",
        )
    },
}  # fmt: skip


def _resident_rules(app) -> list[Rule]:
    return [
        rule
        for rule in app.url_map.iter_rules()
        if getattr(app.view_functions[rule.endpoint], "for_residents", False)
    ]


def _staff_rules(app) -> list[Rule]:
    return [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in PUBLIC_ENDPOINTS
        and not getattr(app.view_functions[rule.endpoint], "for_residents", False)
    ]


def _example_path(rule: Rule) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", "1", rule.rule)


def _method(rule: Rule) -> str:
    return "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]


def _request(client, rule: Rule, token: str):
    """Request the rule's example path with its method; a POST carries the CSRF token."""
    method = _method(rule)
    data = {"csrf_token": token} if method != "GET" else None
    return client.open(_example_path(rule), method=method, data=data)


def test_every_endpoint_declares_who_may_use_it(app):
    undeclared = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint not in {"static", "assets"} and not is_declared(view)
    ]

    assert undeclared == []


def test_public_endpoints_are_only_the_expected_ones(app):
    public = {
        endpoint
        for endpoint, view in app.view_functions.items()
        if getattr(view, "is_public", False)
    }

    assert public <= PUBLIC_ENDPOINTS


@pytest.mark.parametrize(
    ("routes", "sign_in_page"),
    [(lambda app: _staff_rules(app), "/login"), (lambda app: _resident_rules(app), "/portal")],
    ids=["staff-routes-to-staff-sign-in", "resident-routes-to-portal-sign-in"],
)
def test_every_route_sends_a_signed_out_visitor_to_its_own_sign_in(
    app, client, routes, sign_in_page
):
    token = csrf_token(client)
    for rule in routes(app):
        response = _request(client, rule, token)

        assert response.status_code == 302, rule.rule
        assert response.headers["Location"].split("?")[0] == sign_in_page, rule.rule


def test_htmx_requests_from_signed_out_visitors_are_told_to_sign_in(app, client):
    for rule in _staff_rules(app):
        if _method(rule) != "GET":
            continue
        response = client.get(_example_path(rule), headers={"HX-Request": "true"})

        assert response.status_code == 401, rule.rule
        assert response.headers["HX-Redirect"] == "/login"


def test_the_access_table_names_every_staff_endpoint(app):
    assert {rule.endpoint for rule in _staff_rules(app)} == set(WHO_MAY)


def test_every_staff_endpoint_admits_the_roles_the_readme_gives_and_no_other(app):
    declared = {endpoint: app.view_functions[endpoint].allowed_roles for endpoint in WHO_MAY}

    assert {e: r for e, r in declared.items() if r != WHO_MAY[e]} == {}


@pytest.mark.parametrize("role", list(Role), ids=[role.value for role in Role])
def test_every_endpoint_and_method_refuses_a_role_not_given_it_and_admits_one_given_it(
    app, signed_in_client, role
):
    client = signed_in_client(role)
    token = csrf_token(client, "/")
    wrong = []
    # Signing out last: it ends the session the other requests need.
    rules = sorted(_staff_rules(app), key=lambda rule: rule.endpoint == "auth.logout")
    for rule in rules:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            data = {"csrf_token": token} if method != "GET" else None
            response = client.open(_example_path(rule), method=method, data=data)
            refused = response.status_code == 403
            if refused is (role in WHO_MAY[rule.endpoint]):
                wrong.append(f"{method} {rule.rule}: {response.status_code}")

    assert wrong == []


@pytest.mark.parametrize("role", list(Role), ids=[role.value for role in Role])
def test_staff_are_refused_routes_outside_their_role(app, signed_in_client, role):
    client = signed_in_client(role)
    for rule in _staff_rules(app):
        view = app.view_functions[rule.endpoint]
        if role in view.allowed_roles or _method(rule) != "GET":
            continue

        response = client.get(_example_path(rule))

        assert response.status_code == 403, rule.rule
        assert "You do not have permission to see this page" in response.get_data(as_text=True)


def test_an_undeclared_route_is_refused_even_to_staff(app, signed_in_client):
    client = signed_in_client(Role.ADMIN)
    rule = Rule("/test-undeclared", endpoint="test_undeclared")
    app.view_functions["test_undeclared"] = lambda: "should never be served"
    app.url_map.add(rule)
    try:
        response = client.get("/test-undeclared")
    finally:
        app.url_map._rules.remove(rule)
        del app.url_map._rules_by_endpoint["test_undeclared"]
        del app.view_functions["test_undeclared"]
        app.url_map._remap = True

    assert response.status_code == 403
    assert "should never be served" not in response.get_data(as_text=True)


def test_the_portal_has_pages_for_residents(app):
    assert len(_resident_rules(app)) >= 5


@pytest.mark.parametrize("role", list(Role), ids=[role.value for role in Role])
def test_every_resident_route_refuses_staff(app, signed_in_client, role):
    client = signed_in_client(role)
    token = csrf_token(client, "/")
    for rule in _resident_rules(app):
        response = _request(client, rule, token)

        assert response.status_code == 302, rule.rule
        assert response.headers["Location"] == "/portal", rule.rule


def test_every_staff_route_refuses_a_signed_in_resident(app, client, resident):
    from tests.portal.helpers import portal_sign_in

    portal_sign_in(client, resident)
    token = csrf_token(client, "/portal/your-record")
    for rule in _staff_rules(app):
        response = _request(client, rule, token)

        assert response.status_code == 302, rule.rule
        assert response.headers["Location"].startswith("/login"), rule.rule
    assert client.get("/portal/your-record").status_code == 200


@pytest.mark.parametrize("role", list(Role), ids=[role.value for role in Role])
def test_a_cookie_replayed_after_sign_out_opens_no_route_its_role_had(app, signed_in_client, role):
    """Every staff route the role may use, asked with the session cookie copied before
    signing out: each sends the visitor to sign in, and none answers as if signed in."""
    client = signed_in_client(role)
    token = csrf_token(client, "/")
    copied = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    replay = app.test_client()
    replay.set_cookie(app.config["SESSION_COOKIE_NAME"], copied)

    for rule in _staff_rules(app):
        if role not in WHO_MAY[rule.endpoint] or rule.endpoint == "auth.logout":
            continue
        response = _request(replay, rule, token)

        assert response.status_code == 302, rule.rule
        assert response.headers["Location"].split("?")[0] == "/login", rule.rule
