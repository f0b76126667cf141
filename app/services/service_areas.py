"""The council's service areas, as the database has them. Each call reads them afresh: a
caller that needs them several times in one request loads them once and passes them on (the
`area_name` template filter keeps its own copy for the request, app/filters.py)."""

from sqlalchemy import select

from app.extensions import db
from app.models import ServiceAreaRecord


def active_areas() -> list[ServiceAreaRecord]:
    """The service areas in use, by name."""
    stmt = (
        select(ServiceAreaRecord)
        .where(ServiceAreaRecord.is_active.is_(True))
        .order_by(ServiceAreaRecord.name)
    )
    return list(db.session.scalars(stmt))


def active_area_codes() -> frozenset[str]:
    return frozenset(area.code for area in active_areas())


def area_names() -> dict[str, str]:
    """Every area's name (in use or not), by code."""
    return {area.code: area.name for area in db.session.scalars(select(ServiceAreaRecord))}
