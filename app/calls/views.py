"""The call pages. Each view parses what was sent, makes one use case, then renders the call's
read model (app/services/call_workspace.py): a GET reads it; a POST makes its one unit of
work first, then reads it for the answer. The steps drawn, and their forms, come from one
table (app/calls/steps.py)."""

import math
from datetime import UTC, datetime, timedelta

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from app import clock, navigation
from app.auth.session import background_request, time_left
from app.calls import bp
from app.calls.forms import (
    CallBackForm,
    CallerForm,
    EndCallForm,
    LineForm,
    RepresentativeVerifyForm,
    SearchForm,
    SendCodeForm,
    SimulateCallForm,
    StartCallForm,
    TakeCallForm,
    TextCodeForm,
    VerifyForm,
)
from app.calls.steps import (
    STEP_TEMPLATES,
    check_form,
    consent_form,
    drawn,
    number_form,
    number_on_file_form,
    report_form,
)
from app.htmx import is_htmx
from app.pages import done
from app.pagination import requested_page
from app.refusals import NotFound, Refused, show_refusal
from app.rules.call_steps import Step, parse_step
from app.rules.capabilities import Capability
from app.rules.lockout import LockState
from app.rules.vocabulary import CallerType, CallOutcome, Relationship
from app.security import signed_in_user, staff_required
from app.services import (
    call_backs,
    call_state,
    calls,
    entries,
    inbound_calls,
    live_call,
    permissions,
    phones,
    search,
    text_codes,
    verification,
    waiting_calls,
)
from app.services.call_status import CallStatus, answer_version
from app.services.call_workspace import CallWorkspace, Show, current_status, workspace
from app.services.service_areas import active_areas

navigation.register("calls.index", "Calls", Capability.TAKE_CALLS)


def _changed(response_body: str, status: int = 200):
    """An htmx answer that also tells the record panel to ask again."""
    return response_body, status, {"HX-Trigger": "call-changed"}


def _open_call(call_id: int, now: datetime):
    """The handler's own call, for a change. A call past its maximum length is closed first,
    in a unit of work of its own, and then it is not open: "not found", as an ended call is."""
    call = calls.get_call_or_404(call_id, current_user)
    call_state.close_if_overdue(call, now)
    if not call.is_open:
        raise NotFound
    return call


def _show(
    call_id: int,
    now: datetime,
    *,
    posted: Step | None = None,
    changed: bool = False,
    logged: int | None = None,
    forms: dict | None = None,
    refused: tuple[str, Refused] | None = None,
    checked: LockState | None = None,
    **results,
):
    """The call page, or for htmx just its steps (with the record panel asked to fetch the
    decision again when something `changed`), from the call's read model at `now`.

    `forms` are shown as submitted, with their errors; `refused` puts a service's refusal on
    the blank form of that name. `posted` is the step they belong to, shown whatever the call
    says now. `checked` is the lock as a check this request made left it. `results` are what
    the change made, for the steps to say so."""
    show = Show.STEPS if is_htmx() else Show.PAGE
    asked = parse_step(request.args.get("step"))
    seen = workspace(
        call_id,
        signed_in_user(),
        now,
        show,
        asked=asked,
        posted=posted,
        logged=logged,
        checked=checked,
    )
    if not seen.is_open:
        return render_template("calls/ended_call.html", call=seen.call, workspace=seen)
    context, page_forms = drawn(seen, forms or {}, refused)
    context = {
        "call": seen.call,
        "workspace": seen,
        "steps": seen.steps,
        "step_templates": STEP_TEMPLATES,
        **context,
        **results,
    }
    if show is Show.STEPS:
        body = render_template("calls/_steps.html", **context)
        return _changed(body) if changed else body
    return render_template(
        "calls/show_call.html",
        panel=seen.record,
        status=seen.status,
        page_forms=page_forms,
        **context,
    )


def _next_step(call_id: int, now: datetime, **results):
    """After a change on the call: with htmx, the steps as they are now, and the record panel
    told to fetch the decision again; without, the call page, at the step it is on."""
    if is_htmx():
        return _show(call_id, now, changed=True, **results)
    steps = workspace(call_id, current_user, now, Show.STEPS).steps
    anchor = steps.current if steps else None
    return redirect(url_for("calls.show_call", call_id=call_id, _anchor=anchor))


def _area_choices() -> list[tuple[str, str]]:
    return [(area.code, area.name) for area in active_areas()]


@bp.route("/calls", methods=["GET", "POST"])
@staff_required(Capability.TAKE_CALLS)
def index():
    form = StartCallForm()
    now = clock.now()
    if form.validate_on_submit():
        call = calls.start_call(current_user, form.number(), now)
        return redirect(url_for("calls.show_call", call_id=call.id))
    return _index_page(form, SimulateCallForm(prefix="simulate"), now)


def _index_page(form: StartCallForm, simulate_form: SimulateCallForm, now: datetime):
    simulating = current_app.config["SIMULATED_CALLS_ALLOWED"]
    return render_template(
        "calls/index.html",
        form=form,
        simulate_form=simulate_form if simulating else None,
        open_calls=calls.open_calls_for(current_user, now),
        waiting=waiting_calls.waiting_calls(),
    )


@bp.post("/calls/simulate")
@staff_required(Capability.TAKE_CALLS)
def simulate_call():
    """Development only (not found in production): a call from any number waits to be taken,
    as if it had come in through the phone system."""
    if not current_app.config["SIMULATED_CALLS_ALLOWED"]:
        abort(404)
    form = SimulateCallForm(prefix="simulate")
    if form.validate_on_submit():
        call = inbound_calls.simulate_call(form.number(), current_user.id)
        # Its CallSid, to post Twilio's status callback for it by hand (README, "A live call").
        flash(f"A simulated call is waiting: CallSid {call.provider_call_sid}", "info")
        return redirect(url_for("calls.index"))
    return _index_page(StartCallForm(), form, clock.now())


@bp.get("/calls/waiting")
@staff_required(Capability.TAKE_CALLS)
def waiting_list():
    """The waiting calls, asked for every few seconds: "no change" (204, nothing swapped) while
    what the page shows is still right, found in one statement and drawn with no template."""
    if not is_htmx():
        return redirect(url_for("calls.index"))
    background_request()
    if waiting_calls.still_shown(request.args.get("shown")):
        return "", 204
    waiting = waiting_calls.waiting_calls()
    return render_template(
        "calls/_waiting_list.html",
        waiting=waiting,
        announce=request.args.get("calls") != waiting.calls_version,
    )


@bp.get("/calls/waiting-count")
@staff_required(Capability.TAKE_CALLS)
def waiting_count():
    """How many calls wait, for the header of every page, asked every few seconds: "not
    modified" (304, no body) while the version the page holds is still right, found in one
    statement and drawn with no template."""
    background_request()
    waiting = waiting_calls.waiting_now()
    if request.if_none_match.contains(waiting.version):
        response = current_app.response_class(status=304)
    else:
        response = jsonify(count=waiting.count, words=waiting.words)
    response.set_etag(waiting.version)
    return response


@bp.route("/calls/<int:call_id>/status", methods=["GET", "POST"])
@staff_required(Capability.TAKE_CALLS)
def call_status(call_id: int):
    """Whether what the call page shows about disclosure is still true, and how long the
    session has left: JSON the page asks for every few seconds (app/services/call_status.py).
    Asking does not keep the session alive; "Stay signed in" posts here, and that does.

    Read in one statement and drawn with no template. Its ETag is the answer with the moments
    it counts down to in place of the seconds left: "not modified" (304, no body) while the
    version the page holds is still right, and the page counts down from the answer it has."""
    if request.method == "GET":
        background_request()
    now = clock.now()
    answer, moments = _status_json(current_status(call_id, current_user, now), now)
    version = answer_version(sorted(moments.items()), answer["session"]["can_stay"])
    if request.method == "GET" and request.if_none_match.contains(version):
        response = current_app.response_class(status=304)
    else:
        response = jsonify(answer)
    response.set_etag(version)
    return response


def _status_json(status: CallStatus, now: datetime) -> tuple[dict, dict]:
    """The poll's answer, and what it says apart from the seconds left, with the moments
    they count down to (the same from one poll to the next while nothing changed)."""
    left = time_left()
    warn_before = current_app.config["SESSION_WARNING_BEFORE"]
    until = status.verified_until
    answer = {
        "version": status.version,
        "call_open": status.call_open,
        "may_disclose": status.may_disclose,
        "verified": status.verified,
        "verified_until": until.isoformat() if until else None,
        "verified_for_seconds": _seconds(until - now) if until else None,
        "lapse": status.lapse,
        "ended": status.ended,
        "line": {
            "live": status.has_line and status.call_open and status.line_ended is None,
            "ended": status.line_ended,
            "held": status.line_held,
        },
        "session": {
            "ends_in_seconds": _seconds(left.ends_in),
            "can_stay": left.can_stay,
            "warn_within_seconds": _seconds(warn_before),
        },
    }
    session_ends = (datetime.now(UTC) + left.ends_in).replace(microsecond=0)
    moments = {key: repr(value) for key, value in answer.items() if key != "session"}
    moments |= {"verified_for_seconds": None, "session_ends": session_ends.isoformat()}
    return answer, moments


def _seconds(span: timedelta) -> int:
    return max(math.ceil(span.total_seconds()), 0)


@bp.post("/calls/<int:call_id>/take")
@staff_required(Capability.TAKE_CALLS)
def take_call(call_id: int):
    form = TakeCallForm()
    if not form.validate_on_submit():
        return redirect(url_for("calls.index"))
    try:
        call = live_call.answer_call(call_id, current_user)
    except Refused as refused:
        flash(refused.message, "info")
        return redirect(url_for("calls.index"))
    return redirect(url_for("calls.show_call", call_id=call.id))


@bp.get("/calls/voice-token")
@staff_required(Capability.TAKE_CALLS)
def voice_token():
    """A token for this handler's browser to answer calls (Twilio's Voice SDK), asked for
    when a page that answers loads and again before it runs out. Personal: never cached."""
    background_request()
    try:
        token = live_call.voice_token(current_user)
    except Refused as refused:
        return jsonify(error=refused.message), 503
    return jsonify(
        token=token.token,
        identity=token.identity,
        expires_in=token.expires_in,
        console=token.console,
    )


@bp.post("/calls/<int:call_id>/line")
@staff_required(Capability.TAKE_CALLS)
def line(call_id: int):
    """Hold, resume or hang up the call's line. The page's buttons send it with JavaScript and
    read JSON; without JavaScript the form is posted and the call page shown again."""
    form = LineForm()
    wants_json = request.accept_mimetypes.best == "application/json"
    if not form.validate_on_submit():
        if wants_json:
            return jsonify(error="Choose hold, resume or hang up"), 400
        return redirect(url_for("calls.show_call", call_id=call_id))
    try:
        call = live_call.act_on_line(call_id, form.action.data, current_user, clock.now())
    except Refused as refused:
        if wants_json:
            return jsonify(error=refused.message), 409
        flash(refused.message, "info")
        return redirect(url_for("calls.show_call", call_id=call_id))
    if wants_json:
        return jsonify(held=call.line_held, ended=call.line_ended_at is not None)
    return redirect(url_for("calls.show_call", call_id=call.id))


@bp.get("/calls/<int:call_id>")
@staff_required(Capability.TAKE_CALLS)
def show_call(call_id: int):
    # Back from logging a report without JavaScript: say it was logged, as htmx would.
    return _show(call_id, clock.now(), logged=request.args.get("logged", type=int))


@bp.route("/calls/<int:call_id>/search", methods=["GET", "POST"])
@staff_required(Capability.TAKE_CALLS)
def search_residents(call_id: int):
    # Searches are posted: a name, postcode or phone number in an address would be kept
    # in access logs, proxies and browser history. A GET shows the empty search.
    call = calls.get_call_to_search_on_or_404(call_id, current_user, clock.now())
    form = SearchForm()
    if not form.is_submitted():
        return render_template("calls/search_page.html", call=call, form=form)
    results = (
        search.find_residents(
            form.q.data or "",
            staff_id=current_user.id,
            call_id=call.id,
            caller_number=call.caller_number,
        )
        if form.validate()
        else None
    )
    template = "calls/_search_results.html" if is_htmx() else "calls/search_page.html"
    return render_template(template, call=call, form=form, results=results)


@bp.post("/calls/<int:call_id>/resident")
@staff_required(Capability.TAKE_CALLS)
def select_resident(call_id: int):
    now = clock.now()
    call = _open_call(call_id, now)
    resident_id = request.form.get("resident_id", type=int)
    if resident_id is None:
        return redirect(url_for("calls.show_call", call_id=call_id))
    calls.select_resident(call, resident_id, current_user, now)
    return _next_step(call_id, now)


@bp.post("/calls/<int:call_id>/resident/clear")
@staff_required(Capability.TAKE_CALLS)
def clear_resident(call_id: int):
    now = clock.now()
    call = _open_call(call_id, now)
    calls.clear_resident(call, current_user, now)
    return _next_step(call_id, now)


@bp.post("/calls/<int:call_id>/caller")
@staff_required(Capability.TAKE_CALLS)
def record_caller(call_id: int):
    now = clock.now()
    call = _open_call(call_id, now)
    holders = (
        permissions.holders_for_call(call.resident_id, clock.local(now).date())
        if call.resident_id is not None
        else []
    )
    form = CallerForm(prefix="caller", holders=holders)
    if form.validate_on_submit():
        calls.record_caller(
            call,
            CallerType(form.caller_type.data),
            (form.caller_name.data or "").strip(),
            Relationship(form.relationship.data) if form.relationship.data else None,
            current_user,
            now,
            permission_id=int(form.permission_id.data) if form.permission_id.data else None,
        )
        # Who is calling decides what comes next: the resident's questions, the
        # representative's own check, or (for anyone else) the report.
        return _next_step(call_id, now, saved=True)
    return _show(call_id, now, posted=Step.CALLER, forms={"caller_form": form})


def _posted_check_form():
    """The check the handler submitted, whatever the call now says: the service decides
    whether this caller may take it."""
    if "rep-passcode" in request.form:
        return RepresentativeVerifyForm(prefix="rep")
    if "code-code" in request.form:
        return TextCodeForm(prefix="code")
    return VerifyForm(prefix="verify")


@bp.post("/calls/<int:call_id>/verify")
@staff_required(Capability.TAKE_CALLS)
def verify_caller(call_id: int):
    now = clock.now()
    call = _open_call(call_id, now)
    form = _posted_check_form()
    key = "code_form" if isinstance(form, TextCodeForm) else "verify_form"
    if not form.validate_on_submit():
        offered = key == "code_form" or isinstance(form, type(check_form(call, formdata=None)))
        # Errors on a form this caller is not offered would show nowhere: a blank one instead.
        return _show(call_id, now, posted=Step.VERIFY, forms={key: form} if offered else {})
    shown_for = form.shown_for.data or ""
    try:
        if isinstance(form, TextCodeForm):
            report = text_codes.check_text_code(call, form.code.data, current_user.id, shown_for)
        elif isinstance(form, RepresentativeVerifyForm):
            report = verification.check_representative_passcode(
                call, form.passcode.data, current_user.id, shown_for
            )
        else:
            report = verification.check_resident_answers(
                call, form.answers(), current_user.id, shown_for
            )
    except Refused as refused:
        return _show(call_id, now, posted=Step.VERIFY, refused=(key, refused))
    return _show(call_id, now, changed=True, report=report, checked=report.lock)


@bp.post("/calls/<int:call_id>/text-code")
@staff_required(Capability.TAKE_CALLS)
def send_text_code(call_id: int):
    return _use_number_on_file(call_id, "send_code_form", _send_code, result="sent")


def _send_code(call, form: SendCodeForm, now: datetime):
    return text_codes.send_text_code(
        call, form.phone.data, current_user.id, form.shown_for.data or ""
    )


@bp.post("/calls/<int:call_id>/call-back")
@staff_required(Capability.TAKE_CALLS)
def ring_back(call_id: int):
    """Ring the resident back on a number on file, by its last digits, from the council's
    caller ID: a new leg of the same call."""
    return _use_number_on_file(call_id, "call_back_form", _ring_back, result="rung_back")


def _ring_back(call, form: CallBackForm, now: datetime):
    return call_backs.ring_back(
        call.id, form.phone.data, form.shown_for.data or "", current_user, now
    )


def _use_number_on_file(call_id: int, key: str, use, *, result: str):
    """A check that uses one of the caller's numbers on file, answered on the verification
    step: the form `key` again with its errors or the service's refusal, or what `use` did,
    as `result`. The forms do not check their choices: the service decides whether the
    number posted is this caller's, and may refuse."""
    now = clock.now()
    call = _open_call(call_id, now)
    form = number_on_file_form(key, text_codes.numbers_on_file(call))
    if not form.validate_on_submit():
        return _show(call_id, now, posted=Step.VERIFY, forms={key: form})
    try:
        done = use(call, form, now)
    except Refused as refused:
        return _show(call_id, now, posted=Step.VERIFY, refused=(key, refused))
    return _show(call_id, now, posted=Step.VERIFY, **{result: done})


@bp.post("/calls/<int:call_id>/consent")
@staff_required(Capability.TAKE_CALLS)
def record_verbal_consent(call_id: int):
    now = clock.now()
    call = _open_call(call_id, now)
    form = consent_form(_area_choices())
    granted = None
    if form.validate_on_submit():
        try:
            granted = permissions.grant_verbal_consent(
                call, form.representative(), form.terms(), form.safeguarding_answers(), current_user
            )
        except Refused as refused:
            show_refusal(form, refused)
    # Rendered, not redirected: the passcode is shown in this response and nowhere else.
    if granted:
        return _show(call_id, now, granted=granted, focus=Step.CONSENT)
    return _show(
        call_id, now, posted=Step.CONSENT, forms={"consent_form": form}, focus=Step.CONSENT
    )


@bp.post("/calls/<int:call_id>/phones/add")
@staff_required(Capability.TAKE_CALLS)
def add_phone_number(call_id: int):
    now = clock.now()
    call = _open_call(call_id, now)
    form = number_form("add_number_form")
    return _change_numbers(call, now, "add_number_form", form, form.asked)


@bp.post("/calls/<int:call_id>/phones/change")
@staff_required(Capability.TAKE_CALLS)
def change_phone_number(call_id: int):
    now = clock.now()
    call = _open_call(call_id, now)
    form = number_form("change_number_form", _numbers_shown(call))
    return _change_numbers(
        call, now, "change_number_form", form, lambda: form.asked(form.phone_id())
    )


@bp.post("/calls/<int:call_id>/phones/remove")
@staff_required(Capability.TAKE_CALLS)
def remove_phone_number(call_id: int):
    now = clock.now()
    call = _open_call(call_id, now)
    numbers = _numbers_shown(call)
    form = number_form("remove_number_form", numbers)
    if not form.confirmed.data and form.validate_on_submit():
        # Asked first, changing nothing: "Remove the mobile number ending 123?"
        chosen = [number for number in numbers if str(number.phone_id) == form.phone.data]
        if chosen:
            return _show(
                call.id,
                now,
                posted=Step.PHONES,
                forms={"remove_number_form": form},
                confirm_removal=chosen[0],
                focus=Step.PHONES,
            )
    return _change_numbers(
        call, now, "remove_number_form", form, lambda: form.asked(form.phone_id())
    )


def _numbers_shown(call) -> list:
    return phones.numbers_on_file(call.resident_id) if call.resident_id else []


def _change_numbers(call, now: datetime, key: str, form, asked):
    """Make the change the form asks for, checked by the service as every change on a call
    is; or show the form again with why not."""
    made = None
    if form.validate_on_submit():
        try:
            made = phones.change_on_call(call, asked(), current_user, form.shown_for.data or "")
        except Refused as refused:
            show_refusal(form, refused)
    if made is None:
        return _show(call.id, now, posted=Step.PHONES, forms={key: form}, focus=Step.PHONES)
    if not is_htmx():
        return done(made.summary, url_for("calls.show_call", call_id=call.id, _anchor="phones"))
    return _show(
        call.id, now, posted=Step.PHONES, changed=True, phone_change=made, focus=Step.PHONES
    )


@bp.get("/calls/<int:call_id>/record")
@staff_required(Capability.TAKE_CALLS)
def record_panel(call_id: int):
    """The record panel, decided again; `?page=` for older entries. Without htmx (a link
    followed with JavaScript off) it comes as a page of its own, with a way back to the call."""
    seen: CallWorkspace = workspace(
        call_id, signed_in_user(), clock.now(), Show.RECORD, page=requested_page()
    )
    template = "calls/_record_panel.html" if is_htmx() else "calls/record_page.html"
    return render_template(template, call=seen.call, panel=seen.record)


@bp.post("/calls/<int:call_id>/reports")
@staff_required(Capability.TAKE_CALLS)
def log_report(call_id: int):
    now = clock.now()
    call = _open_call(call_id, now)
    form = report_form(_area_choices(), call.caller_type is CallerType.UNKNOWN)
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
            return _show(call_id, now, posted=Step.REPORT, forms={"report_form": form})
        if is_htmx():
            # A blank form for the next report: one filled from this request would log the
            # same report, and send the same team, again. The end of the call comes too,
            # its outcome and summary now following from this report.
            return _show(call_id, now, posted=Step.REPORT, changed=True, logged=entry.id)
        return redirect(
            url_for(
                "calls.show_call", call_id=call_id, step="report", logged=entry.id, _anchor="report"
            )
        )
    return _show(call_id, now, posted=Step.REPORT, forms={"report_form": form})


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isascii() and value.isdigit() else None


@bp.post("/calls/<int:call_id>/end")
@staff_required(Capability.TAKE_CALLS)
def end_call(call_id: int):
    now = clock.now()
    try:
        call = _open_call(call_id, now)
    except NotFound:
        if calls.ended_by_handler(call_id, current_user):
            # Sent twice (a double press without JavaScript): the first one ended it.
            return redirect(url_for("calls.index", ended=call_id))
        raise
    form = EndCallForm(prefix="end")
    if form.validate_on_submit():
        calls.end_call(
            call, CallOutcome(form.outcome.data), form.summary_for_outcome(), current_user, now
        )
        return redirect(url_for("calls.index", ended=call_id))
    return _show(call_id, now, forms={"end_form": form})
