from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from app.forms import strip_whitespace
from app.rules import staff_accounts as account_rules
from app.rules import two_factor as two_factor_rules


class SignInForm(FlaskForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            DataRequired(message="Enter your email address"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
            Email(message="Enter an email address in the correct format, like name@example.org"),
        ],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[
            DataRequired(message="Enter your password"),
            Length(max=200, message="Password must be 200 characters or fewer"),
        ],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class SignOutForm(FlaskForm):
    submit = SubmitField("Sign out", widget=GovSubmitInput())


class TwoFactorCodeForm(FlaskForm):
    code = StringField(
        "Code",
        description="The 6-digit code your authenticator app shows now, or one of your "
        "recovery codes.",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[
            DataRequired(message=two_factor_rules.ENTER_CODE),
            Length(max=40, message=two_factor_rules.WRONG_CODE),
        ],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class EnrolTwoFactorForm(FlaskForm):
    code = StringField(
        "Code from your authenticator app",
        description="The 6-digit code the app shows once it is set up.",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[
            DataRequired(message=two_factor_rules.ENTER_SETUP_CODE),
            Length(max=40, message=two_factor_rules.WRONG_SETUP_CODE),
        ],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        description=f"At least {account_rules.PASSWORD_MIN_LENGTH} characters. Three or four "
        "random words together make a good one.",
        widget=GovPasswordInput(),
        validators=[DataRequired(message=account_rules.ENTER_PASSWORD)],
    )
    confirm = PasswordField(
        "Enter the new password again",
        widget=GovPasswordInput(),
        validators=[
            DataRequired(message=account_rules.CONFIRM_PASSWORD),
            EqualTo("password", message=account_rules.PASSWORDS_DIFFER),
        ],
    )
    submit = SubmitField("Set password", widget=GovSubmitInput())
