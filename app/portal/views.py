from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from app import clock
from app.auth.session import end_session, start_resident_session
from app.pages import done, submitted, submitted_within_allowance
from app.portal import bp
from app.portal.forms import (
    CodeForm,
    DisputeForm,
    EndRequestForm,
    RevokeForm,
    SendDisputeForm,
    SendEndRequestForm,
    SignInForm,
    SignOutForm,
    StaySignedInForm,
    TimedOutForm,
)
from app.refusals import Refused, show_refusal
from app.rules import authority_ends as authority_rules
from app.rules.disputes import ICO_RIGHT
from app.rules.vocabulary import DisputeReason
from app.security import public, resident_required, signed_in_resident
from app.services import authority_ends, portal

_WAITING = "portal_waiting"  # the token of a sign-in waiting for its code


@bp.route("", methods=["GET", "POST"])
@public
def start():
    if signed_in_resident():
        return redirect(url_for("portal.your_record"))
    if not portal.sign_in_available():
        # No code could be sent: the same page for everyone, whatever they typed.
        return render_template("portal/start.html", form=None, unavailable=True)
    form = SignInForm()
    if started := submitted_within_allowance(
        form,
        form.date_of_birth,
        lambda: portal.start_sign_in(
            form.reference.data, form.date_of_birth.data, address=request.remote_addr or ""
        ),
    ):
        session[_WAITING] = started.result
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
    return render_template("portal/enter_code.html", form=form, limit=portal.code_limit(token))


@bp.get("/your-record")
@resident_required
def your_record():
    return render_template(
        "portal/your_record.html",
        resident=portal.get_resident(current_user),
        entries=portal.entries_for(current_user),
        permissions=portal.permission_cards(current_user, clock.today()),
        disputes=portal.disputes_for(current_user),
        unsent=portal.unsent_dispute(current_user),
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


@bp.post("/stay-signed-in")
@resident_required
def stay_signed_in():
    """ "Stay signed in" in the timeout warning: any request moves the idle limit on, so this
    one only answers (with nothing, so the page and what is typed on it stay as they are)."""
    if not StaySignedInForm().validate_on_submit():
        abort(400)
    return "", 204


@bp.route("/timed-out", methods=["GET", "POST"])
@public
def timed_out():
    """The page signs the resident out as their idle time runs out, sending the dispute they
    were writing, which is kept for their next sign-in. (Asked for by GET, after a post whose
    session had already ended, it only goes to the sign-in.)"""
    if request.method == "GET":
        return redirect(url_for("portal.start"))
    form, kept = TimedOutForm(), False
    if signed_in_resident() and form.validate_on_submit():
        kept = portal.sign_out_when_idle(
            current_user, form.entry_id(), form.reason.data, form.statement.data, clock.now()
        )
        end_session()
    flash(portal.timed_out_message(current_app.config["PORTAL_IDLE_LIFETIME"], kept), "info")
    return redirect(url_for("portal.start"))


@bp.route("/permissions/<int:permission_id>/revoke", methods=["GET", "POST"])
@resident_required
def revoke_permission(permission_id: int):
    permission = portal.get_permission_or_404(current_user, permission_id)
    if authority_rules.is_legal_authority(permission.kind):
        # Never offered for a legal authority, and never done: the resident asks us instead.
        return redirect(url_for("portal.ask_to_end_permission", permission_id=permission.id))
    form = RevokeForm()
    if submitted(form, lambda: portal.revoke_permission(current_user, permission, clock.now())):
        return done(
            "Permission taken away: they can no longer speak for you",
            url_for("portal.your_record"),
        )
    return render_template("portal/revoke_permission.html", permission=permission, form=form)


def _instead_of_asking(permission):
    """Where the resident goes when there is nothing to ask: consent they gave is taken away
    at once; an ended permission has nothing left to end; a request already waiting is theirs
    to follow, not to send again."""
    if not authority_rules.is_legal_authority(permission.kind):
        return redirect(url_for("portal.revoke_permission", permission_id=permission.id))
    if authority_ends.has_ended(permission):
        return done(authority_rules.ALREADY_ENDED, url_for("portal.your_record"), "info")
    waiting = authority_ends.waiting_request(permission.id)
    if waiting is not None:
        return redirect(url_for("portal.show_end_request", request_id=waiting.id))
    return None


def _ask_page(permission, form):
    return render_template(
        "portal/ask_to_end_permission.html",
        permission=permission,
        issuing_body=authority_rules.issuing_body(permission.kind),
        form=form,
    )


@bp.route("/permissions/<int:permission_id>/end", methods=["GET", "POST"])
@resident_required
def ask_to_end_permission(permission_id: int):
    """A legal authority: the resident asks us to end it, and says anything they want us to
    know; the next page checks it with them."""
    permission = portal.get_permission_or_404(current_user, permission_id)
    if instead := _instead_of_asking(permission):
        return instead
    again = redirect(url_for("portal.ask_to_end_permission", permission_id=permission.id))
    if request.method == "POST":
        posted = EndRequestForm()
        portal.save_end_request_note(current_user, permission.id, posted.answer(), clock.now())
        if posted.validate_on_submit():
            return redirect(url_for("portal.check_end_request", permission_id=permission.id))
        _remember_check(f"permission:{permission.id}")
        return again
    note = portal.end_request_note(current_user, permission.id)
    form = EndRequestForm(formdata=None if note is None else MultiDict({"note": note}))
    _show_check(f"permission:{permission.id}", form, form.note)
    return _ask_page(permission, form)


@bp.route("/permissions/<int:permission_id>/end/check", methods=["GET", "POST"])
@resident_required
def check_end_request(permission_id: int):
    permission = portal.get_permission_or_404(current_user, permission_id)
    if instead := _instead_of_asking(permission):
        return instead
    back_to_question = redirect(
        url_for("portal.ask_to_end_permission", permission_id=permission.id)
    )
    note = portal.end_request_note(current_user, permission.id)
    answered = EndRequestForm(formdata=MultiDict({"note": note or ""}))
    if note is None or not answered.note.validate(answered):
        return back_to_question
    form = SendEndRequestForm()
    if sent := _send_checked(
        form,
        lambda: portal.send_end_request(current_user, permission, clock.now()),
        f"permission:{permission.id}",
        back_to_question,
        lambda asked: url_for("portal.show_end_request", request_id=asked.id),
    ):
        return sent
    return render_template(
        "portal/check_end_request.html", permission=permission, note=note, form=form
    )


@bp.get("/end-requests/<int:request_id>")
@resident_required
def show_end_request(request_id: int):
    asked = portal.get_end_request_or_404(current_user, request_id)
    return render_template(
        "portal/show_end_request.html",
        asked=asked,
        issuing_body=authority_rules.issuing_body(asked.permission.kind),
        form=None,
    )


# Which form, drawn next, says what was wrong with what was sent (and a refusal from the
# service when sending it): every post in the portal's questions redirects, so Back never asks
# to send a form again.
_CHECKED = "portal_checked"


def _remember_check(what: str, refused: Refused | None = None) -> None:
    session[_CHECKED] = {
        "what": what,
        "refusal": refused.message if refused else None,
        "field": refused.field if refused else None,
    }


def _send_checked(form, send, what: str, back, sent_to):
    """Send what the resident checked (`send()`, one service call) when they press the
    button: then to `sent_to(what was made)`. Nothing left to send (sent already, in another
    tab), or a refusal, goes `back` to the question, which says why. None when not posted."""
    if not form.validate_on_submit():
        return None
    try:
        made = send()
    except portal.NothingToSend:
        return back
    except Refused as refused:
        _remember_check(what, refused)
        return back
    return redirect(sent_to(made))


def _show_check(what: str, form, *fields) -> None:
    """When the last post was `what`'s, check `fields` of the form drawn from what was kept,
    and put any refusal on it: the errors show once, on the page the post came back to."""
    checked = session.pop(_CHECKED, None)
    if not isinstance(checked, dict) or checked.get("what") != what:
        return
    for field in fields:
        field.validate(form)
    if checked.get("refusal"):
        show_refusal(form, Refused(checked["refusal"], field=checked.get("field")))


def _dispute_form(draft: portal.DisputeDraft | None) -> DisputeForm:
    """The dispute form with what the resident typed last, if anything."""
    if draft is None:
        return DisputeForm(formdata=None)
    return DisputeForm(
        formdata=MultiDict({"reason": draft.reason or "", "statement": draft.statement})
    )


def _is_complete(form: DisputeForm) -> bool:
    """Check the answers alone (the form carries no token from the page): errors go on it."""
    return all([form.reason.validate(form), form.statement.validate(form)])


@bp.route("/entries/<int:entry_id>/dispute", methods=["GET", "POST"])
@resident_required
def dispute_entry(entry_id: int):
    row = portal.get_entry_or_404(current_user, entry_id)
    if not row.may_dispute:
        return render_template("portal/dispute_entry.html", row=row, form=None)
    if request.method == "POST":
        posted = DisputeForm()
        if posted.validate_on_submit():
            portal.save_dispute_draft(
                current_user, entry_id, posted.reason.data, posted.statement.data, clock.now()
            )
            return redirect(url_for("portal.check_dispute", entry_id=entry_id))
        portal.save_dispute_draft(
            current_user, entry_id, posted.reason.data, posted.statement.data or "", clock.now()
        )
        _remember_check(f"entry:{entry_id}")
        return redirect(url_for("portal.dispute_entry", entry_id=entry_id))
    form = _dispute_form(portal.dispute_draft(current_user, entry_id))
    _show_check(f"entry:{entry_id}", form, form.reason, form.statement)
    return render_template("portal/dispute_entry.html", row=row, form=form)


@bp.route("/entries/<int:entry_id>/dispute/check", methods=["GET", "POST"])
@resident_required
def check_dispute(entry_id: int):
    row = portal.get_entry_or_404(current_user, entry_id)
    draft = portal.dispute_draft(current_user, entry_id)
    back_to_form = redirect(url_for("portal.dispute_entry", entry_id=entry_id))
    if not row.may_dispute or draft is None or not _is_complete(_dispute_form(draft)):
        return back_to_form
    form = SendDisputeForm()
    if sent := _send_checked(
        form,
        lambda: portal.send_dispute(current_user, entry_id, clock.now()),
        f"entry:{entry_id}",
        back_to_form,
        lambda dispute: url_for("portal.dispute_sent", dispute_id=dispute.id),
    ):
        return sent
    return render_template(
        "portal/check_dispute.html",
        row=row,
        draft=draft,
        reason=DisputeReason(draft.reason),
        form=form,
    )


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
