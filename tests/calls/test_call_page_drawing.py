"""What drawing the call page of a verified resident costs, counted rather than timed: the
page is drawn with the same HTML, by fewer pieces of machinery (app/templating.py)."""

import pytest
from wtforms.fields.choices import SelectFieldBase
from wtforms.widgets import core as wtforms_widgets

RIGHT_ANSWERS = {"date_of_birth": "14/3/1948", "postcode": "LE1 5AB"}


@pytest.fixture
def verified_page(resident_calling):
    """The call page of a verified resident, drawn once already, as on a running server."""
    resident_calling.verify(**RIGHT_ANSWERS)
    resident_calling.page()
    return resident_calling


def test_no_field_on_the_call_page_is_drawn_by_wtforms_own_widgets(verified_page, monkeypatch):
    drawn = []
    own = wtforms_widgets.Input.html_params

    def counted(**kwargs):
        drawn.append(kwargs.get("name"))
        return own(**kwargs)

    monkeypatch.setattr(wtforms_widgets.Input, "html_params", staticmethod(counted))
    page = verified_page.page()

    assert 'name="report-csrf_token" type="hidden"' in page
    assert 'name="add-number-shown_for" type="hidden"' in page
    assert drawn == []


def test_radios_and_checkboxes_are_drawn_without_an_option_field_each(verified_page, monkeypatch):
    iterated = []
    own = SelectFieldBase.__iter__

    def counted(field):
        iterated.append(field.name)
        return own(field)

    monkeypatch.setattr(SelectFieldBase, "__iter__", counted)
    page = verified_page.page()

    assert 'name="end-outcome" type="radio"' in page
    assert 'name="consent-areas" type="checkbox"' in page
    assert iterated == []
