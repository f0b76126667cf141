"""Factories for test data: real rows in the test database, with overridable defaults."""

from datetime import date
from itertools import count

from app.extensions import db
from app.models import Resident, ResidentPhone, StaffUser
from app.passwords import hash_secret
from app.references import new_reference
from app.rules.vocabulary import Role, ServiceArea
from app.search.names import normalise_name
from app.services import staff as staff_service
from app.services.name_index import index_names

PASSWORD = "correct horse battery staple"
_sequence = count(1)


def make_staff(role: Role = Role.HANDLER, **overrides) -> StaffUser:
    n = next(_sequence)
    values = {
        "email": f"staff{n}@example.org",
        "name": f"Staff Member {n}",
        "password": PASSWORD,
        "role": role,
        "area_codes": [area.value for area in ServiceArea],
        "may_see_sensitive": False,
    }
    values.update(overrides)
    return staff_service.save_staff_user(**values)


def make_resident(phones: list[str] | None = None, secret_word: str | None = None, **overrides):
    values = {
        "reference": new_reference(),
        "forename": "Margaret",
        "middle_names": None,
        "surname": "Okafor",
        "date_of_birth": date(1948, 3, 14),
        "address_line_1": "Flat 2, 14 Mill Lane",
        "address_line_2": None,
        "town": "Leicester",
        "postcode": "LE1 5AB",
        "email": None,
    }
    values.update(overrides)
    values.setdefault("forename_norm", normalise_name(values["forename"]))
    values.setdefault("surname_norm", normalise_name(values["surname"]))
    values.setdefault("postcode_norm", values["postcode"].replace(" ", "").upper())
    resident = Resident(**values)
    if secret_word:
        resident.secret_word_hash = hash_secret(secret_word)
    resident.phones = [ResidentPhone(number=number) for number in (phones or ["+447700900123"])]
    db.session.add(resident)
    index_names([(resident.forename_norm, resident.surname_norm)])
    db.session.commit()
    return resident


def make_permission(
    resident,
    *,
    kind=None,
    areas=None,
    may_act: bool = True,
    name: str = "Dana Okafor",
    relationship=None,
    starts_on=None,
    expires_on=None,
    supervisor=None,
):
    """A permission recorded from written evidence; returns (permission, passcode)."""
    from app.rules.vocabulary import PermissionKind, Relationship
    from app.services import permissions as service

    supervisor = supervisor or make_staff(Role.SUPERVISOR)
    granted = service.record_written_permission(
        resident.id,
        service.Representative(
            name=name, relationship=relationship or Relationship.CHILD, phone="07700 900456"
        ),
        service.Terms(areas=areas, may_act=may_act, expires_on=expires_on),
        service.WrittenEvidence(
            kind=kind or PermissionKind.LPA_PROPERTY_FINANCIAL,
            reference="LPA-2024-001",
            starts_on=starts_on or date(2024, 1, 1),
        ),
        service.Safeguarding(given_freely=True, nobody_pressing=True, understands_scope=True),
        supervisor,
    )
    return granted.permission, granted.passcode
