"""The audit chain's head, kept where the database cannot rewrite it (docs/architecture.md,
"The audit log"; the line and its MAC are app/rules/audit_chain.py).

Every sealing round that sealed something writes one line naming the new head (the newest
sealed event, its seal, when) with a MAC of the line, to an append-only file
(`AUDIT_HEAD_FILE`) and/or to syslog (`AUDIT_HEAD_SYSLOG`). The file's last line is read back
by the sealer before it seals and by `flask audit verify`: the chain in the database must
still reach the head it names. Syslog is written only; it is there to be kept off the host.
"""

import logging
import logging.handlers
import os
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from app.rules import audit_chain
from app.rules.audit_chain import HeadMark

# Enough of the file's end to hold its last line several times over (a line is ~190 bytes).
TAIL_BYTES = 4096


@dataclass(frozen=True)
class HeadReading:
    """What the head file says: its last head, or why there is none.

    `path` is None when no head file is set. `problem` means the last line is not one the
    sealer wrote with this key; `unavailable` says the file is missing, empty or unreadable.
    """

    path: str | None
    mark: HeadMark | None = None
    problem: str | None = None
    unavailable: str | None = None


def head_file() -> str | None:
    return current_app.config.get("AUDIT_HEAD_FILE") or None


def read(key: bytes) -> HeadReading:
    """The head named by the head file's last complete line (a line still being written, with
    no newline yet, is not one)."""
    path = head_file()
    if path is None:
        return HeadReading(None)
    try:
        with open(path, "rb") as file:
            size = file.seek(0, os.SEEK_END)
            file.seek(max(0, size - TAIL_BYTES))
            tail = file.read()
    except FileNotFoundError:
        return HeadReading(path, unavailable=f"the head file {path} does not exist")
    except OSError as error:
        return HeadReading(path, unavailable=f"the head file {path} cannot be read ({error})")
    lines = tail.split(b"\n")[:-1]
    if size > TAIL_BYTES:
        lines = lines[1:]  # the first may start part way through a line
    if not lines:
        return HeadReading(path, unavailable=f"the head file {path} has no line")
    mark = audit_chain.read_head_line(key, lines[-1].decode(errors="replace"))
    if mark is None:
        return HeadReading(
            path,
            problem=f"the last line of the head file {path} is not one the sealer wrote with "
            "this key: it was edited or forged",
        )
    return HeadReading(path, mark)


def write(key: bytes, mark: HeadMark) -> None:
    """Append the head's line to the head file, synced to disk, and send it to syslog."""
    line = audit_chain.head_line(key, mark)
    path = head_file()
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(descriptor, f"{line}\n".encode())
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    address = current_app.config.get("AUDIT_HEAD_SYSLOG")
    if address:
        _syslog(address).info(line)


def _syslog(address: str) -> logging.Logger:
    """A logger of its own for the head lines (never the app's, whose level and handlers are
    the deployment's to change), made once per app and address."""
    made = current_app.extensions.get("audit_head_syslog")
    if made is not None and made[0] == address:
        return made[1]
    logger = logging.Logger("audit-head", logging.INFO)
    handler = logging.handlers.SysLogHandler(address=syslog_address(address))
    handler.ident = "caller-verification: "
    logger.addHandler(handler)
    current_app.extensions["audit_head_syslog"] = (address, logger)
    return logger


def syslog_address(address: str) -> str | tuple[str, int]:
    """`AUDIT_HEAD_SYSLOG` as SysLogHandler takes it: a socket path (/dev/log) as it is,
    else `host` or `host:port` (UDP, port 514 unless given)."""
    if address.startswith("/"):
        return address
    host, _, port = address.rpartition(":") if ":" in address else (address, "", "")
    return (host, int(port)) if port else (host, logging.handlers.SYSLOG_UDP_PORT)
