"""Demo scenarios: a few named residents set up so that every feature has something to show.

The bulk demo residents are random; these are fixed, so that the README and `flask demo-data`
can say "search for Margaret Okafor, ring from 07700 900456, give passcode DANA-2345" and mean
it. Every phone number is from Ofcom's range for drama (07700 900000 to 900999), so nothing
here could reach a real person.

Permissions are recorded through the same services a supervisor or handler uses, so they are
valid in every way the product checks; only their passcodes are then set to fixed demo values.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select

from app import clock
from app.demo import builders
from app.extensions import db
from app.models import Call, Permission, Resident
from app.passwords import hash_secret
from app.phone_numbers import for_display
from app.references import format_reference, new_reference
from app.rules.disclosure import VerifiedAs
from app.rules.duty_to_share import ShareAsk
from app.rules.permissions import (
    Representative,
    Safeguarding,
    Terms,
    WrittenEvidence,
    normalise_passcode,
)
from app.rules.phone_changes import ChangeAsked, PhoneLabel
from app.rules.vocabulary import (
    CallerType,
    CallOutcome,
    EntryCategory,
    LawfulBasis,
    PermissionKind,
    Relationship,
    RepresentativeCheck,
    ServiceArea,
    Urgency,
)
from app.services import duty_to_share, outbox, phones
from app.services import permissions as permission_service

CONFIRMED = Safeguarding(given_freely=True, nobody_pressing=True, understands_scope=True)


@dataclass(frozen=True)
class DemoPerson:
    forename: str
    surname: str
    born: date
    address: str
    postcode: str
    phone: str
    secret_word: str | None = None


@dataclass(frozen=True)
class DemoPermission:
    """A representative on a scenario resident's record, and what becomes of it."""

    holder: str
    relationship: Relationship
    phone: str
    kind: PermissionKind
    areas: frozenset[str] | None
    passcode: str | None  # None: checked by a text code to their phone instead
    may_act: bool = True
    expires_in_days: int | None = None
    matter: str | None = None
    then: str | None = None  # "revoke" or "close matter"


@dataclass
class Scenario:
    person: DemoPerson
    try_this: str  # what a newcomer should do with this record, and what they will see
    permissions: list[DemoPermission] = field(default_factory=list)
    reports: list[tuple[Relationship, str, ServiceArea, EntryCategory, str]] = field(
        default_factory=list
    )
    locked: bool = False
    urgent_share: bool = False  # a police request to share, acted on and awaiting approval
    # The number the person had until a supervisor changed it to `person.phone`, three days
    # ago: the new number is still held from text codes.
    changed_from: str | None = None


SCENARIOS = [
    Scenario(
        DemoPerson("Margaret", "Okafor", date(1948, 3, 14), "Flat 2, 14 Mill Lane", "LE1 5AB",
                   "+447700900123", secret_word="bluebell"),  # noqa: S106 (demo only)
        "Ring from 07700 900123 as Margaret herself: answers 14/03/1948 and LE1 5AB (or the "
        "secret word 'bluebell') verify her, and her whole record shows.",
        permissions=[
            DemoPermission("Dana Okafor", Relationship.CHILD, "+447700900456",
                           PermissionKind.LPA_PROPERTY_FINANCIAL, None, "DANA-2345"),
            DemoPermission("Femi Adeyemi", Relationship.FRIEND, "+447700900458",
                           PermissionKind.VERBAL, frozenset({ServiceArea.WASTE.value}), "FEMI-3456",
                           may_act=False),
            DemoPermission("Chris Okafor", Relationship.CHILD, "+447700900457",
                           PermissionKind.WRITTEN, frozenset({ServiceArea.HOUSING.value}),
                           "CHRS-6789", may_act=False, expires_in_days=90),
        ],
        reports=[
            (Relationship.NEIGHBOUR, "Pat Kinsella", ServiceArea.HOUSING, EntryCategory.REPAIR,
             "Water coming through the ceiling of the flat below."),
        ],
    ),
    Scenario(
        DemoPerson("Arthur", "Penrose", date(1939, 11, 2), "7 Orchard Close", "LE2 3DF",
                   "+447700900201"),
        "Ring from 07700 900202 as Grace Penrose: she holds a health and welfare LPA, so once "
        "her passcode checks out she may hear about adult social care and nothing else.",
        permissions=[
            DemoPermission("Grace Penrose", Relationship.CHILD, "+447700900202",
                           PermissionKind.LPA_HEALTH_WELFARE, None, "GRCE-2468"),
            DemoPermission("Tom Reid", Relationship.PROFESSIONAL, "+447700900203",
                           PermissionKind.DWP_APPOINTEE, None, "TMRD-3579"),
        ],
    ),
    Scenario(
        DemoPerson("Leonard", "Fitch", date(1952, 6, 30), "31 Canal Street", "LE3 9GH",
                   "+447700900301"),
        "A court-appointed deputy whose order expires in ten days: the permission shows its "
        "expiry on the call and on the Permissions list.",
        permissions=[
            DemoPermission("Ruth Amadi", Relationship.PROFESSIONAL, "+447700900302",
                           PermissionKind.DEPUTYSHIP, None, "RTHA-4826", expires_in_days=10),
        ],
    ),
    Scenario(
        DemoPerson("Nadia", "Haddad", date(1985, 1, 19), "56 Station Road", "LE4 2JK",
                   "+447700900401"),
        "Two permissions that no longer apply: one revoked, one for a matter now closed. A "
        "caller giving either passcode is not told anything.",
        permissions=[
            DemoPermission("Karim Haddad", Relationship.SPOUSE_PARTNER, "+447700900402",
                           PermissionKind.WRITTEN, frozenset({ServiceArea.COUNCIL_TAX.value}),
                           "KRMD-5937", then="revoke"),
            DemoPermission("Lena Haddad", Relationship.OTHER_FAMILY, "+447700900403",
                           PermissionKind.WRITTEN, frozenset({ServiceArea.HOUSING.value}),
                           "NHAD-7395", matter="The bathroom repair at 56 Station Road",
                           then="close matter"),
        ],
    ),
    Scenario(
        DemoPerson("Brian", "Tolley", date(1967, 9, 8), "12 Quarry Lane", "LE5 6LM",
                   "+447700900501"),
        "Phone verification is locked after three wrong answers: a handler cannot verify "
        "him; a supervisor can unlock it from Locks, with a reason.",
        locked=True,
    ),
    Scenario(
        DemoPerson("Joan", "Whitby", date(1944, 4, 23), "3 Church Walk", "LE6 8NP",
                   "+447700900601"),
        "Reports from callers who were not verified, each marked with who they said they "
        "were. Ring from any number as a neighbour to add another. A police officer's urgent "
        "request to share her record waits for a supervisor (Duty to share).",
        reports=[
            (Relationship.NEIGHBOUR, "Sid Parry", ServiceArea.HOUSING, EntryCategory.REPAIR,
             "Front door left open all night; the lock looks broken."),
            (Relationship.CHILD, "Anne Whitby", ServiceArea.ADULT_SOCIAL_CARE,
             EntryCategory.WELFARE_CONCERN, "Mum had a fall last week and is not eating."),
            (Relationship.LANDLORD, "Harcourt Lettings", ServiceArea.COUNCIL_TAX,
             EntryCategory.CHANGE_OF_CIRCUMSTANCES, "The tenant says she is moving out."),
            (Relationship.FRIEND, "Mo Daly", ServiceArea.WASTE, EntryCategory.REPAIR,
             "Her bin has not been emptied for three weeks."),
        ],
        urgent_share=True,
    ),
    Scenario(
        DemoPerson("Priya", "Shah", date(1979, 2, 11), "22 Linden Avenue", "LE7 4QR",
                   "+447700900712"),
        "Her mobile was changed three days ago, from 07700 900711, from a form she signed. Ring "
        "from 07700 900712 as Priya: the text-code step says the new number cannot be sent a "
        "code until the hold ends, so verify her with the answers 11/02/1979 and LE7 4QR.",
        changed_from="+447700900711",
    ),
]  # fmt: skip


def _add_person(person: DemoPerson, reference: str, phone: str) -> Resident:
    resident = builders.add_resident(
        reference=reference,
        forename=person.forename,
        surname=person.surname,
        date_of_birth=person.born,
        address_line_1=person.address,
        town="Leicester",
        postcode=person.postcode,
        secret_word=person.secret_word,
        phones=[phone],
    )
    db.session.commit()
    return resident


CHANGED_DAYS_AGO = 3


def _change_number(resident: Resident, new_number: str, supervisor) -> None:
    """The resident's number changed to `new_number` by a supervisor, from a signed form,
    `CHANGED_DAYS_AGO` days ago: the old number was told, and the new one is still held."""
    phones.change_by_supervisor(
        resident.id,
        ChangeAsked(
            resident.phones[0].id,
            new_number,
            PhoneLabel.MOBILE,
            seen=phones.numbers_version(resident.id),
        ),
        supervisor,
        "The resident sent a signed form with her new mobile number (demo)",
        f"DEMO-FORM-{resident.id}",
        now=clock.now() - timedelta(days=CHANGED_DAYS_AGO),
    )


def _verified_call(resident: Resident, handler) -> Call:
    """A call on which the resident is verified now: where verbal consent is given."""
    call = builders.add_call(
        handler,
        resident,
        caller_number=resident.phones[0].number,
        caller_type=CallerType.RESIDENT,
        verified_as=VerifiedAs.RESIDENT,
    )
    db.session.commit()
    return call


def _grant(resident: Resident, wanted: DemoPermission, supervisor, handler):
    today = clock.today()
    representative = Representative(wanted.holder, wanted.relationship, for_display(wanted.phone))
    terms = Terms(
        areas=wanted.areas,
        may_act=wanted.may_act,
        expires_on=today + timedelta(days=wanted.expires_in_days)
        if wanted.expires_in_days
        else None,
        matter=wanted.matter,
        check=RepresentativeCheck.PASSCODE if wanted.passcode else RepresentativeCheck.SMS,
    )
    if wanted.kind is PermissionKind.VERBAL:
        call = _verified_call(resident, handler)
        granted = permission_service.grant_verbal_consent(
            call, representative, terms, CONFIRMED, handler
        )
        call.ended_at, call.outcome = clock.now(), CallOutcome.RESOLVED
        db.session.commit()
        return granted
    evidence = WrittenEvidence(
        wanted.kind, f"DEMO-{resident.id}-{wanted.holder[:4].upper()}", today - timedelta(days=400)
    )
    return permission_service.record_written_permission(
        resident.id, representative, terms, evidence, CONFIRMED, supervisor, today
    )


def _add_permission(resident: Resident, wanted: DemoPermission, supervisor, handler) -> None:
    granted = _grant(resident, wanted, supervisor, handler)
    permission = db.session.get(Permission, granted.permission.id)
    if wanted.passcode:
        # Fixed, so the demo can print it every time: a real passcode is shown once only.
        permission.passcode_hash = hash_secret(normalise_passcode(wanted.passcode))
        db.session.commit()
    if wanted.then == "revoke":
        permission_service.revoke(
            permission, supervisor, "Resident withdrew consent (demo)", now=clock.now()
        )
    elif wanted.then == "close matter":
        permission_service.close_matter(
            permission, supervisor, "Repair finished (demo)", clock.now()
        )


def _add_reports(resident: Resident, reports) -> None:
    for relationship, name, area, category, summary in reports:
        builders.add_entry(
            resident,
            area_code=area.value,
            category=category,
            summary=summary,
            urgency=Urgency.ROUTINE,
            reporter_name=name,
            reporter_number="+447700900999",
            reporter_relationship=relationship,
            reporter_verified=False,
        )
    db.session.commit()
    if reports:
        outbox.queue_report_made(resident)  # the resident is told a report was made
        db.session.commit()


def _lock(resident: Resident, handler) -> None:
    """Three wrong answers an hour ago, on one call: phone verification is locked."""
    at = clock.now() - timedelta(hours=1)
    call = builders.add_call(
        handler, resident, at=at, caller_number="+447700900555", caller_type=CallerType.RESIDENT
    )
    for minute in range(3):
        builders.add_failed_check(call, resident, at + timedelta(minutes=minute))
    call.ended_at = at + timedelta(minutes=4)
    call.outcome = CallOutcome.NOT_VERIFIED
    call.summary = "Could not answer the security questions."
    db.session.commit()


def _urgent_share(resident: Resident, handler) -> None:
    """An officer rang about a welfare check; the handler shared at once, as urgent, and the
    call has ended: a supervisor still has to approve it."""
    call = builders.add_call(
        handler,
        resident,
        caller_number="+447700900701",
        caller_type=CallerType.THIRD_PARTY,
        caller_name="PC Sam Dunn",
        caller_relationship=Relationship.PROFESSIONAL,
    )
    db.session.commit()
    ask = ShareAsk(
        basis=LawfulBasis.VITAL_INTERESTS,
        reason="Officer at the door for a welfare check; no answer and the lights are on.",
        officer="PC Sam Dunn, collar number 4471, Leicestershire Police",
        areas=frozenset({ServiceArea.ADULT_SOCIAL_CARE.value}),
        urgent=True,
    )
    duty_to_share.request_share(call, ask, handler)
    call.ended_at, call.outcome = clock.now(), CallOutcome.REFERRED
    call.summary = "Police welfare check: shared under duty to share, urgent."
    db.session.commit()


def _reference_of(person: DemoPerson) -> str | None:
    """The scenario resident's reference, once they are on file."""
    return db.session.scalar(
        select(Resident.reference).where(
            Resident.forename == person.forename, Resident.surname == person.surname,
            Resident.postcode == person.postcode,
        )
    )  # fmt: skip


def add_scenarios(supervisor, handler, rng) -> None:
    """Add the scenario residents (once: a second run finds them and adds nothing)."""
    for scenario in SCENARIOS:
        person = scenario.person
        if _reference_of(person):
            continue
        resident = _add_person(person, new_reference(rng), scenario.changed_from or person.phone)
        if scenario.changed_from:
            _change_number(resident, person.phone, supervisor)
        for wanted in scenario.permissions:
            _add_permission(resident, wanted, supervisor, handler)
        _add_reports(resident, scenario.reports)
        if scenario.locked:
            _lock(resident, handler)
        if scenario.urgent_share:
            _urgent_share(resident, handler)


def try_this() -> list[str]:
    """What to try, one paragraph a scenario: whom to search for, whom to pretend to be."""
    lines = []
    for scenario in SCENARIOS:
        person = scenario.person
        reference = _reference_of(person)
        if reference is None:
            continue
        lines.append(
            f"{person.forename} {person.surname}, {person.postcode}, reference "
            f"{format_reference(reference)}, phone {for_display(person.phone)}"
        )
        lines.append(f"    {scenario.try_this}")
        for wanted in scenario.permissions:
            state = {"revoke": " (revoked)", "close matter": " (matter closed)"}.get(
                wanted.then or "", ""
            )
            check = f"passcode {wanted.passcode}" if wanted.passcode else "text code"
            lines.append(
                f"    {wanted.holder}, {wanted.kind.label}{state}: rings from "
                f"{for_display(wanted.phone)}, {check}"
            )
    return lines
