"""Where the chain's head goes: the head file, read back from its last complete line, and
syslog, through a real socket."""

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.extensions import db
from app.rules.audit_chain import read_head_line
from app.services import audit, audit_head


def _write_and_seal(count: int) -> int:
    events = [audit.record("test.event", n=n) for n in range(count)]
    db.session.commit()
    audit.seal_pending()
    return events[-1].id


@pytest.fixture
def syslog_server(app, monkeypatch) -> Iterator[socket.socket]:
    """A UDP socket standing in for the syslog server, named in AUDIT_HEAD_SYSLOG."""
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind(("127.0.0.1", 0))
    server.settimeout(5)
    monkeypatch.setitem(app.config, "AUDIT_HEAD_SYSLOG", f"127.0.0.1:{server.getsockname()[1]}")
    yield server
    server.close()
    app.extensions.pop("audit_head_syslog", None)


def test_the_head_goes_to_syslog_as_the_same_line(app, syslog_server):
    head = _write_and_seal(2)

    message = syslog_server.recv(4096).decode().rstrip("\x00\n")

    line = message[message.index("audit-head") :]
    assert read_head_line(audit.chain_key(), line).event_id == head
    assert line == Path(app.config["AUDIT_HEAD_FILE"]).read_text().strip()


def test_syslog_alone_needs_no_file(app, syslog_server, monkeypatch):
    monkeypatch.setitem(app.config, "AUDIT_HEAD_FILE", None)

    head = _write_and_seal(1)

    message = syslog_server.recv(4096).decode()
    assert f"event={head} " in message


@pytest.mark.parametrize(
    ("setting", "address"),
    [
        ("/dev/log", "/dev/log"),
        ("logs.council.example", ("logs.council.example", 514)),
        ("logs.council.example:1514", ("logs.council.example", 1514)),
        ("10.0.0.5:514", ("10.0.0.5", 514)),
    ],
)
def test_the_syslog_address(setting, address):
    assert audit_head.syslog_address(setting) == address


def test_the_head_file_is_read_from_its_last_complete_line(app):
    head = _write_and_seal(1)
    path = Path(app.config["AUDIT_HEAD_FILE"])
    with path.open("a") as file:
        file.write("audit-head event=99")  # a line still being written

    reading = audit_head.read(audit.chain_key())

    assert reading.mark.event_id == head
    assert reading.problem is None


def test_a_long_head_file_is_read_from_its_end(app):
    heads = [_write_and_seal(1) for _ in range(30)]
    path = Path(app.config["AUDIT_HEAD_FILE"])

    assert path.stat().st_size > audit_head.TAIL_BYTES
    assert len(path.read_text().splitlines()) == 30
    assert audit_head.read(audit.chain_key()).mark.event_id == heads[-1]


def test_a_head_line_appended_after_the_last_is_what_counts(app):
    _write_and_seal(1)
    path = Path(app.config["AUDIT_HEAD_FILE"])
    with path.open("a") as file:
        file.write("forged\n")

    reading = audit_head.read(audit.chain_key())

    assert reading.mark is None
    assert "is not one the sealer wrote" in reading.problem
