"""GOV.UK's summary list written out directly (app/summary_list.py) is what GOV.UK's macro
draws, character for character; anything more than plain rows is drawn by the macro."""

from datetime import date

import pytest
from flask import render_template_string
from markupsafe import Markup

from app import summary_list as module
from app.summary_list import summary_list


def _macro(params) -> str:
    return render_template_string(
        '{% from "govuk_frontend_jinja/components/summary-list/macro.html" import '
        "govukSummaryList %}{{ govukSummaryList(params) }}",
        params=params,
    )


def _row(key, value) -> dict:
    return {"key": key, "value": value}


PLAIN = [
    [],
    [_row({"text": "Name"}, {"text": "Pat O'Brien & <Co>"})],
    [
        _row({"text": "Address"}, {"html": "1 Road<br>\n\nFlat 2<br>Town\n  "}),
        _row({"text": "Phone"}, {"html": Markup("\n  07700 900123 (mobile)<br>\n  x\n")}),
        _row({"html": "<b>Key</b>"}, {"text": Markup("<i>marked</i>")}),
        _row({"text": "Number"}, {"text": 42}),
        _row({"text": "Missing"}, {"text": None}),
        _row({"text": "Empty HTML"}, {"html": "", "text": "the text instead"}),
        _row({"text": "Both"}, {"html": "<p>html wins</p>", "text": "not this"}),
        _row({"text": "A date"}, {"text": date(2026, 12, 7)}),
    ],
]
OTHER = [
    {"rows": [_row({"text": "Name"}, {"text": "Pat"})], "classes": "govuk-summary-list--no-border"},
    {"rows": [{**_row({"text": "Name"}, {"text": "Pat"}), "classes": "app-row"}]},
    {"rows": [_row({"text": "Name", "classes": "app-key"}, {"text": "Pat"})]},
    {
        "rows": [
            {
                **_row({"text": "Name"}, {"text": "Pat"}),
                "actions": {"items": [{"href": "/x", "text": "Change"}]},
            }
        ]
    },
    {"rows": [_row({"text": "Name"}, {"text": "Pat"}), None]},
    {"rows": [_row({"text": "Name"}, {})]},
    {"rows": [_row({"text": "Name"}, {"text": "Pat"})], "attributes": {"data-x": "1"}},
    {"rows": [_row({"text": "Name"}, {"text": "Pat"})], "card": {"title": {"text": "Pat"}}},
]


@pytest.mark.parametrize("rows", PLAIN)
def test_plain_rows_are_written_as_the_macro_draws_them(app, rows, monkeypatch):
    with app.test_request_context():
        drawn = _macro({"rows": rows})
        monkeypatch.setattr(module, "MACRO", "no such template")  # so not the macro
        assert str(summary_list({"rows": rows})) == drawn


@pytest.mark.parametrize("params", OTHER)
def test_anything_more_is_drawn_by_the_macro(app, params):
    with app.test_request_context():
        assert str(summary_list(params)) == _macro(params)
        assert module._plain_rows(params) is None
