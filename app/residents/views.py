from flask import abort, render_template, request, url_for
from flask_login import current_user

from app import clock, navigation
from app.htmx import is_htmx
from app.pages import done, submitted
from app.residents import bp
from app.residents.forms import (
    FindRecordForm,
    RecordReasonForm,
    RevealDetailForm,
    SupervisorAddNumberForm,
    SupervisorChangeNumberForm,
    SupervisorRemoveNumberForm,
    reveal_forms,
)
from app.rules.capabilities import Capability
from app.rules.need_to_know import RESIDENT_DETAILS
from app.security import staff_required
from app.services import phones, residents, search

navigation.register("residents.find_record", "Records", Capability.OPEN_RECORDS)


@bp.route("/residents", methods=["GET", "POST"])
@staff_required(Capability.OPEN_RECORDS)
def find_record():
    # Searches are posted: a name, postcode or phone number in an address would be kept
    # in access logs, proxies and browser history. A GET shows the empty finder.
    form = FindRecordForm()
    typed = (form.q.data or "").strip()
    results = (
        search.find_residents(typed, staff_id=current_user.id)
        if typed and form.validate_on_submit()
        else None
    )
    template = "residents/_find_results.html" if is_htmx() else "residents/find_record.html"
    return render_template(template, form=form, results=results)


@bp.route("/residents/<int:resident_id>", methods=["GET", "POST"])
@staff_required(Capability.OPEN_RECORDS)
def view_record(resident_id: int):
    # Only the id is used until a reason is given: not even the name is shown before.
    residents.get_resident_or_404(resident_id)
    form = RecordReasonForm()
    if form.validate_on_submit():
        # Rendered, not redirected: no address ever shows a record without its reason.
        record = residents.view_record(resident_id, current_user, form.reason.data, clock.today())
        return render_template(
            "residents/record.html",
            record=record,
            purpose=form.reason.data,
            reveal_forms=reveal_forms(RESIDENT_DETAILS),
        )
    return render_template("residents/view_record.html", resident_id=resident_id, form=form)


@bp.post("/residents/<int:resident_id>/reveal/<detail>")
@staff_required(Capability.OPEN_RECORDS)
def reveal_detail(resident_id: int, detail: str):
    resident = residents.get_resident_or_404(resident_id)
    hidden = residents.resident_detail_or_404(detail)
    form = RevealDetailForm(prefix=hidden.value, noun=hidden.label)
    revealed = submitted(
        form,
        lambda: residents.reveal_detail(
            resident, hidden, current_user, form.reason.data, clock.now()
        ),
    )
    # The value is in this response only: never in an address, a cookie or the audit log.
    template = "residents/_detail_row.html" if is_htmx() else "residents/reveal_detail.html"
    return render_template(
        template,
        resident=resident,
        detail=hidden,
        hidden=residents.hidden_details(resident, clock.today()),
        form=form,
        revealed=revealed.result if revealed else None,
    )


# Numbers on file, outside a call: a supervisor's change, from written evidence, with a reason
# (app/rules/phone_changes.py). On a call the handler changes them with the resident verified.


@bp.get("/residents/<int:resident_id>/phone-numbers")
@staff_required(Capability.CHANGE_NUMBERS_ON_FILE)
def phone_numbers(resident_id: int):
    resident = residents.get_resident_or_404(resident_id)
    return render_template(
        "residents/phone_numbers.html",
        resident=resident,
        hidden=residents.hidden_details(resident, clock.today()),
        numbers=phones.numbers_on_file(resident.id),
        history=phones.history_of(resident.id),
    )


@bp.route("/residents/<int:resident_id>/phone-numbers/add", methods=["GET", "POST"])
@staff_required(Capability.CHANGE_NUMBERS_ON_FILE)
def add_phone_number(resident_id: int):
    resident = residents.get_resident_or_404(resident_id)
    form = SupervisorAddNumberForm()
    return _supervisor_change(resident, form, lambda: form.asked(), "Add a number")


@bp.route(
    "/residents/<int:resident_id>/phone-numbers/<int:phone_id>/change", methods=["GET", "POST"]
)
@staff_required(Capability.CHANGE_NUMBERS_ON_FILE)
def change_phone_number(resident_id: int, phone_id: int):
    return _change_on_file(
        resident_id,
        phone_id,
        "Change a number",
        lambda number: SupervisorChangeNumberForm(data={"label": number and number.label}),
    )


@bp.route(
    "/residents/<int:resident_id>/phone-numbers/<int:phone_id>/remove", methods=["GET", "POST"]
)
@staff_required(Capability.CHANGE_NUMBERS_ON_FILE)
def remove_phone_number(resident_id: int, phone_id: int):
    return _change_on_file(
        resident_id, phone_id, "Remove a number", lambda number: SupervisorRemoveNumberForm()
    )


def _change_on_file(resident_id: int, phone_id: int, title: str, make_form):
    """A change to one of the numbers on file: its page, or the change posted on it."""
    resident = residents.get_resident_or_404(resident_id)
    number = _number_or_404(resident.id, phone_id)
    form = make_form(number)
    return _supervisor_change(resident, form, lambda: form.asked(phone_id), title, number=number)


def _number_or_404(resident_id: int, phone_id: int):
    """The number a change page is about. Shown only while it is on the resident's file; a
    form posted for one that is not (anyone else's, or one changed meanwhile) goes on to the
    service, which refuses it on the page and changes nothing."""
    number = phones.number_on_file(resident_id, phone_id)
    if number is None and request.method != "POST":
        abort(404)
    return number


def _supervisor_change(resident, form, asked, title: str, number=None):
    """One of the supervisor's changes: made, and back to the numbers on file; or the page
    again, with why not."""
    if not form.is_submitted():
        form.seen.data = phones.numbers_version(resident.id)
    made = submitted(
        form,
        lambda: phones.change_by_supervisor(
            resident.id, asked(), current_user, form.reason.data, form.evidence.data, clock.now()
        ),
    )
    if made:
        return done(
            made.result.summary, url_for("residents.phone_numbers", resident_id=resident.id)
        )
    return render_template(
        "residents/change_phone_number.html",
        resident=resident,
        hidden=residents.hidden_details(resident, clock.today()),
        form=form,
        number=number,
        title=title,
    )
