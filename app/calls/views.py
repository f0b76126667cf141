from datetime import date

from flask import redirect, render_template, request, url_for
from flask_login import current_user

from app import navigation
from app.calls import bp
from app.calls.forms import (
    CallerForm,
    EndCallForm,
    ReportForm,
    SearchForm,
    StartCallForm,
    VerifyForm,
)
from app.rules.vocabulary import CallerType, CallOutcome, Relationship, Role
from app.security import staff_required
from app.services import calls, entries, search, verification
from app.services.service_areas import active_areas

CALL_STAFF = (Role.HANDLER, Role.SUPERVISOR)
navigation.register("calls.index", "Calls", *CALL_STAFF)


def _is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def _changed(response_body: str, status: int = 200):
    """An htmx answer that also tells the record panel to ask again."""
    return response_body, status, {"HX-Trigger": "call-changed"}


def _report_form(call) -> ReportForm:
    return ReportForm(
        prefix="report", area_choices=[(area.code, area.name) for area in active_areas()]
    )


def _caller_form(call) -> CallerForm:
    """The who-is-calling form, showing what is recorded on the call."""
    form = CallerForm(prefix="caller", formdata=None)
    if call.caller_type is not CallerType.UNKNOWN:
        form.caller_type.data = call.caller_type.value
    form.caller_name.data = call.caller_name
    if call.caller_relationship and call.caller_relationship is not Relationship.SELF:
        form.relationship.data = call.caller_relationship.value
    return form


def _workspace(call, **context):
    """The whole call page. Forms passed in are shown as submitted, with their errors."""
    context.setdefault("caller_form", _caller_form(call))
    context.setdefault("verify_form", VerifyForm(prefix="verify", formdata=None))
    context.setdefault("report_form", _report_form(call))
    context.setdefault("end_form", EndCallForm(prefix="end", formdata=None))
    context.setdefault("search_form", SearchForm(formdata=None))
    return render_template(
        "calls/show_call.html",
        call=call,
        panel=calls.record_panel(call, current_user, date.today()),
        lock=verification.lock_state(call.resident_id) if call.resident_id else None,
        policy=verification.verification_policy(),
        **context,
    )


@bp.route("/calls", methods=["GET", "POST"])
@staff_required(*CALL_STAFF)
def index():
    form = StartCallForm()
    if form.validate_on_submit():
        call = calls.start_call(current_user, form.number())
        return redirect(url_for("calls.show_call", call_id=call.id))
    return render_template(
        "calls/index.html", form=form, open_calls=calls.open_calls_for(current_user)
    )


@bp.get("/calls/<int:call_id>")
@staff_required(*CALL_STAFF)
def show_call(call_id: int):
    call = calls.get_call_or_404(call_id, current_user)
    if not call.is_open:
        return render_template("calls/ended_call.html", call=call)
    return _workspace(call)


@bp.get("/calls/<int:call_id>/search")
@staff_required(*CALL_STAFF)
def search_residents(call_id: int):
    call = calls.get_open_call_or_404(call_id, current_user)
    form = SearchForm(request.args)
    results = search.find_residents(form.q.data or "") if form.validate() else None
    hints = (
        calls.caller_id_matches(call, [r.resident_id for r in results.matches])
        if results
        else set()
    )
    template = "calls/_search_results.html" if _is_htmx() else "calls/search_page.html"
    return render_template(template, call=call, form=form, results=results, hints=hints)


@bp.post("/calls/<int:call_id>/resident")
@staff_required(*CALL_STAFF)
def select_resident(call_id: int):
    call = calls.get_open_call_or_404(call_id, current_user)
    resident_id = request.form.get("resident_id", type=int)
    if resident_id is None:
        return redirect(url_for("calls.show_call", call_id=call.id))
    calls.select_resident(call, resident_id, current_user)
    return redirect(url_for("calls.show_call", call_id=call.id, _anchor="record"))


@bp.post("/calls/<int:call_id>/resident/clear")
@staff_required(*CALL_STAFF)
def clear_resident(call_id: int):
    call = calls.get_open_call_or_404(call_id, current_user)
    calls.clear_resident(call, current_user)
    return redirect(url_for("calls.show_call", call_id=call.id, _anchor="find"))


@bp.post("/calls/<int:call_id>/caller")
@staff_required(*CALL_STAFF)
def record_caller(call_id: int):
    call = calls.get_open_call_or_404(call_id, current_user)
    form = CallerForm(prefix="caller")
    if form.validate_on_submit():
        calls.record_caller(
            call,
            CallerType(form.caller_type.data),
            (form.caller_name.data or "").strip(),
            Relationship(form.relationship.data) if form.relationship.data else None,
            current_user,
        )
        if _is_htmx():
            return _changed(
                render_template("calls/_caller.html", call=call, caller_form=form, saved=True)
            )
        return redirect(url_for("calls.show_call", call_id=call.id, _anchor="caller"))
    if _is_htmx():
        return render_template("calls/_caller.html", call=call, caller_form=form)
    return _workspace(call, caller_form=form)


@bp.post("/calls/<int:call_id>/verify")
@staff_required(*CALL_STAFF)
def verify_caller(call_id: int):
    call = calls.get_open_call_or_404(call_id, current_user)
    form = VerifyForm(prefix="verify")
    report = None
    if call.resident_id is not None and form.validate_on_submit():
        report = verification.check_resident_answers(call, form.answers(), current_user.id)
        form = VerifyForm(prefix="verify", formdata=None)
    context = {
        "call": call,
        "verify_form": form,
        "report": report,
        "lock": verification.lock_state(call.resident_id) if call.resident_id else None,
        "policy": verification.verification_policy(),
    }
    if _is_htmx():
        body = render_template("calls/_verification.html", **context)
        return _changed(body) if report else body
    return _workspace(call, verify_form=form, report=report)


@bp.get("/calls/<int:call_id>/record")
@staff_required(*CALL_STAFF)
def record_panel(call_id: int):
    call = calls.get_call_or_404(call_id, current_user)
    panel = calls.record_panel(call, current_user, date.today())
    return render_template("calls/_record_panel.html", call=call, panel=panel)


@bp.post("/calls/<int:call_id>/reports")
@staff_required(*CALL_STAFF)
def log_report(call_id: int):
    call = calls.get_open_call_or_404(call_id, current_user)
    form = _report_form(call)
    if call.resident_id is not None and form.validate_on_submit():
        entry = entries.log_report(call, entries.ReportDetails.from_form(form), current_user)
        if _is_htmx():
            return _changed(
                render_template(
                    "calls/_report.html", call=call, report_form=_report_form(call), logged=entry
                )
            )
        return redirect(
            url_for("calls.show_call", call_id=call.id, logged=entry.id, _anchor="report")
        )
    if _is_htmx():
        return render_template("calls/_report.html", call=call, report_form=form)
    return _workspace(call, report_form=form)


@bp.post("/calls/<int:call_id>/end")
@staff_required(*CALL_STAFF)
def end_call(call_id: int):
    call = calls.get_open_call_or_404(call_id, current_user)
    form = EndCallForm(prefix="end")
    if form.validate_on_submit():
        calls.end_call(
            call, CallOutcome(form.outcome.data), form.summary.data.strip(), current_user
        )
        return redirect(url_for("calls.index", ended=call.id))
    return _workspace(call, end_form=form)
