from flask import g
from sqlalchemy import select

from app.extensions import db
from app.models import ServiceAreaRecord


def active_areas() -> list[ServiceAreaRecord]:
    """The service areas in use, read once per request."""
    if "active_areas" not in g:
        stmt = (
            select(ServiceAreaRecord)
            .where(ServiceAreaRecord.is_active.is_(True))
            .order_by(ServiceAreaRecord.name)
        )
        g.active_areas = list(db.session.scalars(stmt))
    return g.active_areas


def active_area_codes() -> frozenset[str]:
    return frozenset(area.code for area in active_areas())


def area_names() -> dict[str, str]:
    """Names by code, read once per request."""
    if "area_names" not in g:
        g.area_names = {
            area.code: area.name for area in db.session.scalars(select(ServiceAreaRecord))
        }
    return g.area_names
