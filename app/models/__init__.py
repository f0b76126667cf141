"""The database models. Import them from here."""

from app.models.audit import AuditAnchor, AuditEvent, AuditSeal
from app.models.authority_end import AuthorityEndRequest
from app.models.call import Call, CallLeg, VerificationAttempt, VerificationUnlock
from app.models.dispute import Dispute, DisputeDecision
from app.models.duty_to_share import ShareRequest
from app.models.entry import Dispatch, Entry
from app.models.legal_hold import LegalHold
from app.models.outbox import OutboxMessage
from app.models.permission import Permission, PermissionEvent, permission_areas
from app.models.platform import Heartbeat, JobRun
from app.models.portal_session import PortalSession, PortalSessionStatus
from app.models.resident import Resident, ResidentPhone, ResidentPhoneChange
from app.models.search import NameKey, NameTerm
from app.models.staff import (
    ServiceAreaRecord,
    StaffPasswordLink,
    StaffRecoveryCode,
    StaffUser,
    staff_service_areas,
)
from app.models.subject_access import SubjectAccessExport
from app.models.text_code import TextCode

__all__ = [
    "AuditAnchor",
    "AuditEvent",
    "AuditSeal",
    "AuthorityEndRequest",
    "Call",
    "CallLeg",
    "Dispatch",
    "Dispute",
    "DisputeDecision",
    "Entry",
    "Heartbeat",
    "JobRun",
    "LegalHold",
    "NameKey",
    "NameTerm",
    "OutboxMessage",
    "Permission",
    "PermissionEvent",
    "PortalSession",
    "PortalSessionStatus",
    "Resident",
    "ResidentPhone",
    "ResidentPhoneChange",
    "ServiceAreaRecord",
    "ShareRequest",
    "StaffPasswordLink",
    "StaffRecoveryCode",
    "StaffUser",
    "SubjectAccessExport",
    "TextCode",
    "VerificationAttempt",
    "VerificationUnlock",
    "permission_areas",
    "staff_service_areas",
]
