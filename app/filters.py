"""Template filters: how dates, numbers and labels are written for people."""

from datetime import datetime

from flask import Flask, g

from app.clock import UK
from app.phone_numbers import for_display
from app.references import format_reference
from app.rules.audit_actions import action_words, outcome_words
from app.rules.dates import date_and_time, long_date
from app.rules.disclosure import (
    dispatch_on_hold,
    disputed_notice,
    entry_banner,
    entry_label,
    reported_by_on_call,
)
from app.rules.disputes import dispatch_notice, recorded_message
from app.services.search import street_of
from app.services.service_areas import area_names
from app.summary_list import summary_list


def local_time(value: datetime | None) -> str:
    return date_and_time(value.astimezone(UK)) if value else ""


def area_name(code: str) -> str:
    """An area's name, from the names read once per request: a list draws it on every row,
    and a view that names areas asks here too, so a page reads them once."""
    if "area_names" not in g:
        g.area_names = area_names()
    return g.area_names.get(code, code)


def first_field(form, **attributes: str) -> dict[str, str]:
    """The HTML attributes of a page's first field: the cursor starts there (`autofocus`)
    unless the page shows an error summary, which GOV.UK Frontend moves focus to instead."""
    return attributes if form is not None and form.errors else {**attributes, "autofocus": ""}


def init_filters(app: Flask) -> None:
    app.add_template_global(first_field)
    app.add_template_global(summary_list)
    app.add_template_filter(local_time)
    app.add_template_filter(long_date)
    app.add_template_filter(for_display, "phone")
    app.add_template_filter(format_reference, "reference")
    app.add_template_filter(street_of, "street")
    app.add_template_filter(entry_banner)
    app.add_template_filter(dispatch_notice)
    app.add_template_filter(disputed_notice)
    app.add_template_filter(dispatch_on_hold)
    app.add_template_global(recorded_message)
    app.add_template_filter(
        lambda entry: entry_label(entry.reporter_relationship, entry.reporter_verified),
        "entry_label",
    )
    app.add_template_filter(
        lambda entry: reported_by_on_call(entry.reporter_relationship, entry.reporter_verified),
        "reported_by_on_call",
    )
    app.add_template_filter(area_name)
    app.add_template_filter(action_words)
    app.add_template_filter(
        lambda event: outcome_words(event.action, event.outcome), "outcome_words"
    )
