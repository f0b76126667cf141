"""Tabs gathering one export at once, against a live server: each section is gathered once
and the export ends ready. Runs on SQLite and on PostgreSQL."""

import re

from app.extensions import db
from app.models import SubjectAccessExport
from app.rules.subject_access import SECTIONS
from app.rules.vocabulary import ExportStatus, Role
from tests import factories
from tests.calls.test_concurrency import Browser, _together


def test_tabs_gathering_at_once_gather_each_section_once(live_server, resident):
    supervisor = factories.make_staff(Role.SUPERVISOR)
    first = Browser(live_server, supervisor)
    started = first.post(
        f"/subject-access/residents/{resident.id}",
        {"reason": "Letter from the resident received on 1 November"},
    )
    export_id = int(re.search(r"/exports/(\d+)$", started.headers["Location"]).group(1))
    tabs = [first, *(first.another_tab() for _ in range(3))]
    path = f"{live_server}/subject-access/exports/{export_id}/gather"

    for _ in SECTIONS:
        answers = _together(
            *(
                lambda tab=tab: tab.http.post(
                    path, data={"csrf_token": tab.token}, headers={"HX-Request": "true"}
                )
                for tab in tabs
            )
        )
        assert {answer.status_code for answer in answers} == {200}
        db.session.expire_all()
        if db.session.get(SubjectAccessExport, export_id).status is ExportStatus.READY:
            break

    export = db.session.get(SubjectAccessExport, export_id)
    assert export.status is ExportStatus.READY
    assert export.progress == len(SECTIONS)
    assert set(export.counts) == {section.value for section in SECTIONS}
