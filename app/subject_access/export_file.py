"""The subject access zip: the printable page, drawn from what the service gathered, and the
same data as JSON beside it. Built on each download, in memory, and never stored."""

import io
import zipfile

from flask import render_template

from app.services.subject_access import Downloaded


def zipped(export: Downloaded) -> bytes:
    page = render_template("subject_access/export.html", export=export)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("index.html", page)
        archive.writestr("data.json", export.data_json)
    return buffer.getvalue()
