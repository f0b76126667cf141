from flask import render_template, request, url_for
from flask_login import current_user

from app import clock, navigation
from app.duty_to_share import bp
from app.duty_to_share.forms import ShareDecisionForm, ShareRequestForm, WaitingFilterForm
from app.filters import area_name
from app.pages import done, filtered_list, submitted
from app.rules.capabilities import Capability
from app.security import staff_required
from app.services import calls, duty_to_share
from app.services.service_areas import active_areas

navigation.register("duty_to_share.index", "Duty to share", Capability.DECIDE_DUTY_TO_SHARE)


@bp.route("/calls/<int:call_id>/duty-to-share", methods=["GET", "POST"])
@staff_required(Capability.TAKE_CALLS)
def request_share(call_id: int):
    """The handler of a live call asks to share without the resident's permission."""
    call = calls.get_open_call_or_404(call_id, current_user)
    form = ShareRequestForm(area_choices=[(area.code, area.name) for area in active_areas()])
    if made := submitted(form, lambda: duty_to_share.request_share(call, form.ask(), current_user)):
        return done(
            "Shared now: a supervisor must approve within 24 hours"
            if made.result.urgent
            else "Request sent: a supervisor will decide",
            url_for("calls.show_call", call_id=call.id, _anchor="record"),
        )
    return render_template(
        "duty_to_share/request_share.html",
        call=call,
        form=form,
        caller=duty_to_share.caller_on(call),
    )


@bp.get("/duty-to-share")
@staff_required(Capability.DECIDE_DUTY_TO_SHARE)
def index():
    filters = WaitingFilterForm(request.args)
    overdue_only = filters.overdue_only()
    return filtered_list(
        "duty_to_share/index.html",
        filters,
        lambda page, per_page: duty_to_share.waiting_requests(
            page, per_page, now=clock.now(), overdue_only=overdue_only
        ),
        overdue_only=overdue_only,
    )


@bp.route("/duty-to-share/<int:request_id>", methods=["GET", "POST"])
@staff_required(Capability.DECIDE_DUTY_TO_SHARE)
def show_request(request_id: int):
    share = duty_to_share.get_request_or_404(request_id)
    form = ShareDecisionForm(
        area_choices=[(code, area_name(code)) for code in sorted(share.requested_codes)]
    )
    if not form.is_submitted():
        form.areas.data = sorted(share.requested_codes)
    if submitted(
        form,
        lambda: duty_to_share.decide_request(share, *form.decided(), current_user, clock.now()),
    ):
        return done(
            "Decision recorded", url_for("duty_to_share.show_request", request_id=request_id)
        )
    page = duty_to_share.view_request(share, current_user, clock.now())
    return render_template("duty_to_share/show_request.html", page=page, form=form)
