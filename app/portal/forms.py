from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount
from wtforms import StringField, TextAreaField
from wtforms.validators import InputRequired

from app.forms import radio_field, reason_field, submit_button, text_field
from app.rules import authority_ends as authority_rules
from app.rules.disputes import STATEMENT_MAX_LENGTH
from app.rules.row_ids import row_id
from app.rules.vocabulary import DisputeReason
from app.services.portal import SELECT_REASON

ENTER_REFERENCE = "Enter your reference number"
ENTER_DATE_OF_BIRTH = "Enter your date of birth"
ENTER_CODE = "Enter the code from the text message"
ENTER_STATEMENT = "Tell us what is wrong with the entry"


def _typed(label: str, missing: str, *, description: str) -> StringField:
    """A box that must have something typed in it, checked as typed, before it is trimmed."""
    return text_field(label, description=description, also=[InputRequired(message=missing)])


class SignInForm(FlaskForm):
    """Only checks that something was typed: whether the details match is never said here,
    so a mistyped reference and a wrong date of birth get the same answer."""

    reference = _typed(
        "Reference number",
        ENTER_REFERENCE,
        description="It is on letters we send you, for example ABCD-EFGH-JKM",
    )
    date_of_birth = _typed(
        "Date of birth", ENTER_DATE_OF_BIRTH, description="For example, 27 3 1948 or 27 March 1948"
    )
    submit = submit_button("Continue")


class CodeForm(FlaskForm):
    code = _typed("Code from the text message", ENTER_CODE, description="It has 6 numbers")
    submit = submit_button("Sign in")


class SignOutForm(FlaskForm):
    submit = submit_button("Sign out")


class StaySignedInForm(FlaskForm):
    submit = submit_button("Stay signed in")


class TimedOutForm(FlaskForm):
    """Sent by the page as the resident's idle time runs out, with the dispute they were
    writing, if any: kept for their next sign-in. Never shown, so nothing in it is refused:
    the resident is signed out whatever it holds (the CSRF token alone is checked), and what
    cannot be kept is not."""

    entry = StringField()
    reason = StringField()
    statement = StringField()

    def entry_id(self) -> int | None:
        return row_id(self.entry.data)


class RevokeForm(FlaskForm):
    submit = submit_button("Yes, take this permission away")


class DisputeForm(FlaskForm):
    REFUSAL_FIELD = "statement"

    reason = radio_field("Why is this entry wrong?", DisputeReason.choices(), SELECT_REASON)
    statement = reason_field(
        "Tell us what is wrong",
        ENTER_STATEMENT,
        description="For example, what really happened. We will read this when we investigate.",
        max_length=STATEMENT_MAX_LENGTH,
        noun="What you tell us",
    )
    submit = submit_button("Continue")

    def answers(self) -> tuple[DisputeReason, str]:
        return DisputeReason(self.reason.data), self.statement.data


class SendDisputeForm(FlaskForm):
    """Send the dispute as checked: what it says is kept with the sign-in, not in the page."""

    submit = submit_button("Send my dispute")


class EndRequestForm(FlaskForm):
    """What the resident wants us to know when they ask us to end a legal authority: optional,
    and bounded."""

    REFUSAL_FIELD = "note"

    note = text_field(
        "Anything you want us to know (optional)",
        description="For example, why you want it to end, or when it is safe to call you. "
        "We will read this before we contact you.",
        max_length=authority_rules.NOTE_MAX_LENGTH,
        too_long=authority_rules.NOTE_TOO_LONG,
        field=TextAreaField,
        widget=GovCharacterCount(),
    )
    submit = submit_button("Continue")

    def answer(self) -> str:
        return self.note.data or ""


class SendEndRequestForm(FlaskForm):
    """Send the request as checked: what it says is kept with the sign-in, not in the page."""

    submit = submit_button("Send my request")
