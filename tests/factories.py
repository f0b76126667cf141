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
