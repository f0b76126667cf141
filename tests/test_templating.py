"""The template environment (app/templating.py): a form field drawn from the cache is the
field drawn afresh, for exactly the parameters it was drawn with, and nothing else."""

from datetime import date

import pytest
from flask import render_template, render_template_string
from markupsafe import Markup

from app.templating import WidgetCache
from config import TestConfig


class Counted:
    """A drawing that says how often it was really drawn."""

    def __init__(self, html: str = "<p>drawn</p>") -> None:
        self.html = html
        self.times = 0

    def __call__(self) -> Markup:
        self.times += 1
        return Markup(self.html)  # noqa: S704 (a constant of the test's own)


def test_the_same_parameters_are_drawn_once():
    cache, draw = WidgetCache(), Counted()
    params = {"id": "name", "label": {"text": "Name"}, "attributes": {}}

    first = cache.draw("input.html", params, draw)
    again = cache.draw(
        "input.html", {"id": "name", "label": {"text": "Name"}, "attributes": {}}, draw
    )

    assert first == again == Markup("<p>drawn</p>")
    assert draw.times == 1


def test_anything_that_draws_differently_is_drawn_again():
    cache, draw = WidgetCache(), Counted()
    variants = [
        {"value": "Pat"},
        {"value": "Sam"},
        {"value": Markup("Pat")},  # markup is drawn as it is, text escaped
        {"value": True},
        {"value": 1},  # equal to True, drawn otherwise
        {"value": 1.0},
        {"value": None},
        {"value": ["Pat"]},
        {"value": ("Pat",)},
        {"value": {"Pat": "Pat"}},
        {"value": {"Pat": "Pat", "Sam": "Sam"}},
        {"value": {"Sam": "Sam", "Pat": "Pat"}},  # attributes are written out in order
        {"value": "Pat", "errorMessage": {"text": "Enter a name"}},
    ]
    for params in variants:
        cache.draw("input.html", params, draw)
    cache.draw("textarea.html", {"value": "Pat"}, draw)

    assert draw.times == len(variants) + 1
    assert len(cache) == len(variants) + 1


class Shouting(str):
    """Text that draws otherwise than the same characters as plain text would."""

    def __str__(self) -> str:
        return self.upper()


@pytest.mark.parametrize(
    "value", [date(2026, 11, 30), Shouting("pat"), {"items": [object()]}], ids=repr
)
def test_a_parameter_of_a_kind_it_does_not_know_is_drawn_every_time(value):
    cache, draw = WidgetCache(), Counted()

    for _ in range(3):
        cache.draw("input.html", {"value": value}, draw)

    assert draw.times == 3
    assert len(cache) == 0


def test_only_the_latest_drawings_are_kept():
    cache = WidgetCache(size=2)
    drawings = [Counted(f"<p>{n}</p>") for n in range(3)]
    for n, draw in enumerate(drawings):
        cache.draw("input.html", {"value": str(n)}, draw)

    cache.draw("input.html", {"value": "2"}, drawings[2])
    cache.draw("input.html", {"value": "0"}, drawings[0])

    assert len(cache) == 2
    assert [draw.times for draw in drawings] == [2, 1, 1]


def test_a_field_from_the_cache_is_the_field_drawn_afresh(app):
    from app.calls.forms import CallerForm

    def fields(name: str) -> list[str]:
        form = CallerForm(prefix="caller", holders=[], formdata=None)
        form.caller_name.data = name
        form.caller_type.data = "third-party"
        return [str(form.caller_type()), str(form.caller_name()), str(form.relationship())]

    cache = app.extensions["widget_cache"]
    with app.test_request_context():
        del app.extensions["widget_cache"]
        try:
            fresh = fields("Pat O'Brien & Co")
        finally:
            app.extensions["widget_cache"] = cache
        drawn, from_cache = fields("Pat O'Brien & Co"), fields("Pat O'Brien & Co")
        other = fields("Sam")

    assert fresh == drawn == from_cache
    assert "Pat O&#39;Brien &amp; Co" in fresh[1]
    assert "Pat" not in other[1] and 'value="Sam"' in other[1]


def test_a_field_from_the_cache_finds_it_without_the_current_app_proxy(app, monkeypatch):
    from app import templating
    from app.calls.forms import CallerForm

    class NoProxy:
        def __getattr__(self, name):
            raise AssertionError("the current_app proxy was read")

    with app.test_request_context():
        form = CallerForm(prefix="caller", holders=[], formdata=None)
        drawn = str(form.caller_name())
        monkeypatch.setattr(templating, "current_app", NoProxy())
        assert str(form.caller_name()) == drawn


def test_the_cache_can_be_turned_off():
    from app import create_app

    class NoCache(TestConfig):
        WIDGET_CACHE = False

    assert "widget_cache" not in create_app(NoCache).extensions


def test_templates_still_see_globals_added_after_they_were_loaded(app):
    with app.test_request_context():
        template = app.jinja_env.from_string("{{ late_global | default('missing') }}")
        assert template.render() == "missing"
        app.jinja_env.globals["late_global"] = "seen"
        try:
            assert template.render() == "seen"
            assert render_template_string("{{ late_global }}") == "seen"
        finally:
            del app.jinja_env.globals["late_global"]
        assert "govuk-button" in render_template("govuk_frontend_wtf/button.html", params={})


def test_a_hidden_field_is_written_out_as_wtforms_draws_it(app):
    from flask_wtf import FlaskForm
    from wtforms import HiddenField
    from wtforms.meta import DefaultMeta

    from app.templating import _wtforms_render_field

    class Form(FlaskForm):
        plain = HiddenField()
        quoted = HiddenField()
        marked = HiddenField()
        empty = HiddenField()
        disabled = HiddenField(render_kw={"disabled": True})

    with app.test_request_context():
        form = Form(prefix="f", formdata=None)
        form.plain.data = "1:resident:"
        form.quoted.data = 'O\'Brien & "Co" <b>'
        form.marked.data = Markup('<b class="x">')
        fields = [form.csrf_token, form.plain, form.quoted, form.marked, form.empty, form.disabled]
        written = [str(field()) for field in fields] + [str(form.plain(data_x="1"))]
        wtforms = [str(_wtforms_render_field(form.meta, field, {})) for field in fields]
        wtforms.append(str(_wtforms_render_field(form.meta, form.plain, {"data_x": "1"})))

    assert DefaultMeta.render_field is not _wtforms_render_field
    assert written == wtforms
    assert 'value="O&#39;Brien &amp; &#34;Co&#34; &lt;b&gt;"' in written[2]
    assert 'value="&lt;b class=&#34;x&#34;&gt;"' in written[3]
    assert "disabled" in written[5] and 'data-x="1"' in written[6]


@pytest.mark.parametrize(
    "base, given",
    [
        ({"a": 1, "b": {"c": [1]}}, {"b": {"c": [2], "d": "x"}, "e": None}),
        ({"items": [{"text": "A"}]}, {"items": [{"hint": "h"}], "classes": "s"}),
        ({"a": {"b": 1}}, {"a": "text"}),
        ({"a": "text"}, {"a": {"b": 1}}),
        ({"a": [1]}, {"a": (2,)}),
        ({"attributes": {}}, {"autocomplete": "off", "spellcheck": False}),
    ],
)
def test_parameters_are_merged_as_govuk_frontend_wtf_merges_them(base, given):
    import copy

    from govuk_frontend_wtf.main import merger

    from app.templating import _merge

    assert _merge(copy.deepcopy(base), copy.deepcopy(given)) == merger.merge(
        copy.deepcopy(base), copy.deepcopy(given)
    )


def test_radios_and_checkboxes_are_drawn_as_govuk_frontend_wtf_draws_them(app, monkeypatch):
    from govuk_frontend_wtf.gov_form_base import GovIterableBase

    from app.calls.forms import EndCallForm, ReportForm, VerbalConsentForm
    from app.templating import _gov_iterable_call

    def fields() -> list[str]:
        end = EndCallForm(prefix="end", formdata=None, outcome="resolved")
        report = ReportForm(prefix="report", area_choices=[("housing", "Housing")], formdata=None)
        consent = VerbalConsentForm(prefix="consent", area_choices=[("housing", "Housing")])
        consent.areas.data = ["housing"]
        return [
            str(end.outcome(params={"classes": "govuk-radios--small"})),
            str(report.urgency(params={"items": [{"hint": {"text": "Today"}}]})),
            str(report.is_sensitive()),
            str(consent.areas()),
            str(consent.safeguarding()),
        ]

    cache = app.extensions.pop("widget_cache")
    try:
        with app.test_request_context():
            drawn = fields()
            monkeypatch.setattr(GovIterableBase, "__call__", _gov_iterable_call)
            theirs = fields()
    finally:
        app.extensions["widget_cache"] = cache

    assert drawn == theirs
    assert 'value="resolved" checked' in drawn[0] and 'value="housing" checked' in drawn[3]


TEMPLATES = {
    "layout.html": (
        "<html>{% block head %}<title>{% block title %}{% endblock %}</title>{% endblock %}"
        "<body>{% block body %}{% endblock %}{% include 'footer.html' %}</body></html>"
    ),
    "footer.html": "<footer>{{ who }}{% block note %} & co{% endblock %}</footer>",
    "page.html": (
        "{% extends 'layout.html' %}{% block title %}Hi {{ who }}{% endblock %}"
        "{% block head %}{{ super() }}<meta>{% endblock %}"
        "{% block body %}{% for n in range(3) %}{% block item scoped %}<p>{{ n }}</p>"
        "{% endblock %}{% endfor %}{% set kept %}{% include 'footer.html' %}{% endset %}"
        "[{{ kept }}]{{ self.title() }}{% include 'missing.html' ignore missing %}{% endblock %}"
    ),
}


def test_a_page_is_drawn_as_jinja_draws_it_its_parts_joined_where_they_are_made():
    from jinja2 import DictLoader, Environment

    from app.templating import TemplateEnvironment

    class _App:  # what Flask's environment needs of its app
        jinja_options: dict = {}

    ours = TemplateEnvironment(_App(), loader=DictLoader(TEMPLATES), autoescape=True)
    jinja = Environment(loader=DictLoader(TEMPLATES), autoescape=True)
    context = {"who": "Pat & <Sam>"}

    drawn = ours.get_template("page.html").render(context)

    assert drawn == jinja.get_template("page.html").render(context)
    assert "Hi Pat &amp; &lt;Sam&gt;" in drawn and "<p>2</p>" in drawn
    compiled = ours.compile(TEMPLATES["page.html"], raw=True)
    assert "yield from" not in compiled and "for event in gen:" not in compiled
    assert "yield from" in jinja.compile(TEMPLATES["page.html"], raw=True)
