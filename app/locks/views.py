from flask import render_template, url_for
from flask_login import current_user

from app import navigation
from app.locks import bp
from app.locks.forms import UnlockForm
from app.pages import done, submitted
from app.pagination import page_of
from app.rules.capabilities import Capability
from app.security import staff_required
from app.services import residents, verification

navigation.register("locks.index", "Locked records", Capability.UNLOCK_RECORDS)


@bp.get("/locks")
@staff_required(Capability.UNLOCK_RECORDS)
def index():
    locked, pagination = page_of(verification.locked_residents)
    return render_template("locks/index.html", locked=locked, pagination=pagination)


@bp.route("/locks/<int:resident_id>/unlock", methods=["GET", "POST"])
@staff_required(Capability.UNLOCK_RECORDS)
def unlock(resident_id: int):
    resident = residents.get_resident_or_404(resident_id)
    lock = verification.lock_state(resident.id)
    if not lock.locked:
        return done(
            "Phone verification for that record is not locked", url_for("locks.index"), "info"
        )
    form = UnlockForm()
    if submitted(form, lambda: verification.unlock(resident.id, current_user.id, form.reason.data)):
        return done(
            "Phone verification unlocked. Handlers can verify callers by phone again",
            url_for("locks.index"),
        )
    return render_template("locks/unlock.html", resident=resident, lock=lock, form=form)
