import pytest
from wtforms import Form, StringField

from app.refusals import Refused, show_refusal


class ReasonForm(Form):
    reason = StringField()


class PartOfPageForm(Form):
    REFUSAL_FIELD = "passcode"
    passcode = StringField()


@pytest.mark.parametrize(
    ("form_class", "field", "on_field", "on_form"),
    [
        (ReasonForm, "reason", {"reason": ["No"]}, []),
        (ReasonForm, None, {}, ["No"]),
        (ReasonForm, "not_on_this_form", {}, ["No"]),
        (PartOfPageForm, None, {"passcode": ["No"]}, []),
        (PartOfPageForm, "not_on_this_form", {"passcode": ["No"]}, []),
    ],
    ids=[
        "on-the-field-named",
        "no-field-goes-to-the-error-summary",
        "unknown-field-goes-to-the-error-summary",
        "no-field-goes-to-the-forms-refusal-field",
        "unknown-field-goes-to-the-forms-refusal-field",
    ],
)
def test_a_refusal_shows_where_the_form_can_show_it(form_class, field, on_field, on_form):
    form = form_class()

    show_refusal(form, Refused("No", field))

    assert {name: list(f.errors) for name, f in form._fields.items() if f.errors} == on_field
    assert form.form_errors == on_form


def test_a_refusal_joins_the_errors_a_field_already_has():
    form = ReasonForm(data={"reason": ""})
    form.validate()
    form.reason.errors.append("Enter a reason")

    show_refusal(form, Refused("No", "reason"))

    assert form.reason.errors == ["Enter a reason", "No"]
