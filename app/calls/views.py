import math
from datetime import datetime, timedelta

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from app import clock, navigation
from app.auth.session import background_request, time_left
from app.calls import bp
from app.calls.forms import (
    AddNumberOnCallForm,
    CallerForm,
    ChangeNumberOnCallForm,
    EndCallForm,
    RemoveNumberOnCallForm,
    ReportForm,
    RepresentativeVerifyForm,
    SearchForm,
    SendCodeForm,
    StartCallForm,
    TakeCallForm,
    TextCodeForm,
    VerbalConsentForm,
    VerifyForm,
)
from app.htmx import is_htmx
from app.pages import done
from app.pagination import requested_page
from app.refusals import Refused, show_refusal
from app.rules.call_steps import CallSteps, Step, parse_step
from app.rules.capabilities import Capability
from app.rules.vocabulary import CallerType, CallOutcome, Relationship
from app.security import staff_required
from app.services import (
    call_state,
    calls,
    duty_to_share,
    entries,
    permissions,
    phones,
    search,
    text_codes,
    verification,
    waiting_calls,
)
from app.services.call_status import CallStatus, fetch_call_status
from app.services.service_areas import active_areas

CALL_STAFF = (Capability.TAKE_CALLS,)
navigation.register("calls.index", "Calls", *CALL_STAFF)


def _changed(response_body: str, status: int = 200):
    """An htmx answer that also tells the record panel to ask again."""
    return response_body, status, {"HX-Trigger": "call-changed"}


def _report_form(call, **kwargs) -> ReportForm:
    form = ReportForm(
        prefix="report",
        area_choices=[(area.code, area.name) for area in active_areas()],
        ask_relationship=call.caller_type is CallerType.UNKNOWN,
        **kwargs,
    )
    if kwargs.get("formdata", True) is None:
        form.resident_id.data = str(call.resident_id or "")
    return form


def _holders(call) -> list:
    if call.resident_id is None:
        return []
    return permissions.holders_for_call(call.resident_id, clock.today())


def _caller_form(call, **kwargs) -> CallerForm:
    """The who-is-calling form: as submitted, or showing what is recorded on the call."""
    if "formdata" not in kwargs or kwargs["formdata"] is not None:
        return CallerForm(prefix="caller", holders=_holders(call), **kwargs)
    form = CallerForm(prefix="caller", holders=_holders(call), **kwargs)
    if call.caller_type is not CallerType.UNKNOWN:
        form.caller_type.data = call.caller_type.value
    form.caller_name.data = call.caller_name
    form.permission_id.data = str(call.permission_id) if call.permission_id else ""
    if call.caller_relationship and call.caller_type is CallerType.THIRD_PARTY:
        form.relationship.data = call.caller_relationship.value
    return form


def _verify_form(call, **kwargs):
    """The resident's questions, or the representative's own check: never the other. A blank
    form carries what the call says now."""
    if call.caller_type is CallerType.REPRESENTATIVE:
        form = RepresentativeVerifyForm(prefix="rep", **kwargs)
    else:
        form = VerifyForm(prefix="verify", **kwargs)
    if kwargs.get("formdata", True) is None:
        form.shown_for.data = verification.subject_token(call)
    return form


def _send_code_form(call, **kwargs) -> SendCodeForm:
    form = SendCodeForm(prefix="text", numbers=text_codes.numbers_on_file(call), **kwargs)
    if kwargs.get("formdata", True) is None:
        form.shown_for.data = verification.subject_token(call)
    return form


def _code_form(call, **kwargs) -> TextCodeForm:
    form = TextCodeForm(prefix="code", **kwargs)
    if kwargs.get("formdata", True) is None:
        form.shown_for.data = verification.subject_token(call)
    return form


def _posted_check_form():
    """The check the handler submitted, whatever the call now says: the service decides
    whether this caller may take it."""
    if "rep-passcode" in request.form:
        return RepresentativeVerifyForm(prefix="rep")
    if "code-code" in request.form:
        return TextCodeForm(prefix="code")
    return VerifyForm(prefix="verify")


def _verification(call, context: dict) -> None:
    """What the verification step shows: each check's form (as submitted when given,
    otherwise blank for what the call says now), the lock, the policy, and the code waiting
    to be read back."""
    context.setdefault("verify_form", _verify_form(call, formdata=None))
    context.setdefault("send_code_form", _send_code_form(call, formdata=None))
    context.setdefault("code_form", _code_form(call, formdata=None))
    context.setdefault("policy", verification.verification_policy())
    context.setdefault("pending_code", text_codes.pending_code(call))
    context.setdefault("codes_unavailable", text_codes.codes_unavailable(call))
    # A number put on file lately says so on its choice, before any code is sent to it.
    holds = phones.holds_on_call(call)
    context.setdefault(
        "send_code_items",
        [
            {"hint": {"text": holds[value]}} if value in holds else {}
            for value, _ in context["send_code_form"].phone.choices
        ],
    )


def _end_form(call) -> EndCallForm:
    """A blank end-of-call form, with the outcome and summary the call suggests so far."""
    defaults = calls.end_defaults(call)
    return EndCallForm(
        prefix="end",
        formdata=None,
        outcome=defaults.outcome.value if defaults.outcome else None,
        summary=defaults.summary,
    )


_NUMBER_FORMS = {
    "add_number_form": (AddNumberOnCallForm, "add-number"),
    "change_number_form": (ChangeNumberOnCallForm, "change-number"),
    "remove_number_form": (RemoveNumberOnCallForm, "remove-number"),
}


def _number_form(call, key: str, numbers=(), seen: str | None = None, **kwargs):
    """One of the forms that change the numbers on file: as posted, or blank, carrying what the
    call says now and the version of the numbers (`seen`). Forms that choose a number offer
    the `numbers` on file."""
    form_class, prefix = _NUMBER_FORMS[key]
    if form_class is not AddNumberOnCallForm:
        kwargs["numbers"] = numbers
    form = form_class(prefix=prefix, **kwargs)
    if kwargs.get("formdata", True) is None:
        form.shown_for.data = verification.subject_token(call)
        form.seen.data = seen
    return form


def _numbers(call, context: dict) -> None:
    """The numbers on file, to the handler of a caller verified as the resident only, and the
    forms that change them (each as posted when given)."""
    shown = context["standing"].is_resident and call.resident_id is not None
    numbers = context.setdefault(
        "numbers", phones.numbers_on_file(call.resident_id) if shown else []
    )
    seen = phones.numbers_version(call.resident_id) if shown else ""
    for key in _NUMBER_FORMS:
        if key not in context:
            context[key] = _number_form(call, key, numbers, seen, formdata=None)


def _consent_form(**kwargs) -> VerbalConsentForm:
    return VerbalConsentForm(
        prefix="consent", area_choices=[(area.code, area.name) for area in active_areas()], **kwargs
    )


# What each step needs to be shown, built only for the steps shown: a neighbour's call never
# builds the verification forms, nor asks for the lock or the code waiting.
_STEP_CONTEXT = {
    Step.FIND: lambda call, context: context.setdefault("search_form", SearchForm(formdata=None)),
    Step.CALLER: lambda call, context: context.setdefault(
        "caller_form", _caller_form(call, formdata=None)
    ),
    Step.VERIFY: _verification,
    Step.REPORT: lambda call, context: context.setdefault(
        "report_form", _report_form(call, formdata=None)
    ),
    Step.CONSENT: lambda call, context: context.setdefault(
        "consent_form", _consent_form(formdata=None)
    ),
    Step.PHONES: _numbers,
    Step.SHARE: lambda call, context: context.setdefault(
        "share_requests", duty_to_share.requests_on_call(call)
    ),
    Step.END: lambda call, context: context.setdefault("end_form", _end_form(call)),
}
_PAGE_FORMS = (
    "search_form",
    "caller_form",
    "verify_form",
    "send_code_form",
    "code_form",
    "report_form",
    "consent_form",
    *_NUMBER_FORMS,
    "end_form",
)


def _steps(call, posted: Step | None = None, **context) -> dict:
    """Which steps to show, and what they need. `posted` is the step whose form was just
    sent back with errors or a refusal: it is shown even when the call has moved on, so
    the handler sees why."""
    steps = calls.steps_for(call, parse_step(request.args.get("step")) or posted)
    if posted is not None and not steps.shows(posted):
        steps = CallSteps(steps.done, (*steps.open[:-1], posted, Step.END))
    if steps.shows(Step.VERIFY) or steps.shows(Step.CONSENT) or steps.shows(Step.PHONES):
        context.setdefault("standing", call_state.standing(call))
        context.setdefault(
            "lock", verification.lock_state(call.resident_id) if call.resident_id else None
        )
    for step in steps.open:
        _STEP_CONTEXT[step](call, context)
    return {**context, "steps": steps}


def _workspace(call, posted: Step | None = None, *, changed: bool = False, **context):
    """The call page, or for htmx just its steps (with the record panel asked to fetch the
    decision again when something `changed`). Forms passed in are shown as submitted, with
    their errors."""
    context = _steps(call, posted, **context)
    if is_htmx():
        body = render_template("calls/_steps.html", call=call, **context)
        return _changed(body) if changed else body
    panel = calls.record_panel(call, current_user, clock.today())
    return render_template(
        "calls/show_call.html",
        call=call,
        panel=panel,
        status=fetch_call_status(call, clock.now(), panel.disclosure),
        page_forms=[context[name] for name in _PAGE_FORMS if name in context],
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
        "calls/index.html",
        form=form,
        open_calls=calls.open_calls_for(current_user),
        waiting=waiting_calls.waiting_calls(),
    )


@bp.get("/calls/waiting")
@staff_required(*CALL_STAFF)
def waiting_list():
    """The waiting calls, asked for every few seconds: "no change" (204, nothing swapped) while
    what the page shows is still right."""
    if not is_htmx():
        return redirect(url_for("calls.index"))
    background_request()
    waiting = waiting_calls.waiting_calls()
    if request.args.get("shown") == waiting.version:
        return "", 204
    return render_template(
        "calls/_waiting_list.html",
        waiting=waiting,
        announce=request.args.get("calls") != waiting.calls_version,
    )


@bp.route("/calls/<int:call_id>/status", methods=["GET", "POST"])
@staff_required(*CALL_STAFF)
def call_status(call_id: int):
    """Whether what the call page shows about disclosure is still true, and how long the
    session has left: JSON the page asks for every few seconds (app/services/call_status.py).
    Asking does not keep the session alive; "Stay signed in" posts here, and that does."""
    if request.method == "GET":
        background_request()
    call = calls.get_call_or_404(call_id, current_user)
    now = clock.now()
    return jsonify(_status_json(fetch_call_status(call, now), now))


def _status_json(status: CallStatus, now: datetime) -> dict:
    left = time_left()
    warn_before = current_app.config["SESSION_WARNING_BEFORE"]
    until = status.verified_until
    return {
        "version": status.version,
        "call_open": status.call_open,
        "may_disclose": status.may_disclose,
        "verified": status.verified,
        "verified_until": until.isoformat() if until else None,
        "verified_for_seconds": _seconds(until - now) if until else None,
        "lapse": status.lapse,
        "ended": status.ended,
        "session": {
            "ends_in_seconds": _seconds(left.ends_in),
            "can_stay": left.can_stay,
            "warn_within_seconds": _seconds(warn_before),
        },
    }


def _seconds(span: timedelta) -> int:
    return max(math.ceil(span.total_seconds()), 0)


@bp.post("/calls/<int:call_id>/take")
@staff_required(*CALL_STAFF)
def take_call(call_id: int):
    form = TakeCallForm()
    if not form.validate_on_submit():
        return redirect(url_for("calls.index"))
    try:
        call = waiting_calls.take_call(call_id, current_user)
    except Refused as refused:
        flash(refused.message, "info")
        return redirect(url_for("calls.index"))
    return redirect(url_for("calls.show_call", call_id=call.id))


@bp.get("/calls/<int:call_id>")
@staff_required(*CALL_STAFF)
def show_call(call_id: int):
    call = calls.get_call_or_404(call_id, current_user)
    if not call.is_open:
        closed_reason = call.summary if call.outcome is CallOutcome.CLOSED_AUTOMATICALLY else None
        return render_template("calls/ended_call.html", call=call, closed_reason=closed_reason)
    # Back from logging a report without JavaScript: say it was logged, as htmx would.
    return _workspace(
        call, logged=calls.report_logged_on(call, request.args.get("logged", type=int))
    )


@bp.route("/calls/<int:call_id>/search", methods=["GET", "POST"])
@staff_required(*CALL_STAFF)
def search_residents(call_id: int):
    # Searches are posted: a name, postcode or phone number in an address would be kept
    # in access logs, proxies and browser history. A GET shows the empty search.
    call = calls.get_open_call_or_404(call_id, current_user)
    form = SearchForm()
    if not form.is_submitted():
        return render_template("calls/search_page.html", call=call, form=form)
    results = (
        search.find_residents(form.q.data or "", staff_id=current_user.id, call_id=call.id)
        if form.validate()
        else None
    )
    hints = (
        calls.caller_id_matches(call, [r.resident_id for r in results.matches])
        if results
        else set()
    )
    template = "calls/_search_results.html" if is_htmx() else "calls/search_page.html"
    return render_template(template, call=call, form=form, results=results, hints=hints)


@bp.post("/calls/<int:call_id>/resident")
@staff_required(*CALL_STAFF)
def select_resident(call_id: int):
    call = calls.get_open_call_or_404(call_id, current_user)
    resident_id = request.form.get("resident_id", type=int)
    if resident_id is None:
        return redirect(url_for("calls.show_call", call_id=call.id))
    calls.select_resident(call, resident_id, current_user)
    return _next_step(call)


@bp.post("/calls/<int:call_id>/resident/clear")
@staff_required(*CALL_STAFF)
def clear_resident(call_id: int):
    call = calls.get_open_call_or_404(call_id, current_user)
    calls.clear_resident(call, current_user)
    return _next_step(call)


def _next_step(call, **context):
    """After a change on the call: with htmx, the steps as they are now, and the record panel
    told to fetch the decision again; without, the call page, at the step it is on."""
    if is_htmx():
        return _workspace(call, changed=True, **context)
    return redirect(
        url_for("calls.show_call", call_id=call.id, _anchor=calls.steps_for(call).current)
    )


@bp.post("/calls/<int:call_id>/caller")
@staff_required(*CALL_STAFF)
def record_caller(call_id: int):
    call = calls.get_open_call_or_404(call_id, current_user)
    form = _caller_form(call)
    if form.validate_on_submit():
        calls.record_caller(
            call,
            CallerType(form.caller_type.data),
            (form.caller_name.data or "").strip(),
            Relationship(form.relationship.data) if form.relationship.data else None,
            current_user,
            permission_id=int(form.permission_id.data) if form.permission_id.data else None,
        )
        # Who is calling decides what comes next: the resident's questions, the
        # representative's own check, or (for anyone else) the report.
        return _next_step(call, saved=True)
    return _workspace(call, Step.CALLER, caller_form=form)


@bp.post("/calls/<int:call_id>/verify")
@staff_required(*CALL_STAFF)
def verify_caller(call_id: int):
    call = calls.get_open_call_or_404(call_id, current_user)
    form = _posted_check_form()
    key = "code_form" if isinstance(form, TextCodeForm) else "verify_form"
    report = None
    if form.validate_on_submit():
        shown_for = form.shown_for.data or ""
        try:
            if isinstance(form, TextCodeForm):
                report = text_codes.check_text_code(
                    call, form.code.data, current_user.id, shown_for
                )
            elif isinstance(form, RepresentativeVerifyForm):
                report = verification.check_representative_passcode(
                    call, form.passcode.data, current_user.id, shown_for
                )
            else:
                report = verification.check_resident_answers(
                    call, form.answers(), current_user.id, shown_for
                )
        except Refused as refused:
            form = _blank_check_form(call, key)
            show_refusal(form, refused)
        else:
            form = _blank_check_form(call, key)
    elif key == "verify_form" and not isinstance(form, type(_verify_form(call, formdata=None))):
        # Errors on a form this caller is not offered would show nowhere.
        form = _verify_form(call, formdata=None)
    posted = None if report else Step.VERIFY
    return _workspace(call, posted, changed=bool(report), report=report, **{key: form})


def _blank_check_form(call, key: str):
    return (
        _code_form(call, formdata=None) if key == "code_form" else _verify_form(call, formdata=None)
    )


@bp.post("/calls/<int:call_id>/text-code")
@staff_required(*CALL_STAFF)
def send_text_code(call_id: int):
    call = calls.get_open_call_or_404(call_id, current_user)
    form = _send_code_form(call)
    sent = None
    if form.validate_on_submit():
        try:
            sent = text_codes.send_text_code(
                call, form.phone.data, current_user.id, form.shown_for.data or ""
            )
        except Refused as refused:
            form = _send_code_form(call, formdata=None)
            show_refusal(form, refused)
        else:
            form = _send_code_form(call, formdata=None)
    return _workspace(call, Step.VERIFY, send_code_form=form, sent=sent)


@bp.post("/calls/<int:call_id>/consent")
@staff_required(*CALL_STAFF)
def record_verbal_consent(call_id: int):
    call = calls.get_open_call_or_404(call_id, current_user)
    form = _consent_form()
    granted = None
    if form.validate_on_submit():
        try:
            granted = permissions.grant_verbal_consent(
                call, form.representative(), form.terms(), form.safeguarding_answers(), current_user
            )
        except Refused as refused:
            show_refusal(form, refused)
        else:
            form = _consent_form(formdata=None)
    # Rendered, not redirected: the passcode is shown in this response and nowhere else.
    posted = None if granted else Step.CONSENT
    return _workspace(call, posted, consent_form=form, granted=granted, focus=Step.CONSENT)


@bp.post("/calls/<int:call_id>/phones/add")
@staff_required(*CALL_STAFF)
def add_phone_number(call_id: int):
    call = calls.get_open_call_or_404(call_id, current_user)
    form = _number_form(call, "add_number_form")
    return _change_numbers(call, "add_number_form", form, form.asked)


@bp.post("/calls/<int:call_id>/phones/change")
@staff_required(*CALL_STAFF)
def change_phone_number(call_id: int):
    call = calls.get_open_call_or_404(call_id, current_user)
    form = _number_form(call, "change_number_form", _numbers_shown(call))
    return _change_numbers(call, "change_number_form", form, lambda: form.asked(form.phone_id()))


@bp.post("/calls/<int:call_id>/phones/remove")
@staff_required(*CALL_STAFF)
def remove_phone_number(call_id: int):
    call = calls.get_open_call_or_404(call_id, current_user)
    numbers = _numbers_shown(call)
    form = _number_form(call, "remove_number_form", numbers)
    if not form.confirmed.data and form.validate_on_submit():
        # Asked first, changing nothing: "Remove the mobile number ending 123?"
        chosen = [number for number in numbers if str(number.phone_id) == form.phone.data]
        if chosen:
            return _workspace(
                call,
                Step.PHONES,
                remove_number_form=form,
                confirm_removal=chosen[0],
                focus=Step.PHONES,
            )
    return _change_numbers(call, "remove_number_form", form, lambda: form.asked(form.phone_id()))


def _numbers_shown(call) -> list:
    return phones.numbers_on_file(call.resident_id) if call.resident_id else []


def _change_numbers(call, key: str, form, asked):
    """Make the change the form asks for, checked by the service as every change on a call
    is; or show the form again with why not."""
    made = None
    if form.validate_on_submit():
        try:
            made = phones.change_on_call(call, asked(), current_user, form.shown_for.data or "")
        except Refused as refused:
            show_refusal(form, refused)
    if made is None:
        return _workspace(call, Step.PHONES, focus=Step.PHONES, **{key: form})
    if not is_htmx():
        return done(made.summary, url_for("calls.show_call", call_id=call.id, _anchor="phones"))
    return _workspace(call, Step.PHONES, changed=True, phone_change=made, focus=Step.PHONES)


@bp.get("/calls/<int:call_id>/record")
@staff_required(*CALL_STAFF)
def record_panel(call_id: int):
    """The record panel, decided again; `?page=` for older entries. Without htmx (a link
    followed with JavaScript off) it comes as a page of its own, with a way back to the call."""
    call = calls.get_call_or_404(call_id, current_user)
    panel = calls.record_panel(call, current_user, clock.today(), requested_page())
    if is_htmx():
        return render_template("calls/_record_panel.html", call=call, panel=panel)
    return render_template("calls/record_page.html", call=call, panel=panel)


@bp.post("/calls/<int:call_id>/reports")
@staff_required(*CALL_STAFF)
def log_report(call_id: int):
    call = calls.get_open_call_or_404(call_id, current_user)
    form = _report_form(call)
    if call.resident_id is not None and form.validate_on_submit():
        try:
            entry = entries.log_report(
                call,
                form.details(),
                current_user,
                shown_for_resident=_int_or_none(form.resident_id.data),
            )
        except Refused as refused:
            show_refusal(form, refused)
            return _workspace(call, Step.REPORT, report_form=form)
        if is_htmx():
            # A blank form for the next report: one filled from this request would log the
            # same report, and send the same team, again. The end of the call comes too,
            # its outcome and summary now following from this report.
            return _workspace(call, Step.REPORT, changed=True, logged=entry)
        return redirect(
            url_for(
                "calls.show_call", call_id=call.id, step="report", logged=entry.id, _anchor="report"
            )
        )
    return _workspace(call, Step.REPORT, report_form=form)


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isascii() and value.isdigit() else None


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
