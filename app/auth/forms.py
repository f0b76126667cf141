from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput
from wtforms import EmailField, PasswordField
from wtforms.validators import Email, EqualTo

from app.forms import submit_button, text_field
from app.rules import staff_accounts as account_rules
from app.rules import two_factor as two_factor_rules


def _password(label: str, missing: str, **kwargs) -> PasswordField:
    """A password box: never trimmed, since a space may be part of a password."""
    return text_field(
        label, missing, trim=False, field=PasswordField, widget=GovPasswordInput(), **kwargs
    )


class SignInForm(FlaskForm):
    email = text_field(
        "Email address",
        "Enter your email address",
        max_length=254,
        noun="Email address",
        also=[Email(message="Enter an email address in the correct format, like name@example.org")],
        trim=False,
        field=EmailField,
    )
    password = _password("Password", "Enter your password", max_length=200, noun="Password")
    submit = submit_button("Sign in")


class SignOutForm(FlaskForm):
    submit = submit_button("Sign out")


def _code(label: str, description: str, missing: str, wrong: str):
    """A code from an authenticator app, or a recovery code: one too long to be either gets
    the answer a wrong code gets."""
    return text_field(label, missing, description=description, max_length=40, too_long=wrong)


class TwoFactorCodeForm(FlaskForm):
    code = _code(
        "Code",
        "The 6-digit code your authenticator app shows now, or one of your recovery codes.",
        two_factor_rules.ENTER_CODE,
        two_factor_rules.WRONG_CODE,
    )
    submit = submit_button("Continue")


class EnrolTwoFactorForm(TwoFactorCodeForm):
    code = _code(
        "Code from your authenticator app",
        "The 6-digit code the app shows once it is set up.",
        two_factor_rules.ENTER_SETUP_CODE,
        two_factor_rules.WRONG_SETUP_CODE,
    )


class SetPasswordForm(FlaskForm):
    password = _password(
        "New password",
        account_rules.ENTER_PASSWORD,
        description=f"At least {account_rules.PASSWORD_MIN_LENGTH} characters. Three or four "
        "random words together make a good one.",
    )
    confirm = _password(
        "Enter the new password again",
        account_rules.CONFIRM_PASSWORD,
        also=[EqualTo("password", message=account_rules.PASSWORDS_DIFFER)],
    )
    submit = submit_button("Set password")
