from urllib.parse import urlsplit

import segno
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from app.auth import bp
from app.auth.forms import (
    EnrolTwoFactorForm,
    SetPasswordForm,
    SignInForm,
    SignOutForm,
    TwoFactorCodeForm,
)
from app.auth.session import end_session, second_step_token, start_second_step, start_session
from app.pages import done, submitted_within_allowance
from app.refusals import Refused, show_refusal
from app.rules import two_factor as two_factor_rules
from app.rules.sessions import SessionEnd
from app.rules.two_factor import SignInStep
from app.security import public, signed_in_staff, staff_required
from app.services import staff as staff_service

_SECOND_STEPS = {SignInStep.CODE: "auth.two_factor", SignInStep.ENROL: "auth.enrol_two_factor"}


def _safe_next(target: str | None) -> str:
    """Only follow `next` to a path on this site, never to another host. Browsers drop tabs
    and line breaks from an address and read a backslash as a slash (a slash, a tab and
    "/evil.example" is "//evil.example"), so a `next` with any of them, or any other control
    character or a space, is not followed."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and all(" " < character != "\\" for character in target)
    ):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("console.index")


def _next_arg() -> dict:
    """`next` as it came, to carry through the sign-in's steps (it is checked when used)."""
    target = request.args.get("next")
    return {"next": target} if target else {}


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if signed_in_staff():
        return redirect(_safe_next(request.args.get("next")))
    form = SignInForm()
    # A deactivated account is refused, on the form, after its right password.
    if tried := submitted_within_allowance(
        form,
        form.password,
        lambda: staff_service.sign_in(
            form.email.data, form.password.data, address=request.remote_addr or ""
        ),
    ):
        accepted = tried.result
        if accepted is not None and accepted.step is SignInStep.SIGNED_IN:
            start_session(accepted.user)
            return redirect(_safe_next(request.args.get("next")))
        if accepted is not None:
            start_second_step(accepted.user)
            return redirect(url_for(_SECOND_STEPS[accepted.step], **_next_arg()))
        form.email.errors.append("Enter a correct email address and password")
        form.password.errors.append("Enter a correct email address and password")
    return render_template("auth/login.html", form=form)


def _second_step_user(step: SignInStep):
    token = second_step_token()
    return staff_service.fetch_second_step(token, step) if token else None


def _start_again():
    return done("Sign in again to continue", url_for("auth.login", **_next_arg()), "info")


@bp.route("/login/code", methods=["GET", "POST"])
@public
def two_factor():
    """After a right password: a code from the authenticator app, or a recovery code."""
    user = _second_step_user(SignInStep.CODE)
    if user is None:
        return _start_again()
    form = TwoFactorCodeForm()
    address = request.remote_addr or ""
    if signed_in := submitted_within_allowance(
        form, form.code, lambda: staff_service.give_code(user, form.code.data, address)
    ):
        start_session(signed_in.result)
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/two_factor.html", form=form)


def _qr_code(uri: str) -> Markup:
    svg = segno.make(uri, error="m").svg_inline(
        scale=4, dark="#0b0c0c", light="#ffffff", svgclass="app-qr-code"
    )
    label = "QR code to scan with your authenticator app"
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))  # noqa: S704


@bp.route("/login/set-up-two-factor", methods=["GET", "POST"])
@public
def enrol_two_factor():
    """After a right password, for someone who must use two-factor sign-in and has not set it
    up: scan the QR code (or type the key), then confirm with a first code."""
    user = _second_step_user(SignInStep.ENROL)
    if user is None:
        return _start_again()
    form = EnrolTwoFactorForm()
    address = request.remote_addr or ""
    enrolled = submitted_within_allowance(
        form, form.code, lambda: staff_service.confirm_enrolment(user, form.code.data, address)
    )
    if enrolled:
        signed_in, codes = enrolled.result
        start_session(signed_in)
        # Rendered, not redirected: the recovery codes are shown this once.
        return render_template(
            "auth/recovery_codes.html",
            codes=codes,
            next_url=_safe_next(request.args.get("next")),
        )
    issuer = f"{current_app.config['COUNCIL_NAME']} {current_app.config['SERVICE_NAME']}"
    uri = two_factor_rules.provisioning_uri(user.two_factor_secret, user.email, issuer)
    return render_template(
        "auth/enrol_two_factor.html",
        form=form,
        qr_code=_qr_code(uri),
        secret=two_factor_rules.grouped_secret(user.two_factor_secret),
    )


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@public
def set_password(token: str):
    """A set-password link an administrator issued: it works once, until it expires. It
    signs nobody in."""
    if staff_service.password_link(token) is None:
        return render_template("auth/link_not_valid.html"), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            staff_service.set_password(token, form.password.data)
        except Refused as refused:
            if refused.field is None:
                return render_template("auth/link_not_valid.html"), 404
            show_refusal(form, refused)
        else:
            end_session()
            flash("Your password is set. Sign in with it", "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/set_password.html", form=form, token=token)


@bp.post("/logout")
@staff_required()
def logout():
    form = SignOutForm()
    if form.validate_on_submit():
        staff_service.sign_out(current_user)
        end_session(SessionEnd.SIGNED_OUT)
        flash("You have signed out", "success")
    return redirect(url_for("auth.login"))
