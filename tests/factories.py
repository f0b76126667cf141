"""Factories for test data: real rows in the test database, with overridable defaults."""

from datetime import date
from itertools import count

from flask import current_app
from sqlalchemy import update

from app import clock
from app.demo import builders
from app.extensions import db
from app.models import StaffUser
from app.references import new_reference
from app.rules import two_factor as two_factor_rules
from app.rules.vocabulary import Role, ServiceArea
from app.services import staff as staff_service

PASSWORD = "correct horse battery staple"
# The authenticator app's key of every member of staff the factories enrol.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
_sequence = count(1)


def make_staff(role: Role = Role.HANDLER, two_factor: bool | None = None, **overrides) -> StaffUser:
    """A member of staff with `PASSWORD`; enrolled in two-factor sign-in with `TOTP_SECRET`
    when their role needs it (`TWO_FACTOR_ROLES`), or as `two_factor` says."""
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
    user = staff_service.save_staff_user(**values)
    if two_factor is None:
        two_factor = two_factor_rules.required_for(role, current_app.config["TWO_FACTOR_ROLES"])
    if two_factor:
        enrol_two_factor(user)
    return user


def enrol_two_factor(user: StaffUser, secret: str = TOTP_SECRET) -> StaffUser:
    user.two_factor_secret = secret
    user.two_factor_enrolled_at = clock.now()
    db.session.commit()
    return user


def fresh_code(user: StaffUser) -> str:
    """The code the member of staff's app shows now (by `clock.now()`), sure to be accepted:
    an earlier sign-in in the same test may have spent this time step's code, so the record
    of it is forgotten first. Tests of replayed codes post their codes themselves."""
    db.session.execute(
        update(StaffUser).where(StaffUser.id == user.id).values(two_factor_last_step=None)
    )
    db.session.commit()
    secret = db.session.get(StaffUser, user.id).two_factor_secret
    return two_factor_rules.code_at_step(secret, two_factor_rules.time_step(clock.now()))


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
    resident = builders.add_resident(
        phones=phones or ["+447700900123"], secret_word=secret_word, **values
    )
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
        today=clock.today(),
    )
    return granted.permission, granted.passcode


HOAXER = "+447700900555"


def make_entry(resident, *, number: str | None = HOAXER, team: str | None = None, **overrides):
    """An entry a neighbour reported on the resident's record, with a dispatch to `team`."""
    from app.models import Dispatch
    from app.rules.vocabulary import EntryCategory, Relationship, Urgency

    values = {
        "area_code": ServiceArea.HOUSING.value,
        "category": EntryCategory.REPAIR,
        "summary": "Says the boiler is broken",
        "urgency": Urgency.URGENT,
        "reporter_name": "A neighbour",
        "reporter_number": number,
        "reporter_relationship": Relationship.NEIGHBOUR,
        "reporter_verified": False,
    }
    values.update(overrides)
    entry = builders.add_entry(resident, **values)
    if team:
        db.session.add(
            Dispatch(entry_id=entry.id, team=team, priority=Urgency.URGENT, instructions="Go")
        )
    db.session.commit()
    return entry


def make_enquiry(resident, area_code: str, summary: str, **overrides):
    """An entry the resident made themselves on a call on which they were verified: an
    enquiry, unless `overrides` say otherwise."""
    from app.rules.vocabulary import EntryCategory, Relationship, Urgency

    values = {"category": EntryCategory.ENQUIRY, "urgency": Urgency.ROUTINE} | overrides
    return make_entry(
        resident,
        number=None,
        area_code=area_code,
        summary=summary,
        reporter_name=resident.full_name,
        reporter_relationship=Relationship.SELF,
        reporter_verified=True,
        **values,
    )


def make_call(resident, handler, verified_as=None):
    """A call from the resident, verified as `verified_as` (the resident by default)."""
    from app.rules.disclosure import VerifiedAs
    from app.rules.vocabulary import CallerType

    call = builders.add_call(
        handler,
        resident,
        caller_number="+447700900123",
        caller_type=CallerType.RESIDENT,
        verified_as=VerifiedAs.RESIDENT if verified_as is None else verified_as,
    )
    db.session.commit()
    return call


def make_dispute(resident, entry=None, handler=None, reason=None):
    """A dispute the resident made on a call about `entry` (a new one by default)."""
    from app.rules.vocabulary import DisputeReason
    from app.services import disputes

    entry = entry or make_entry(resident)
    handler = handler or make_staff(Role.HANDLER)
    call = make_call(resident, handler)
    return disputes.open_dispute_on_call(
        call, entry.id, reason or DisputeReason.HOAX, "I never asked anyone to call", handler
    )


def decide_dispute(dispute, outcome, reasons="Hoax", *, version=0, supervisor=None):
    """A supervisor's decision on `dispute`, made now (by a new supervisor by default)."""
    from app.services import disputes

    supervisor = supervisor or make_staff(Role.SUPERVISOR)
    return disputes.decide_dispute(dispute, outcome, reasons, version, supervisor, now=clock.now())
