from flask import redirect, render_template, url_for
from flask_login import current_user

from app import clock, navigation
from app.pages import done, submitted
from app.pagination import page_of
from app.retention import bp
from app.retention.forms import LiftHoldForm, SetHoldForm
from app.rules.capabilities import Capability
from app.security import staff_required
from app.services import legal_holds, residents
from app.services.subject_access import find_resident_by_reference
from app.subject_access.forms import FindResidentForm

navigation.register("retention.index", "Legal holds", Capability.SET_LEGAL_HOLDS)


@bp.route("/legal-holds", methods=["GET", "POST"])
@staff_required(Capability.SET_LEGAL_HOLDS)
def index():
    # A hold is set from here with the resident's reference number (posted, never in an
    # address) and then one reason, without opening the record (and typing why) first.
    form = FindResidentForm()
    if found := submitted(form, lambda: find_resident_by_reference(form.reference.data)):
        return redirect(url_for("retention.set_hold", resident_id=found.result.id))
    holds, pagination = page_of(legal_holds.holds_in_force)
    return render_template("retention/index.html", holds=holds, pagination=pagination, form=form)


@bp.route("/residents/<int:resident_id>/legal-hold", methods=["GET", "POST"])
@staff_required(Capability.SET_LEGAL_HOLDS)
def set_hold(resident_id: int):
    resident = residents.get_resident_or_404(resident_id)
    hold = legal_holds.hold_in_force(resident.id)
    if hold is not None:
        return redirect(url_for("retention.lift_hold", resident_id=resident.id, hold_id=hold.id))
    form = SetHoldForm()
    if submitted(
        form, lambda: legal_holds.set_hold(resident, form.reason.data, current_user, clock.now())
    ):
        return done(
            "Legal hold set. Nothing on the record will be removed while it is in force",
            url_for("retention.index"),
        )
    return render_template("retention/set_hold.html", resident=resident, form=form)


@bp.route("/residents/<int:resident_id>/legal-holds/<int:hold_id>/lift", methods=["GET", "POST"])
@staff_required(Capability.SET_LEGAL_HOLDS)
def lift_hold(resident_id: int, hold_id: int):
    resident = residents.get_resident_or_404(resident_id)
    hold = legal_holds.get_hold_or_404(resident.id, hold_id)
    form = LiftHoldForm()
    if not hold.in_force and not form.validate_on_submit():
        return done("That legal hold was already lifted", url_for("retention.index"), "info")
    if submitted(
        form, lambda: legal_holds.lift_hold(hold, form.reason.data, current_user, clock.now())
    ):
        return done(
            "Legal hold lifted. The record follows the retention schedule again",
            url_for("retention.index"),
        )
    return render_template("retention/lift_hold.html", resident=resident, hold=hold, form=form)
