"""The layout's parts that are the same for everyone are drawn once per process (the header,
the menu of each role on each page: app/templating.py `layout_part`); what is personal in
them (who is signed in, the sign-out form's CSRF token) is drawn for every request."""

import re

from app import navigation
from app.rules.vocabulary import Role


def _account(page: str) -> str:
    return re.search(r'<div class="app-account">.*?</div>', page, re.S).group(0)


def _menu_links(page: str) -> list[str]:
    return re.findall(r'class="govuk-service-navigation__link" href="([^"]+)"', page)


def _token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', _account(page)).group(1).split(".")[0]


def test_the_menu_is_worked_out_once_for_a_role_on_a_page(signed_in_client, monkeypatch, app):
    first = signed_in_client(Role.HANDLER, name="Pat Handler")
    second = signed_in_client(Role.HANDLER, name="Sam Handler")
    supervisor = signed_in_client(Role.SUPERVISOR, name="Ola Supervisor")
    app.extensions["layout_cache"] = type(app.extensions["layout_cache"])()
    worked_out = []
    own = navigation._items_for_current_user

    def counted():
        worked_out.append(1)
        return own()

    monkeypatch.setattr(navigation, "_items_for_current_user", counted)

    pages = [client.get("/").get_data(as_text=True) for client in (first, second)]
    pages += [first.get("/").get_data(as_text=True)]
    overseen = supervisor.get("/").get_data(as_text=True)

    assert len(worked_out) == 2  # once for handlers on the console, once for supervisors
    assert "Pat Handler" in _account(pages[0]) and "Sam Handler" not in pages[0]
    assert "Sam Handler" in _account(pages[1]) and "Pat Handler" not in pages[1]
    assert "Ola Supervisor" in _account(overseen) and "Pat Handler" not in overseen
    tokens = [_token(page) for page in (pages[0], pages[1], overseen)]
    assert len(set(tokens)) == 3  # each session's own
    assert set(_menu_links(pages[0])) < set(_menu_links(overseen))
    assert _menu_links(pages[0]) == _menu_links(pages[1])
    assert pages[0].count('aria-current="page"') == 1


def test_the_menu_is_drawn_as_govuk_draws_it(signed_in_handler, app):
    signed_in_handler.get("/calls")
    page = signed_in_handler.get("/calls").get_data(as_text=True)  # from the cache
    del app.extensions["layout_cache"]
    try:
        fresh = signed_in_handler.get("/calls").get_data(as_text=True)
    finally:
        app.extensions["layout_cache"] = type(app.extensions["widget_cache"])()

    def menu(html: str) -> str:
        drawn = re.search(r"<header.*?</section>", html, re.S).group(0)
        # the sign-out form's CSRF token carries the second it was signed; the two pages may be
        # a second apart, so only the session's own part of the token is compared
        return re.sub(r'(name="csrf_token" value="[^".]+)\.[^"]+"', r'\1"', drawn)

    assert 'name="csrf_token"' in menu(page)
    assert menu(page) == menu(fresh)
    assert "govuk-service-navigation__item--active" in menu(page)


def test_the_header_is_drawn_once_on_a_page(signed_in_client, app, monkeypatch):
    client = signed_in_client(Role.HANDLER, name="Pat Handler")
    own = app.jinja_env.globals["layout_macro"]
    drawn = []

    def counted(template, macro, params):
        drawn.append(macro)
        return own(template, macro, params)

    monkeypatch.setitem(app.jinja_env.globals, "layout_macro", counted)
    page = client.get("/").get_data(as_text=True)

    assert drawn.count("govukGenericHeader") == 1
    assert page.count('<header class="govuk-template__header">') == 1
    assert "Pat Handler" in _account(page)
