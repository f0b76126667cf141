"""The web layer's half of `audit.Origin`: each request's audit events name the client's
address, and the member of staff signed in with their role, without the services reading
the request or the signed-in user themselves."""

from dataclasses import replace

from flask import Flask, g, request

from app.services import audit


def init_audit_origin(app: Flask) -> None:
    @app.before_request
    def _origin_of_request() -> None:
        g.audit_origin = audit.set_origin(audit.Origin(address=request.remote_addr))

    @app.teardown_request
    def _forget_origin(error: BaseException | None) -> None:
        token = g.pop("audit_origin", None)
        if token is not None:
            audit.reset_origin(token)


def staff_loaded(staff_id: int, role: str) -> None:
    """The request's member of staff is known: events they cause name their role as it is."""
    audit.set_origin(replace(audit.current_origin(), staff_id=staff_id, role=role))
