"""Driving an export through its pages, as the supervisor's browser would."""

import io
import json
import re
import zipfile

from app import clock
from app.demo import builders
from app.extensions import db
from app.models import Call
from app.rules.disclosure import VerifiedAs
from app.rules.subject_access import SECTIONS
from app.rules.vocabulary import CallerType
from app.services import calls
from tests.helpers import hidden_inputs


def representative_call_disclosed(resident, permission, handler) -> Call:
    """A call from the representative, verified with her permission's own check, on which
    the handler's record panel disclosed the record (twice: a refresh is one disclosure)."""
    call = builders.add_call(
        handler,
        resident,
        caller_number="+447700900456",
        caller_type=CallerType.REPRESENTATIVE,
        caller_name=permission.holder_name,
        caller_relationship=permission.holder_relationship,
        permission_id=permission.id,
        verified_as=VerifiedAs.REPRESENTATIVE,
    )
    db.session.commit()
    calls.record_panel(call, handler, clock.now())
    calls.record_panel(call, handler, clock.now())
    return call


def start_export(client, resident_id: int, **fields):
    """Post the start form (with the page's CSRF token); returns the response."""
    path = f"/subject-access/residents/{resident_id}"
    form = hidden_inputs(client.get(path).get_data(as_text=True))
    data = {
        "csrf_token": form.get("csrf_token", ""),
        "reason": "Letter from the resident received on 1 November",
        **fields,
    }
    return client.post(path, data={k: v for k, v in data.items() if v is not None})


def export_id_of(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/subject-access/exports/(\d+)$", response.headers["Location"]).group(1))


def gather(client, export_id: int, htmx: bool = True):
    path = f"/subject-access/exports/{export_id}"
    token = hidden_inputs(client.get(path).get_data(as_text=True)).get("csrf_token", "")
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(path + "/gather", data={"csrf_token": token}, headers=headers)


def gather_all(client, export_id: int) -> None:
    for _ in SECTIONS:
        assert gather(client, export_id).status_code == 200


def download(client, export_id: int):
    return client.get(f"/subject-access/exports/{export_id}/download")


def produce(client, resident_id: int, **fields) -> tuple[str, dict, zipfile.ZipFile]:
    """Start, gather and download an export: (index.html, data.json, the zip)."""
    export_id = export_id_of(start_export(client, resident_id, **fields))
    gather_all(client, export_id)
    response = download(client, export_id)
    assert response.status_code == 200, response.get_data(as_text=True)
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    html = archive.read("index.html").decode()
    data = json.loads(archive.read("data.json"))
    return html, data, archive
