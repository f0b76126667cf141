from urllib.parse import urlsplit

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth import bp
from app.auth.forms import SignInForm, SignOutForm
from app.auth.session import end_session, start_session
from app.security import public, staff_required
from app.services import staff as staff_service


def _safe_next(target: str | None) -> str:
    """Only follow `next` to a path on this site, never to another host."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("console.index")


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated and hasattr(current_user, "role"):
        return redirect(url_for("console.index"))
    form = SignInForm()
    if form.validate_on_submit():
        try:
            user = staff_service.sign_in(
                form.email.data, form.password.data, address=request.remote_addr or ""
            )
        except staff_service.TooManyAttempts:
            abort(429)
        if user is not None:
            start_session(user)
            return redirect(_safe_next(request.args.get("next")))
        form.email.errors.append("Enter a correct email address and password")
        form.password.errors.append("Enter a correct email address and password")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@staff_required()
def logout():
    form = SignOutForm()
    if form.validate_on_submit():
        staff_service.sign_out(current_user)
        end_session()
        flash("You have signed out", "success")
    return redirect(url_for("auth.login"))
