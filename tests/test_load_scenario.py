"""The simulated handler `make load` drives (benchmarks/load_scenario.py) works a whole call
through the real routes: if a route or form changes, this fails before a load run does."""

from sqlalchemy import select

from app.extensions import db
from app.models import Call, Entry
from app.rules.disclosure import VerifiedAs
from benchmarks.load_scenario import Caller, Handler, Response
from tests import factories


def test_one_simulated_call_runs_start_to_end(app, resident):
    staff = factories.make_staff()
    db.session.commit()
    client = app.test_client()
    names = []

    def browser(method, url, name, data=None, htmx=False):
        names.append(name)
        response = client.open(
            url, method=method, data=data, headers={"HX-Request": "true"} if htmx else {}
        )
        return Response(
            response.status_code,
            response.headers.get("Location", ""),
            response.get_data(as_text=True),
        )

    handler = Handler(browser, staff.email, factories.PASSWORD)
    handler.sign_in()
    handler.work_call(
        Caller(
            resident_id=resident.id,
            name="Margaret Okafor",
            misspelt="Margret Okafer",
            phone="07700 900123",
            date_of_birth="14 3 1948",
            postcode="le1 5ab",
        )
    )

    call = db.session.scalars(select(Call)).one()
    assert not call.is_open
    assert call.resident_id == resident.id
    assert call.verified_as is VerifiedAs.RESIDENT
    assert db.session.scalars(select(Entry).where(Entry.resident_id == resident.id)).one()
    assert "/calls/[id]/search [misspelt name]" in names
    assert all("?" not in name or name == "/calls?ended" for name in names)
