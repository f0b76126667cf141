"""GOV.UK's summary list, written out directly for the plain rows most pages give it.

GOV.UK Frontend's `govukSummaryList` macro imports its attributes macro and defines its card
and action macros each time it is called, then walks every row through a dozen filters: some
600 Python calls for a resident's seven details on the call page. Rows of a key and a value
alone (text or HTML, no classes, no actions), in a list with no classes, attributes or card,
are written here as the macro writes them, character for character; anything else is drawn
by the macro. `tests/test_summary_list.py` compares the two.
"""

from typing import Any

from flask.globals import _cv_app
from jinja2.filters import do_indent
from markupsafe import Markup, escape

MACRO = "govuk_frontend_jinja/components/summary-list/macro.html"
_PLAIN_PART = frozenset({"text"}), frozenset({"html"}), frozenset({"text", "html"})


def _part(part: Any) -> Markup | None:
    """A row's key or value as the macro writes it (`html | safe | trim | indent(6)`, else the
    text escaped), or None for one the macro would treat otherwise."""
    if type(part) is not dict or frozenset(part) not in _PLAIN_PART:
        return None
    html = part.get("html")
    if html:
        # Given as HTML: the macro marks it safe too.
        return do_indent(Markup(html).strip(), 6)  # noqa: S704
    if "text" not in part:
        return None
    return escape(part["text"])


def summary_list(params: dict) -> Markup:
    """The summary list of `params`, as `govukSummaryList(params)` draws it."""
    rows = _plain_rows(params)
    if rows is None:
        module = _cv_app.get().app.jinja_env.get_template(MACRO).module
        return module.govukSummaryList(params)
    # Each key and value escaped by `_part`, as the macro escapes them.
    return Markup(f'<dl class="govuk-summary-list">{"".join(rows)}\n</dl>')  # noqa: S704


def _plain_rows(params: Any) -> list[str] | None:
    """Each row written out, or None if any of it (or the list) is more than plain."""
    rows = params.get("rows") if type(params) is dict and params.keys() == {"rows"} else None
    if type(rows) is not list:
        return None
    drawn = []
    for row in rows:
        if type(row) is not dict or row.keys() != {"key", "value"}:
            return None
        key, value = _part(row["key"]), _part(row["value"])
        if key is None or value is None:
            return None
        drawn.append(
            f'\n  <div class="govuk-summary-list__row">\n    <dt class="govuk-summary-list__key">'
            f"\n      {key}\n    </dt>\n"
            f'    <dd class="govuk-summary-list__value">\n      {value}\n    </dd>\n  </div>'
        )
    return drawn
