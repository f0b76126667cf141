"""What a subject access export withholds, how its disclosure log reads, who may download."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.rules import subject_access as rules
from app.rules.disclosure import VerifiedAs
from app.rules.vocabulary import CallerType, ExportSection, PermissionKind, Relationship

NOW = datetime(2027, 3, 3, 12, 0, tzinfo=UTC)
MARKER = rules.WITHHELD


@pytest.mark.parametrize(
    ("relationship", "verified", "resident"),
    [(relationship, True, relationship is Relationship.SELF) for relationship in Relationship]
    + [(Relationship.SELF, False, False)],
    ids=[f"{relationship.value}-verified" for relationship in Relationship] + ["self-unverified"],
)
def test_only_a_verified_resident_reporter_is_the_resident(relationship, verified, resident):
    assert rules.reporter_is_the_resident(relationship, verified) is resident


@pytest.mark.parametrize(
    ("caller_type", "verified_as", "name_withheld", "number_withheld"),
    [
        (CallerType.RESIDENT, VerifiedAs.RESIDENT, False, False),
        (CallerType.RESIDENT, VerifiedAs.NOBODY, True, True),
        (CallerType.REPRESENTATIVE, VerifiedAs.REPRESENTATIVE, False, True),
        (CallerType.REPRESENTATIVE, VerifiedAs.NOBODY, True, True),
        (CallerType.THIRD_PARTY, VerifiedAs.NOBODY, True, True),
        (CallerType.UNKNOWN, VerifiedAs.NOBODY, True, True),
        # What the call says now disagrees with what was verified: nobody vouches for it.
        (CallerType.THIRD_PARTY, VerifiedAs.RESIDENT, True, True),
        (CallerType.RESIDENT, VerifiedAs.REPRESENTATIVE, True, True),
    ],
    ids=[
        "verified-resident",
        "unverified-resident",
        "verified-representative",
        "unverified-representative",
        "third-party",
        "unknown",
        "third-party-after-resident",
        "resident-after-representative",
    ],
)
def test_whose_a_callers_name_and_number_are(
    caller_type, verified_as, name_withheld, number_withheld
):
    withholding = rules.caller_withholding(caller_type, verified_as)

    assert (withholding.name, withholding.number) == (name_withheld, number_withheld)


@pytest.mark.parametrize(
    ("value", "include", "shown"),
    [
        ("Pat Neighbour", False, MARKER),
        ("Pat Neighbour", True, "Pat Neighbour"),
        (None, False, None),
        ("", False, ""),
        ("07700 900123", False, "07700 900123"),
        ("07700 900555", False, MARKER),
    ],
    ids=[
        "withheld-by-default",
        "included-with-reason",
        "none-stays-none",
        "empty-stays-empty",
        "residents-own-number",
        "another-number",
    ],
)
def test_a_third_partys_value_is_withheld_unless_included(value, include, shown):
    assert rules.third_party_value(value, include=include, own={"07700 900123"}) == shown


@pytest.mark.parametrize(
    ("text", "expected", "count"),
    [
        ("ring me on 07700 900777 please", f"ring me on {MARKER} please", 1),
        ("ring 07700900777", f"ring {MARKER}", 1),
        ("landline (0116) 496 0123.", f"landline {MARKER}.", 1),
        ("landline 0116-496-0123", f"landline {MARKER}", 1),
        ("+44 7700 900777 or +44 (0)7700 900888", f"{MARKER} or {MARKER}", 2),
        ("+447700900777", MARKER, 1),
        ("abroad +33612345678", f"abroad {MARKER}", 1),
        ("called 07700 900777 2 times", f"called {MARKER} 2 times", 1),
        ("account 12345678901", "account 12345678901", 0),
        ("evidence LPA-2024-001", "evidence LPA-2024-001", 0),
        ("seen on 03/03/2027, owes 1200", "seen on 03/03/2027, owes 1200", 0),
        ("years 2024 2025 2026", "years 2024 2025 2026", 0),
        ("", "", 0),
        (None, "", 0),
    ],
    ids=[
        "mobile-spaced",
        "mobile-plain",
        "landline-brackets",
        "landline-hyphens",
        "international-two",
        "e164",
        "other-country",
        "number-then-count",
        "account-number",
        "evidence-reference",
        "date-and-amount",
        "years",
        "empty",
        "none",
    ],
)
def test_phone_numbers_in_free_text_are_withheld(text, expected, count):
    redacted = rules.withhold_phone_numbers(text, include=False)

    assert (redacted.text, redacted.withheld) == (expected, count)


def test_phone_numbers_in_free_text_stay_when_third_parties_are_included():
    redacted = rules.withhold_phone_numbers("ring 07700 900777", include=True)

    assert (redacted.text, redacted.withheld) == ("ring 07700 900777", 0)


@given(st.text(alphabet="0123456789 +()-", max_size=40))
def test_no_uk_mobile_number_survives_withholding(noise):
    text = f"{noise} call 07700 900777 {noise}"

    assert "07700 900777" not in rules.withhold_phone_numbers(text, include=False).text


@pytest.mark.parametrize(
    ("relationship", "words"),
    [
        (Relationship.SELF, "you"),
        (Relationship.SPOUSE_PARTNER, "your spouse or partner"),
        (Relationship.PARENT, "your parent"),
        (Relationship.CHILD, "your son or daughter"),
        (Relationship.OTHER_FAMILY, "a member of your family"),
        (Relationship.CARER, "your carer"),
        (Relationship.NEIGHBOUR, "your neighbour"),
        (Relationship.FRIEND, "your friend"),
        (Relationship.LANDLORD, "your landlord"),
        (Relationship.PROFESSIONAL, "a professional (GP, social worker, police)"),
        (Relationship.COUNCILLOR_MP, "a councillor or MP"),
        (Relationship.OTHER, "someone else"),
        (Relationship.NOT_GIVEN, "someone who did not say who they are to you"),
    ],
    ids=[relationship.value for relationship in Relationship],
)
def test_relationships_are_worded_for_the_resident(relationship, words):
    assert rules.relationship_words(relationship) == words


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        (PermissionKind.VERBAL, "with the consent you gave us on a call"),
        (PermissionKind.WRITTEN, "with your written consent"),
        (
            PermissionKind.LPA_PROPERTY_FINANCIAL,
            "under your Lasting Power of Attorney (property and financial)",
        ),
        (
            PermissionKind.LPA_HEALTH_WELFARE,
            "under your Lasting Power of Attorney (health and welfare)",
        ),
        (PermissionKind.DEPUTYSHIP, "as your deputy appointed by the Court of Protection"),
        (PermissionKind.DWP_APPOINTEE, "as your appointee for benefits (DWP)"),
    ],
    ids=[kind.value for kind in PermissionKind],
)
def test_each_kind_of_permission_is_worded_as_the_basis(kind, words):
    assert rules.basis_words(kind) == words


def test_a_disclosure_to_a_representative_names_them_and_their_permission():
    daughter = rules.Representative(
        name="Dana Adeyemi",
        relationship=Relationship.CHILD,
        kind=PermissionKind.LPA_PROPERTY_FINANCIAL,
        scope="council tax only",
    )

    line = rules.disclosure_on_call(date(2027, 3, 3), VerifiedAs.REPRESENTATIVE, daughter)

    assert line.text == (
        "Your son or daughter, Dana Adeyemi, under your Lasting Power of Attorney "
        "(property and financial), 3 March 2027"
    )
    assert line.about == "council tax only"


def test_a_disclosure_to_the_resident_says_it_was_them():
    line = rules.disclosure_on_call(date(2027, 3, 3), VerifiedAs.RESIDENT, None)

    assert line.text == "You, after we checked it was you on the phone, 3 March 2027"


def test_a_disclosure_under_a_permission_no_longer_held_still_shows():
    line = rules.disclosure_on_call(date(2027, 3, 3), VerifiedAs.REPRESENTATIVE, None)

    assert line.told == "Someone acting for you"


@pytest.mark.parametrize(
    ("detail", "told"),
    [
        (
            {"reason": "May discuss all council services: caller verified as the resident"},
            VerifiedAs.RESIDENT,
        ),
        (
            {
                "reason": "May discuss council tax only: Lasting Power of Attorney "
                "(property and financial), no expiry date"
            },
            VerifiedAs.REPRESENTATIVE,
        ),
        (
            {"reason": "May discuss housing and waste: DWP appointee, expires 1 March 2027"},
            VerifiedAs.REPRESENTATIVE,
        ),
        (
            {"reason": "Safeguarding a child or an adult at risk. May discuss housing only"},
            VerifiedAs.NOBODY,
        ),
        ({"verified_as": "resident", "reason": "anything"}, VerifiedAs.RESIDENT),
        (
            {"verified_as": "nonsense", "reason": "May discuss housing only: Written consent"},
            VerifiedAs.REPRESENTATIVE,
        ),
        ({}, VerifiedAs.NOBODY),
    ],
    ids=[
        "resident-by-reason",
        "representative-by-reason",
        "another-kind",
        "duty-to-share-alone",
        "named",
        "unknown-name",
        "empty",
    ],
)
def test_whom_a_disclosure_on_a_call_was_made_to(detail, told):
    assert rules.who_was_told(detail) is told


def test_a_disclosure_under_the_duty_to_share_says_so_and_leaves_out_the_reason():
    detail = {
        "basis": "Preventing or detecting crime",
        "areas": ["Housing", "Council tax"],
        "reason": "About someone else entirely",
        "caller": "DC Sam Patel",
        "urgent": True,
    }

    line = rules.disclosure_under_duty_to_share(date(2027, 3, 3), detail)

    assert line.text == (
        "DC Sam Patel, Disclosed under duty to share: Preventing or detecting crime, 3 March 2027"
    )
    assert line.about == "Housing, Council tax"
    assert "someone else" not in repr(line)


def test_a_duty_to_share_event_missing_its_fields_still_reads():
    line = rules.disclosure_under_duty_to_share(date(2027, 3, 3), {})

    assert line.told == "A caller whose name was not recorded"
    assert line.basis == "Disclosed under duty to share: basis not recorded"


def test_progress_counts_sections():
    assert rules.progress_text(3) == "3 of 11 sections"
    assert len(rules.SECTIONS) == len(ExportSection) == 11


def test_a_new_section_comes_after_the_others_so_an_export_being_gathered_keeps_its_place():
    # An export's progress counts the sections gathered: one inserted before it would be
    # skipped, and the one it was about to gather gathered twice.
    assert [section.value for section in rules.SECTIONS] == [
        "details",
        "entries",
        "calls",
        "verification-attempts",
        "permissions",
        "disputes",
        "messages",
        "disclosures",
        "phone-numbers",
        "authority-end-requests",
        "portal-sign-ins",
    ]


@pytest.mark.parametrize(
    ("staff_id", "ready", "now", "refusal"),
    [
        (1, True, NOW, None),
        (2, True, NOW, rules.NOT_YOURS),
        (2, False, NOW + timedelta(days=2), rules.NOT_YOURS),
        (1, True, NOW + rules.EXPORT_LIFETIME, rules.EXPIRED),
        (1, False, NOW + rules.EXPORT_LIFETIME, rules.EXPIRED),
        (1, False, NOW, rules.NOT_READY),
    ],
    ids=["requester", "another", "another-expired", "expired", "expired-unready", "not-ready"],
)
def test_only_the_requester_downloads_a_ready_export_before_it_expires(
    staff_id, ready, now, refusal
):
    decided = rules.download_refusal(
        requested_by_id=1,
        staff_id=staff_id,
        ready=ready,
        expires=rules.expires_at(NOW),
        now=now,
    )

    assert decided == refusal
