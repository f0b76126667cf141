from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import navigation
from app.disputes import bp
from app.disputes.forms import AssignForm, DecisionForm, QueueFilterForm
from app.pagination import paginated
from app.refusals import Refused, show_refusal
from app.rules.vocabulary import Role
from app.security import staff_required
from app.services import disputes

DISPUTE_STAFF = (Role.SUPERVISOR, Role.ADMIN)
PER_PAGE = 25
navigation.register("disputes.index", "Disputes", *DISPUTE_STAFF)


@bp.get("/disputes")
@staff_required(*DISPUTE_STAFF)
def index():
    filters = QueueFilterForm(request.args)
    area, status = filters.filters()
    rows, pagination = paginated(
        lambda page: disputes.dispute_queue(current_user, page, PER_PAGE, area=area, status=status),
        PER_PAGE,
    )
    return render_template(
        "disputes/index.html", rows=rows, pagination=pagination, filters=filters, form=None
    )


@bp.route("/disputes/<int:dispute_id>", methods=["GET", "POST"])
@staff_required(*DISPUTE_STAFF)
def show_dispute(dispute_id: int):
    dispute = disputes.get_dispute_or_404(dispute_id, current_user)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            disputes.decide_dispute(dispute, *form.decision(), current_user)
        except Refused as refused:
            show_refusal(form, refused)
        else:
            flash("Decision recorded. The resident will be told by text", "success")
            return redirect(url_for("disputes.show_dispute", dispute_id=dispute_id))
    page = disputes.view_dispute(dispute, current_user)
    return render_template(
        "disputes/show_dispute.html", page=page, form=form, assign_form=AssignForm()
    )


@bp.post("/disputes/<int:dispute_id>/assign")
@staff_required(*DISPUTE_STAFF)
def assign_dispute(dispute_id: int):
    dispute = disputes.get_dispute_or_404(dispute_id, current_user)
    if AssignForm().validate_on_submit():
        disputes.assign_to(dispute, current_user)
        flash("The dispute is assigned to you", "success")
    return redirect(url_for("disputes.show_dispute", dispute_id=dispute_id))
