"""Forms posted over HTTPS, with the Referer a browser sends under our Referrer-Policy.

Over HTTPS, Flask-WTF's strict CSRF check needs a same-origin Referer. Whether a browser
sends one is decided by the policy the page was served with, so these tests read that
header and behave as a browser would, rather than always adding a Referer.
"""

from urllib.parse import urlsplit

from flask.testing import FlaskClient
from sqlalchemy import select

from app.models import AuditEvent
from tests import factories
from tests.helpers import CSRF_META

BASE = "https://cv.council.example"


def _referer_a_browser_sends(policy: str, page: str, target: str) -> str | None:
    """The Referer a browser sends when a form on `page` posts to `target` (Fetch standard)."""
    same_origin = urlsplit(page)[:2] == urlsplit(target)[:2]
    origin = "{0.scheme}://{0.netloc}/".format(urlsplit(page))
    answers = {
        "no-referrer": None,
        "same-origin": page if same_origin else None,
        "origin": origin,
        "strict-origin-when-cross-origin": page if same_origin else origin,
    }
    assert policy in answers, f"unexpected Referrer-Policy {policy!r}"
    return answers[policy]


def _post_from_page(client: FlaskClient, page_path: str, target_path: str, data: dict):
    """Load a page over HTTPS, then post its form as a browser would."""
    page = client.get(page_path, base_url=BASE)
    token = CSRF_META.search(page.get_data(as_text=True)).group(1)
    referer = _referer_a_browser_sends(
        page.headers["Referrer-Policy"], BASE + page_path, BASE + target_path
    )
    headers = {"Referer": referer} if referer else {}
    return client.post(
        target_path, base_url=BASE, data={**data, "csrf_token": token}, headers=headers
    )


def _actions() -> list[str]:
    return list(factories.db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_sign_in_over_https_passes_the_strict_csrf_check(client):
    user = factories.make_staff()

    response = _post_from_page(
        client, "/login", "/login", {"email": user.email, "password": factories.PASSWORD}
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/calls", base_url=BASE).status_code == 200
    assert _actions() == ["staff.signed_in"]


def test_sign_out_over_https_passes_the_strict_csrf_check(client):
    user = factories.make_staff()
    _post_from_page(
        client, "/login", "/login", {"email": user.email, "password": factories.PASSWORD}
    )

    response = _post_from_page(client, "/", "/logout", {})

    assert response.status_code == 302
    assert client.get("/calls", base_url=BASE).status_code == 302
    assert _actions() == ["staff.signed_in", "staff.signed_out"]


def test_a_post_over_https_without_a_referer_is_refused(client):
    user = factories.make_staff()
    page = client.get("/login", base_url=BASE)
    token = CSRF_META.search(page.get_data(as_text=True)).group(1)

    response = client.post(
        "/login",
        base_url=BASE,
        data={"email": user.email, "password": factories.PASSWORD, "csrf_token": token},
    )

    assert response.status_code == 302
    assert client.get("/calls", base_url=BASE).status_code == 302
    assert _actions() == []


def test_a_post_over_https_with_another_sites_referer_is_refused(client):
    user = factories.make_staff()
    page = client.get("/login", base_url=BASE)
    token = CSRF_META.search(page.get_data(as_text=True)).group(1)

    client.post(
        "/login",
        base_url=BASE,
        data={"email": user.email, "password": factories.PASSWORD, "csrf_token": token},
        headers={"Referer": "https://attacker.example/login"},
    )

    assert client.get("/calls", base_url=BASE).status_code == 302
    assert _actions() == []
