from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import clock, navigation
from app.disputes import bp
from app.disputes.forms import AssignForm, CallDisputeForm, DecisionForm, QueueFilterForm
from app.filters import area_name, local_time
from app.forms import choices
from app.htmx import is_htmx
from app.models import Entry
from app.pages import done, filtered_list, submitted
from app.references import format_reference
from app.rules.capabilities import Capability
from app.rules.disputes import recorded_message
from app.security import staff_required
from app.services import calls, disputes

navigation.register("disputes.index", "Disputes", Capability.DECIDE_DISPUTES)


@bp.get("/disputes")
@staff_required(Capability.DECIDE_DISPUTES)
def index():
    filters = QueueFilterForm(request.args)
    area, status = filters.filters()
    return filtered_list(
        "disputes/index.html",
        filters,
        lambda page, per_page: disputes.dispute_queue(
            current_user,
            page,
            per_page,
            today=clock.today(),
            area=area,
            status=status,
            reference=filters.typed_reference(),
        ),
    )


@bp.route("/disputes/<int:dispute_id>", methods=["GET", "POST"])
@staff_required(Capability.DECIDE_DISPUTES)
def show_dispute(dispute_id: int):
    dispute = disputes.get_dispute_or_404(dispute_id, current_user)
    form = DecisionForm()
    if submitted(
        form,
        lambda: disputes.decide_dispute(dispute, *form.decision(), current_user, clock.now()),
    ):
        return done(
            "Decision recorded. The resident will be told by text",
            url_for("disputes.show_dispute", dispute_id=dispute_id),
        )
    page = disputes.view_dispute(dispute, current_user, clock.today())
    return render_template(
        "disputes/show_dispute.html", page=page, form=form, assign_form=AssignForm()
    )


@bp.post("/disputes/<int:dispute_id>/assign")
@staff_required(Capability.DECIDE_DISPUTES)
def assign_dispute(dispute_id: int):
    dispute = disputes.get_dispute_or_404(dispute_id, current_user)
    if AssignForm().validate_on_submit():
        disputes.assign_to(dispute, current_user)
        flash("The dispute is assigned to you", "success")
    return redirect(url_for("disputes.show_dispute", dispute_id=dispute_id))


def _entry_choices(entries: list[Entry]) -> list[tuple[str, str]]:
    return [
        (
            str(entry.id),
            f"{local_time(entry.created_at)}, {area_name(entry.area_code)}: {entry.summary[:80]}",
        )
        for entry in entries
    ]


@bp.app_context_processor
def _blank_call_dispute_form() -> dict:
    """The record panel of a call shows a blank dispute form when the caller is verified as
    the resident; this makes it, for whichever view renders the panel."""
    return {
        "blank_call_dispute_form": lambda entries: CallDisputeForm(
            formdata=None, entries=_entry_choices(entries)
        )
    }


@bp.post("/calls/<int:call_id>/disputes")
@staff_required(Capability.TAKE_CALLS)
def record_dispute(call_id: int):
    """A handler records a dispute the resident, verified on this call, makes."""
    call = calls.get_open_call_or_404(call_id, current_user)
    form = CallDisputeForm(entries=[])
    opened = submitted(
        form, lambda: disputes.open_dispute_on_call(call, *form.dispute(), current_user)
    )
    panel = calls.record_panel(call, current_user, clock.now())
    form.entry_id.choices = choices(_entry_choices(panel.disputable))
    if opened:
        if is_htmx():
            return render_template(
                "calls/_record_panel.html", call=call, panel=panel, recorded=opened.result
            )
        return done(
            recorded_message(opened.result.due_on, format_reference(opened.result.reference)),
            url_for("calls.show_call", call_id=call.id, _anchor="record"),
        )
    if is_htmx():
        return render_template(
            "calls/_record_panel.html", call=call, panel=panel, dispute_form=form
        )
    return render_template("disputes/record_dispute.html", call=call, panel=panel, form=form)
