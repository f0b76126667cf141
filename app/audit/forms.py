from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect
from wtforms import HiddenField, SelectField
from wtforms.validators import Optional, ValidationError

from app.forms import choices, submit_button, text_field
from app.permissions.forms import DateInputField
from app.references import normalise_reference
from app.rules import audit_chain as rules
from app.rules.audit_actions import action_words
from app.rules.audit_chain import AuditFilters


class AuditSearchForm(FlaskForm):
    """The audit log's filters, as typed: posted, since a reference number never goes in an
    address. The view turns them into ids and dates in the address of the results."""

    reference = text_field(
        "Resident's reference number",
        description="For example, ABCD-EFGH-JKM",
        optional=True,
        max_length=40,
        too_long=rules.ENTER_REAL_REFERENCE,
    )
    staff_id = SelectField("Member of staff", widget=GovSelect(), validators=[Optional()])
    action = SelectField("What was done", widget=GovSelect(), validators=[Optional()])
    date_from = DateInputField(
        "From", called="the start date", required=False, description="For example, 27 3 2026"
    )
    date_to = DateInputField(
        "To", called="the end date", required=False, description="For example, 28 3 2026"
    )
    submit = submit_button("Search the audit log")

    def __init__(self, *args, staff: list[tuple[str, str]], actions: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.staff_id.choices = choices(staff, prompt="Anyone")
        words = sorted((action_words(code), code) for code in actions)
        self.action.choices = choices([(code, said) for said, code in words], prompt="Any action")

    def validate_reference(self, field) -> None:
        if field.data and normalise_reference(field.data) is None:
            raise ValidationError(rules.ENTER_REAL_REFERENCE)

    def validate_date_to(self, field) -> None:
        start = self.date_from.data
        if field.data and start and field.data < start:
            raise ValidationError(rules.END_BEFORE_START)


class ExportForm(FlaskForm):
    """The current search's filters (ids and dates only), to download as CSV."""

    resident = HiddenField()
    staff = HiddenField()
    action = HiddenField()
    date_from = HiddenField(name="from")
    date_to = HiddenField(name="to")

    def fill(self, filters: AuditFilters) -> "ExportForm":
        fields = {
            "resident": self.resident,
            "staff": self.staff,
            "action": self.action,
            "from": self.date_from,
            "to": self.date_to,
        }
        for name, value in filters.as_args().items():
            fields[name].data = value
        return self
