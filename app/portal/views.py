from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from app.auth.session import end_session, start_resident_session
from app.pages import done, submitted
from app.portal import bp
from app.portal.forms import (
    CodeForm,
    ConfirmDisputeForm,
    DisputeForm,
    RevokeForm,
    SignInForm,
    SignOutForm,
)
from app.refusals import Refused, show_refusal
from app.rules.disputes import ICO_RIGHT
from app.security import public, resident_required
from app.services import disputes, portal

_WAITING = "portal_waiting"  # the token of a sign-in waiting for its code


def _is_resident() -> bool:
    return current_user.is_authenticated and hasattr(current_user, "resident_id")


@bp.route("", methods=["GET", "POST"])
@public
def start():
    if _is_resident():
        return redirect(url_for("portal.your_record"))
    form = SignInForm()
    if form.validate_on_submit():
        try:
            token = portal.start_sign_in(
                form.reference.data, form.date_of_birth.data, address=request.remote_addr or ""
            )
        except portal.TooManyAttempts:
            abort(429)
        except portal.WaitToTryAgain as wait:
            form.date_of_birth.errors.append(wait.message)
            return render_template("portal/start.html", form=form)
        session[_WAITING] = token
        return redirect(url_for("portal.enter_code"))
    return render_template("portal/start.html", form=form)


@bp.route("/code", methods=["GET", "POST"])
@public
def enter_code():
    token = session.get(_WAITING)
    if not isinstance(token, str):
        return redirect(url_for("portal.start"))
    form = CodeForm()
    if form.validate_on_submit():
        checked = portal.check_code(token, form.code.data)
        if checked.signed_in is not None:
            start_resident_session(checked.signed_in)
            return redirect(url_for("portal.your_record"))
        form.code.errors.append(checked.refusal)
    return render_template("portal/enter_code.html", form=form)


@bp.get("/your-record")
@resident_required
def your_record():
    return render_template(
        "portal/your_record.html",
        resident=portal.get_resident(current_user),
        entries=portal.entries_for(current_user),
        permissions=portal.permissions_for(current_user),
        disputes=portal.disputes_for(current_user),
        form=None,
    )


@bp.post("/sign-out")
@resident_required
def sign_out():
    if SignOutForm().validate_on_submit():
        portal.sign_out(current_user)
        end_session()
        flash("You have signed out", "success")
    return redirect(url_for("portal.start"))


@bp.route("/permissions/<int:permission_id>/revoke", methods=["GET", "POST"])
@resident_required
def revoke_permission(permission_id: int):
    permission = portal.get_permission_or_404(current_user, permission_id)
    form = RevokeForm()
    if submitted(form, lambda: portal.revoke_permission(current_user, permission)):
        return done(
            "Permission taken away: they can no longer speak for you",
            url_for("portal.your_record"),
        )
    return render_template("portal/revoke_permission.html", permission=permission, form=form)


@bp.route("/entries/<int:entry_id>/dispute", methods=["GET", "POST"])
@resident_required
def dispute_entry(entry_id: int):
    row = portal.get_entry_or_404(current_user, entry_id)
    form = DisputeForm()
    if row.may_dispute and form.validate_on_submit():
        confirm = ConfirmDisputeForm(
            formdata=None, reason=form.reason.data, statement=form.statement.data
        )
        return render_template(
            "portal/check_dispute.html", row=row, form=confirm, reason=form.answers()[0]
        )
    return render_template("portal/dispute_entry.html", row=row, form=form)


@bp.post("/entries/<int:entry_id>/dispute/check")
@resident_required
def check_dispute(entry_id: int):
    row = portal.get_entry_or_404(current_user, entry_id)
    form = ConfirmDisputeForm()
    if not form.validate_on_submit():
        return redirect(url_for("portal.dispute_entry", entry_id=entry_id))
    reason, statement = form.answers()
    try:
        dispute = disputes.open_dispute_from_portal(
            current_user.resident_id, row.entry.id, reason, statement
        )
    except Refused as refused:
        edit = DisputeForm(formdata=None, reason=reason.value, statement=statement)
        show_refusal(edit, refused)
        return render_template("portal/dispute_entry.html", row=row, form=edit)
    return redirect(url_for("portal.dispute_sent", dispute_id=dispute.id))


@bp.get("/disputes/<int:dispute_id>/sent")
@resident_required
def dispute_sent(dispute_id: int):
    row = portal.get_dispute_or_404(current_user, dispute_id)
    return render_template("portal/dispute_sent.html", row=row, form=None)


@bp.get("/disputes/<int:dispute_id>")
@resident_required
def show_dispute(dispute_id: int):
    row = portal.get_dispute_or_404(current_user, dispute_id)
    return render_template("portal/show_dispute.html", row=row, ico_right=ICO_RIGHT, form=None)
