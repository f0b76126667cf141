from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from app import clock, navigation
from app.dispatches import bp
from app.dispatches.forms import DispatchOutcomeForm
from app.pagination import page_of
from app.rules.capabilities import Capability
from app.rules.vocabulary import DispatchOutcome, Urgency
from app.security import staff_required
from app.services import dispatches, entries

navigation.register("dispatches.index", "Dispatches", Capability.SEE_DISPATCHES)
PRIORITY_TAGS = {
    Urgency.EMERGENCY: "govuk-tag--red",
    Urgency.URGENT: "govuk-tag--orange",
    Urgency.ROUTINE: "govuk-tag--grey",
}


@bp.get("/dispatches")
@staff_required(Capability.SEE_DISPATCHES)
def index():
    listed, pagination = page_of(
        lambda page, per_page: dispatches.open_dispatches(current_user, page, per_page)
    )
    return render_template(
        "dispatches/index.html",
        dispatches=listed,
        pagination=pagination,
        priority_tags=PRIORITY_TAGS,
    )


@bp.get("/dispatches/<int:dispatch_id>")
@staff_required(Capability.SEE_DISPATCHES)
def show_dispatch(dispatch_id: int):
    """Everything the team needs to act on one dispatch, as need to know allows."""
    seen = dispatches.view_dispatch(dispatch_id, current_user)
    return render_template(
        "dispatches/show_dispatch.html",
        dispatch=seen.dispatch,
        shown=seen.shown,
        priority_tags=PRIORITY_TAGS,
    )


@bp.route("/dispatches/<int:dispatch_id>/outcome", methods=["GET", "POST"])
@staff_required(Capability.SEE_DISPATCHES)
def record_outcome(dispatch_id: int):
    dispatch = entries.get_dispatch_or_404(dispatch_id, current_user)
    if dispatch.closed_at is not None:
        flash("That dispatch already has an outcome", "info")
        return redirect(url_for("dispatches.index"))
    form = DispatchOutcomeForm()
    if form.validate_on_submit():
        entries.record_dispatch_outcome(
            dispatch,
            DispatchOutcome(form.outcome.data),
            (form.notes.data or "").strip(),
            current_user,
            clock.now(),
        )
        flash(f"Outcome recorded for dispatch {dispatch.id}", "success")
        return redirect(url_for("dispatches.index"))
    return render_template("dispatches/record_outcome.html", dispatch=dispatch, form=form)
