"""The product's fixed vocabularies.

Models store these as strings and forms draw their choices from them, so the
words a handler sees are defined once, here. No Flask, no SQLAlchemy.
"""

from enum import StrEnum


class Labelled(StrEnum):
    """A string enum whose members carry the words shown to people."""

    label: str

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(member.value, member.label) for member in cls]

    @property
    def in_sentence(self) -> str:
        """The label inside a sentence, its first letter in lower case: "son or daughter"."""
        return self.label[0].lower() + self.label[1:]


def is_member(attribute: str, member: StrEnum, doc: str | None = None) -> property:
    """A read-only flag saying whether an object's `attribute` is `member`: templates ask
    `call.is_caller_unknown` rather than compare an enum's values."""
    return property(lambda self: getattr(self, attribute) is member, doc=doc)


class Role(Labelled):
    HANDLER = "handler", "Call handler"
    SUPERVISOR = "supervisor", "Supervisor"
    ADMIN = "admin", "Administrator"


class ServiceArea(Labelled):
    """The council's service areas, seeded into the service_areas table."""

    HOUSING = "housing", "Housing"
    COUNCIL_TAX = "council-tax", "Council tax"
    BENEFITS = "benefits", "Benefits"
    ADULT_SOCIAL_CARE = "adult-social-care", "Adult social care"
    ENVIRONMENTAL = "environmental-services", "Environmental services"
    WASTE = "waste", "Waste and recycling"


class Relationship(Labelled):
    """Who the caller is to the resident (docs/rules.md rule 2, the fixed list)."""

    SELF = "self", "The resident"
    SPOUSE_PARTNER = "spouse-partner", "Spouse or partner"
    PARENT = "parent", "Parent"
    CHILD = "child", "Son or daughter"
    OTHER_FAMILY = "other-family", "Other family"
    CARER = "carer", "Carer"
    NEIGHBOUR = "neighbour", "Neighbour"
    FRIEND = "friend", "Friend"
    LANDLORD = "landlord", "Landlord"
    PROFESSIONAL = "professional", "Professional (GP, social worker, police)"
    COUNCILLOR_MP = "councillor-mp", "Councillor or MP"
    OTHER = "other", "Other"
    NOT_GIVEN = "not-given", "Not given"


class Factor(Labelled):
    """What a caller can be checked against."""

    DATE_OF_BIRTH = "date-of-birth", "Date of birth"
    POSTCODE = "postcode", "Postcode"
    ADDRESS_LINE = "address-line", "First line of address"
    REFERENCE = "reference", "Reference number"
    SECRET_WORD = "secret-word", "Secret word"
    SMS_CODE = "sms-code", "Code sent by text to the number on file"
    CALL_BACK = "call-back", "Answered a call back to a number on file"
    REPRESENTATIVE_PASSCODE = "representative-passcode", "Representative's passcode"
    REPRESENTATIVE_SMS_CODE = "representative-sms-code", "Code sent by text to the representative"


KNOWLEDGE_FACTORS = frozenset(
    {
        Factor.DATE_OF_BIRTH,
        Factor.POSTCODE,
        Factor.ADDRESS_LINE,
        Factor.REFERENCE,
        Factor.SECRET_WORD,
    }
)


class CallerType(Labelled):
    """Who the caller says they are. A claim, not a proof."""

    UNKNOWN = "unknown", "Not yet known"
    RESIDENT = "resident", "The resident"
    REPRESENTATIVE = "representative", "Someone with the resident's permission"
    THIRD_PARTY = "third-party", "Someone else calling about the resident"


class PermissionKind(Labelled):
    VERBAL = "verbal", "Verbal consent"
    WRITTEN = "written", "Written consent"
    LPA_PROPERTY_FINANCIAL = (
        "lpa-property-financial",
        "Lasting Power of Attorney (property and financial)",
    )
    LPA_HEALTH_WELFARE = "lpa-health-welfare", "Lasting Power of Attorney (health and welfare)"
    DEPUTYSHIP = "deputyship", "Deputyship"
    DWP_APPOINTEE = "dwp-appointee", "DWP appointee"


class RepresentativeCheck(Labelled):
    """How a representative proves who they are on a call: their own secret, never the
    resident's details."""

    PASSCODE = "passcode", "A passcode given to the representative"
    SMS = "sms", "A code sent by text to the representative's phone"


class PermissionEventKind(Labelled):
    """A step in a permission's history."""

    GRANTED = "granted", "Granted"
    CHANGED = "changed", "Changed"
    REVOKED = "revoked", "Revoked"
    EXPIRED = "expired", "Expired"
    MATTER_CLOSED = "matter-closed", "Matter closed"


class Urgency(Labelled):
    ROUTINE = "routine", "Routine"
    URGENT = "urgent", "Urgent"
    EMERGENCY = "emergency", "Emergency"


class EntryCategory(Labelled):
    REPAIR = "repair", "Repair or fault"
    CHANGE_OF_CIRCUMSTANCES = "change-of-circumstances", "Change of circumstances"
    WELFARE_CONCERN = "welfare-concern", "Welfare concern"
    COMPLAINT = "complaint", "Complaint"
    ENQUIRY = "enquiry", "Enquiry"
    OTHER = "other", "Other"


class DispatchOutcome(Labelled):
    ATTENDED_FIXED = "attended-fixed", "Attended and fixed"
    NO_FAULT = "no-fault", "No fault found"
    SUSPECTED_HOAX = "suspected-hoax", "Suspected hoax"
    NO_ACCESS = "no-access", "No access"


class CallOutcome(Labelled):
    RESOLVED = "resolved", "Resolved"
    REPORT_LOGGED = "report-logged", "Report logged"
    DISPATCHED = "dispatched", "Help sent"
    NOT_VERIFIED = "not-verified", "Caller could not be verified"
    REFERRED = "referred", "Referred to another team"
    DROPPED = "dropped", "Call dropped"
    # Set by the service, never chosen by a handler: a call left open past its maximum length.
    CLOSED_AUTOMATICALLY = "closed-automatically", "Closed automatically"


class EntryStatus(Labelled):
    """Where an entry stands after a resident disputes it (rule 5)."""

    ACTIVE = "active", "Active"
    DISPUTED = "disputed", "Disputed"
    UPHELD = "upheld", "Marked incorrect"


class DisputeReason(Labelled):
    """Why a resident says an entry is wrong (rule 5, the fixed list)."""

    DID_NOT_ASK = "did-not-ask", "I didn't ask anyone to call"
    INFORMATION_WRONG = "information-wrong", "The information is wrong"
    HOAX = "hoax", "This was a hoax"
    OTHER = "other", "Other"


class DisputeChannel(Labelled):
    """Where a dispute was opened: by the resident in the portal, or by a handler on a call
    with the resident verified."""

    PORTAL = "portal", "Resident portal"
    CALL = "call", "On a call"


class DisputeStatus(Labelled):
    """Where a dispute stands. A decided dispute is decided for good; a correction is a new
    decision that supersedes the last one."""

    OPEN = "open", "Open"
    UPHELD = "upheld", "Upheld"
    NOT_UPHELD = "not-upheld", "Not upheld"


class VerificationResult(Labelled):
    VERIFIED = "verified", "Verified"
    INCOMPLETE = "incomplete", "Not enough answers yet"
    FAILED = "failed", "Failed"


class MessageKind(Labelled):
    """What a message to a resident is about. It never says who reported what."""

    REPORT_MADE = "report-made", "Someone reported something on your record"
    VERIFICATION_LOCKED = "verification-locked", "Phone verification on your record was locked"
    DISPUTE_DECIDED = "dispute-decided", "We decided on an entry you disputed"
    DISPUTE_OPENED = "dispute-opened", "A dispute was opened in your name"
    AUTHORITY_END_DECIDED = (
        "authority-end-decided",
        "We decided on your request to end a legal authority",
    )
    # Shown, never sent: the console backend's copy of a verification code (development only).
    TEXT_CODE = "text-code", "A verification code (console backend, not sent)"
    PORTAL_SIGNED_IN = "portal-signed-in", "Someone signed in to see your record online"
    # To the numbers the resident had: a number on their record was added, changed or removed.
    PHONE_CHANGED = "phone-changed", "The phone numbers on your record changed"


class AuthorityEndStatus(Labelled):
    """Where a resident's request to end a legal authority (an LPA, a deputyship, a DWP
    appointeeship) stands. A decided request is decided for good."""

    WAITING = "waiting", "Waiting for a supervisor"
    ENDED = "ended", "Ended on the resident's request"
    KEPT = "kept", "Kept in force"


class TextCodeProvider(Labelled):
    """Who made and checks a code sent by text."""

    TWILIO_VERIFY = "twilio-verify", "Twilio Verify"
    CONSOLE = "console", "Console (shown on the Messages page, not sent)"
    # The app's own code, sent in a text through Twilio Messaging; only its HMAC is kept.
    TWILIO_MESSAGING = "twilio-messaging", "Twilio Messaging"


class TextCodeStatus(Labelled):
    """Where a code sent by text stands."""

    PENDING = "pending", "Waiting for the caller to read it back"
    # Written before the provider is asked, so no lock is held while it answers; counted
    # towards the hourly limit from then on, and waiting once the provider has taken it.
    SENDING = "sending", "Being sent"
    APPROVED = "approved", "Read back correctly"
    SPENT = "spent", "Checked too many times"
    REPLACED = "replaced", "Replaced by a newer code"


class MessageStatus(Labelled):
    """Where a message in the outbox stands."""

    PENDING = "pending", "Waiting to be sent"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    UNDELIVERED = "undelivered", "Not delivered"
    FAILED = "failed", "Could not be sent"


class LawfulBasis(Labelled):
    """Why the council may share a resident's information without their permission (the
    privacy notice: where the law requires it). The fixed list a duty-to-share request picks
    from."""

    VITAL_INTERESTS = "vital-interests", "Risk to life (vital interests)"
    SAFEGUARDING = "safeguarding", "Safeguarding a child or an adult at risk"
    CRIME = "crime", "Prevention or detection of crime (police request)"
    LEGAL_OBLIGATION = "legal-obligation", "Legal obligation or court order"


class ShareRequestStatus(Labelled):
    """Where a duty-to-share request stands. A decided request is decided for good."""

    PENDING = "pending", "Waiting for a supervisor"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"


class ExportSection(Labelled):
    """The sections of a subject access export, in the order they are gathered and shown."""

    DETAILS = "details", "Your details"
    ENTRIES = "entries", "What was reported on your record"
    CALLS = "calls", "Calls about you"
    VERIFICATION_ATTEMPTS = "verification-attempts", "Checks of who was calling"
    PERMISSIONS = "permissions", "Who may speak for you"
    DISPUTES = "disputes", "Your disputes and our decisions"
    MESSAGES = "messages", "Messages we sent you"
    DISCLOSURES = "disclosures", "When we discussed your information, and with whom"
    # Sections are added last, never in between: an export being gathered counts its place
    # among them, and keeps it across a release that adds one.
    PHONE_NUMBERS = "phone-numbers", "Changes to your phone numbers"
    AUTHORITY_END_REQUESTS = "authority-end-requests", "Your requests to end a legal authority"
    PORTAL_SIGN_INS = (
        "portal-sign-ins",
        "Your sign-ins to the portal, and anything you were writing and did not send",
    )


class ExportStatus(Labelled):
    """Where a subject access export stands."""

    GATHERING = "gathering", "Gathering"
    READY = "ready", "Ready to download"


class RetainedKind(Labelled):
    """The kinds of record the retention schedule removes once they are kept long enough."""

    CALLS = "calls", "Calls"
    ENTRIES = "entries", "Entries"
    VERIFICATION_ATTEMPTS = "verification-attempts", "Verification attempts"
    MESSAGES = "messages", "Messages"
    AUDIT_EVENTS = "audit-events", "Audit events"
    PHONE_CHANGES = "phone-changes", "Phone number changes"
    PORTAL_SIGN_INS = "portal-sign-ins", "Portal sign-ins"


class RetentionDecision(Labelled):
    """What the retention rule says of one record on one day: removed, or kept and why."""

    REMOVE = "remove", "Due for removal"
    NOT_YET = "not-yet", "Kept: its retention period has not ended"
    LEGAL_HOLD = "legal-hold", "Kept: the resident's record is under a legal hold"
    OPEN_DISPUTE = "open-dispute", "Kept: under an open dispute"
    CALL_OPEN = "call-open", "Kept: the call has not ended"
    CONSENT_EVIDENCE = "consent-evidence", "Kept: a resident gave verbal consent on the call"
    NOT_SENT = "not-sent", "Kept: the message is still waiting to be sent"
    REFERENCED = "referenced", "Kept: other records still refer to it"
