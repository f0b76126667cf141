"""Residents' requests to end a legal authority: supervisors list them, check with the
resident and decide (docs/rules.md rule 4)."""

from flask import render_template, request, url_for
from flask_login import current_user

from app import clock
from app.pages import done, filtered_list, submitted
from app.permissions import bp
from app.permissions.forms import EndDecisionForm, EndRequestFilterForm
from app.rules import authority_ends as rules
from app.rules.capabilities import Capability
from app.rules.vocabulary import AuthorityEndStatus
from app.security import staff_required
from app.services import authority_ends


@bp.get("/permissions/end-requests")
@staff_required(Capability.DECIDE_AUTHORITY_ENDS)
def end_requests():
    filters = EndRequestFilterForm(request.args)
    status = filters.chosen()
    return filtered_list(
        "permissions/end_requests.html",
        filters,
        lambda page, per_page: authority_ends.requests_list(page, per_page, status),
        waiting_only=status is AuthorityEndStatus.WAITING,
    )


@bp.route("/permissions/end-requests/<int:request_id>", methods=["GET", "POST"])
@staff_required(Capability.DECIDE_AUTHORITY_ENDS)
def show_end_request(request_id: int):
    asked = authority_ends.get_request_or_404(request_id)
    form = EndDecisionForm(issuing_body=rules.issuing_body(asked.permission.kind))
    if submitted(
        form, lambda: authority_ends.decide(asked, *form.decided(), current_user, clock.now())
    ):
        return done(
            "Decision recorded. The resident will be told by text",
            url_for("permissions.show_end_request", request_id=request_id),
        )
    page = authority_ends.view_request(asked, current_user, clock.today())
    return render_template("permissions/show_end_request.html", page=page, form=form)
