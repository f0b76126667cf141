"""The schema at the first release: every table, index and constraint, and the service areas.

The history before the first release is folded into this one revision; every change from
here on is a migration of its own. Columns keep the order the tables had before.

On PostgreSQL a trigger refuses every UPDATE and DELETE on the three audit tables, except
the deletes of a purge, made with the transaction-local setting `app.audit_purge = 'on'`,
and an event deleted by the transaction that wrote it, before it commits (a reveal counted
to decide and taken back: app/services/reveals.py).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0001_schema"
down_revision = None

# The council's service areas at the start; administrators may add more.
SERVICE_AREAS = [
    ("housing", "Housing"),
    ("council-tax", "Council tax"),
    ("benefits", "Benefits"),
    ("adult-social-care", "Adult social care"),
    ("environmental-services", "Environmental services"),
    ("waste", "Waste and recycling"),
]

AUDIT_TABLES = ("audit_events", "audit_seals", "audit_anchors")

REFUSE_CHANGES = """
CREATE FUNCTION audit_refuse_changes() RETURNS trigger AS $$
DECLARE
    written_by text;
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('app.audit_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'audit_events' THEN
        -- An event its own transaction wrote and takes back was never seen by anyone.
        EXECUTE format('SELECT xmin::text FROM %I.%I WHERE id = $1', TG_TABLE_SCHEMA, TG_TABLE_NAME)
            INTO written_by USING OLD.id;
        IF written_by = (pg_current_xact_id()::text::bigint % 4294967296)::text THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit records are never changed or deleted (% on %)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql
"""

# Tables in the order they are created; downgrade drops them in reverse.
TABLES = [
    "service_areas",
    "staff_users",
    "staff_service_areas",
    "staff_recovery_codes",
    "staff_password_links",
    "residents",
    "resident_phones",
    "name_keys",
    "name_terms",
    "calls",
    "verification_attempts",
    "verification_unlocks",
    "permissions",
    "permission_areas",
    "permission_events",
    "text_codes",
    "entries",
    "dispatches",
    "disputes",
    "dispute_decisions",
    "outbox_messages",
    "portal_sessions",
    "audit_events",
    "audit_seals",
    "audit_anchors",
    "legal_holds",
    "subject_access_exports",
    "share_requests",
]

TIMESTAMP = sa.DateTime(timezone=True)


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), nullable=False)


def _ref(
    table: str, column: str, referred: str, *, nullable: bool = True, ondelete: str | None = None
) -> sa.Column:
    """A column pointing at another table's id, its key named as the models name it."""
    key = sa.ForeignKey(f"{referred}.id", name=f"fk_{table}_{column}_{referred}", ondelete=ondelete)
    return sa.Column(column, sa.Integer(), key, nullable=nullable)


def _area_code(table: str) -> sa.Column:
    """The service area a row is about (service areas are keyed by their code)."""
    key = sa.ForeignKey("service_areas.code", name=f"fk_{table}_area_code_service_areas")
    return sa.Column("area_code", sa.String(40), key, nullable=False)


def _pk(table: str, *columns: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint(*(columns or ("id",)), name=f"pk_{table}")


def _unique(table: str, column: str) -> sa.UniqueConstraint:
    return sa.UniqueConstraint(column, name=f"uq_{table}_{column}")


def _index(table: str, *columns: str, name: str | None = None) -> None:
    op.create_index(name or f"ix_{table}_{'_'.join(columns)}", table, list(columns))


def upgrade():
    # Service areas and staff: who works here, in which areas, and how they sign in.
    op.create_table(
        "service_areas",
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        _pk("service_areas", "code"),
    )
    op.bulk_insert(
        sa.table(
            "service_areas",
            sa.column("code", sa.String),
            sa.column("name", sa.String),
            sa.column("is_active", sa.Boolean),
        ),
        [{"code": code, "name": name, "is_active": True} for code, name in SERVICE_AREAS],
    )
    op.create_table(
        "staff_users",
        _id(),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("role", sa.String(40), nullable=False),
        sa.Column("may_see_sensitive", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("session_token", sa.String(64), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("last_signed_in_at", TIMESTAMP),
        sa.Column("two_factor_secret", sa.String(64)),
        sa.Column("two_factor_enrolled_at", TIMESTAMP),
        sa.Column("two_factor_last_step", sa.BigInteger()),
        _pk("staff_users"),
        _unique("staff_users", "email"),
        _unique("staff_users", "session_token"),
    )
    op.create_table(
        "staff_service_areas",
        _ref("staff_service_areas", "staff_id", "staff_users", nullable=False, ondelete="CASCADE"),
        _area_code("staff_service_areas"),
        _pk("staff_service_areas", "staff_id", "area_code"),
    )
    op.create_table(
        "staff_recovery_codes",
        _id(),
        _ref("staff_recovery_codes", "staff_id", "staff_users", nullable=False, ondelete="CASCADE"),
        sa.Column("code_hash", sa.String(200), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("used_at", TIMESTAMP),
        _pk("staff_recovery_codes"),
    )
    _index("staff_recovery_codes", "staff_id")
    op.create_table(
        "staff_password_links",
        _id(),
        _ref("staff_password_links", "staff_id", "staff_users", nullable=False, ondelete="CASCADE"),
        sa.Column("token_hash", sa.String(64), nullable=False),
        _ref("staff_password_links", "issued_by_id", "staff_users"),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.Column("used_at", TIMESTAMP),
        _pk("staff_password_links"),
        _unique("staff_password_links", "token_hash"),
    )
    _index("staff_password_links", "staff_id")

    # Residents, their phone numbers, and the name index that search reads.
    op.create_table(
        "residents",
        _id(),
        sa.Column("reference", sa.String(16), nullable=False),
        sa.Column("forename", sa.String(100), nullable=False),
        sa.Column("middle_names", sa.String(200)),
        sa.Column("surname", sa.String(100), nullable=False),
        sa.Column("forename_norm", sa.String(100), nullable=False),
        sa.Column("surname_norm", sa.String(100), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=False),
        sa.Column("address_line_1", sa.String(200), nullable=False),
        sa.Column("address_line_2", sa.String(200)),
        sa.Column("town", sa.String(100), nullable=False),
        sa.Column("postcode", sa.String(10), nullable=False),
        sa.Column("postcode_norm", sa.String(8), nullable=False),
        sa.Column("email", sa.String(254)),
        sa.Column("secret_word_hash", sa.String(200)),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        _pk("residents"),
        _unique("residents", "reference"),
    )
    _index("residents", "postcode_norm")
    # Covering indexes: name search reads no rows.
    _index(
        "residents",
        "forename_norm",
        "surname_norm",
        "middle_names",
        name="ix_residents_forename_surname_middle",
    )
    _index(
        "residents",
        "surname_norm",
        "forename_norm",
        "middle_names",
        name="ix_residents_surname_forename_middle",
    )
    op.create_table(
        "resident_phones",
        _id(),
        _ref("resident_phones", "resident_id", "residents", nullable=False, ondelete="CASCADE"),
        sa.Column("number", sa.String(16), nullable=False),
        sa.Column("label", sa.String(20), nullable=False),
        sa.Column("added_at", TIMESTAMP),
        _pk("resident_phones"),
    )
    _index("resident_phones", "number")
    _index("resident_phones", "resident_id")
    op.create_table(
        "name_keys",
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("key", sa.String(110), nullable=False),
        sa.Column("term", sa.String(100), nullable=False),
        _pk("name_keys", "kind", "key", "term"),
    )
    op.create_table(
        "name_terms",
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("term", sa.String(100), nullable=False),
        _pk("name_terms", "kind", "term"),
    )

    # Calls and the checks made on them.
    op.create_table(
        "calls",
        _id(),
        _ref("calls", "handler_id", "staff_users"),
        sa.Column("provider_call_sid", sa.String(64)),
        sa.Column("caller_number", sa.String(16)),
        sa.Column("caller_number_withheld", sa.Boolean(), nullable=False),
        _ref("calls", "resident_id", "residents"),
        sa.Column("caller_type", sa.String(40), nullable=False),
        sa.Column("caller_name", sa.String(200)),
        sa.Column("caller_relationship", sa.String(40)),
        sa.Column("verified_as", sa.String(40), nullable=False),
        sa.Column("verified_at", TIMESTAMP),
        sa.Column("factors_matched", sa.String(200), nullable=False),
        sa.Column("started_at", TIMESTAMP, nullable=False),
        sa.Column("ended_at", TIMESTAMP),
        sa.Column("outcome", sa.String(40)),
        sa.Column("summary", sa.Text()),
        # Its foreign key is added below, once `permissions` exists.
        sa.Column("permission_id", sa.Integer()),
        sa.Column("verified_resident_id", sa.Integer()),
        sa.Column("verified_caller_type", sa.String(40)),
        sa.Column("verified_permission_id", sa.Integer()),
        sa.Column("last_activity_at", TIMESTAMP),
        sa.Column("taken_at", TIMESTAMP),
        sa.Column("provider_status", sa.String(20)),
        sa.Column("duration_seconds", sa.Integer()),
        _pk("calls"),
        _unique("calls", "provider_call_sid"),
    )
    _index("calls", "caller_number")
    _index("calls", "handler_id", "ended_at")
    _index("calls", "resident_id")
    op.create_table(
        "verification_attempts",
        _id(),
        _ref("verification_attempts", "call_id", "calls", nullable=False),
        _ref("verification_attempts", "resident_id", "residents", nullable=False),
        _ref("verification_attempts", "handler_id", "staff_users"),
        sa.Column("factors_matched", sa.String(200), nullable=False),
        sa.Column("factors_failed", sa.String(200), nullable=False),
        sa.Column("result", sa.String(40), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        _pk("verification_attempts"),
    )
    _index("verification_attempts", "call_id")
    _index("verification_attempts", "resident_id", "created_at")
    _index("verification_attempts", "created_at")
    op.create_table(
        "verification_unlocks",
        _id(),
        _ref("verification_unlocks", "resident_id", "residents", nullable=False),
        _ref("verification_unlocks", "supervisor_id", "staff_users", nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        _pk("verification_unlocks"),
    )
    _index("verification_unlocks", "resident_id")

    # Permissions: who may speak for a resident, about what, until when.
    op.create_table(
        "permissions",
        _id(),
        _ref("permissions", "resident_id", "residents", nullable=False),
        sa.Column("holder_name", sa.String(200), nullable=False),
        sa.Column("holder_relationship", sa.String(40), nullable=False),
        sa.Column("holder_phone", sa.String(16), nullable=False),
        sa.Column("holder_email", sa.String(254)),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("all_areas", sa.Boolean(), nullable=False),
        sa.Column("may_act", sa.Boolean(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date()),
        sa.Column("evidence_reference", sa.String(200)),
        sa.Column("lpa_access_code", sa.String(40)),
        _ref("permissions", "granted_on_call_id", "calls"),
        sa.Column("matter", sa.Text()),
        sa.Column("matter_closed_at", TIMESTAMP),
        sa.Column("revoked_at", TIMESTAMP),
        _ref("permissions", "revoked_by_id", "staff_users"),
        sa.Column("revocation_reason", sa.Text()),
        sa.Column("verification_method", sa.String(40), nullable=False),
        sa.Column("passcode_hash", sa.String(200)),
        sa.Column("safeguarding_given_freely", sa.Boolean(), nullable=False),
        sa.Column("safeguarding_nobody_pressing", sa.Boolean(), nullable=False),
        sa.Column("safeguarding_understands_scope", sa.Boolean(), nullable=False),
        _ref("permissions", "safeguarding_confirmed_by_id", "staff_users", nullable=False),
        _ref("permissions", "created_by_id", "staff_users", nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint(
            "kind <> 'verbal' OR granted_on_call_id IS NOT NULL",
            name=op.f("ck_permissions_verbal_consent_on_a_call"),
        ),
        sa.CheckConstraint(
            "verification_method <> 'passcode' OR passcode_hash IS NOT NULL",
            name=op.f("ck_permissions_passcode_hashed"),
        ),
        sa.CheckConstraint(
            "expires_on IS NULL OR expires_on > starts_on",
            name=op.f("ck_permissions_expires_after_start"),
        ),
        sa.CheckConstraint(
            "safeguarding_given_freely AND safeguarding_nobody_pressing"
            " AND safeguarding_understands_scope",
            name=op.f("ck_permissions_safeguarding_confirmed"),
        ),
        _pk("permissions"),
    )
    _index("permissions", "resident_id")
    _index("permissions", "holder_phone")
    _index("permissions", "granted_on_call_id")
    op.create_table(
        "permission_areas",
        _ref(
            "permission_areas", "permission_id", "permissions", nullable=False, ondelete="CASCADE"
        ),
        _area_code("permission_areas"),
        _pk("permission_areas", "permission_id", "area_code"),
    )
    op.create_table(
        "permission_events",
        _id(),
        _ref("permission_events", "permission_id", "permissions", nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        _ref("permission_events", "staff_id", "staff_users"),
        _ref("permission_events", "call_id", "calls"),
        sa.Column("reason", sa.Text()),
        _pk("permission_events"),
    )
    _index("permission_events", "at")
    _index("permission_events", "permission_id")
    _index("permission_events", "call_id")
    with op.batch_alter_table("calls") as batch_op:
        batch_op.create_foreign_key(
            "fk_calls_permission_id_permissions", "permissions", ["permission_id"], ["id"]
        )
    op.create_table(
        "text_codes",
        _id(),
        _ref("text_codes", "call_id", "calls", nullable=False),
        _ref("text_codes", "resident_id", "residents", nullable=False),
        _ref("text_codes", "permission_id", "permissions"),
        sa.Column("phone_number", sa.String(16), nullable=False),
        sa.Column("provider", sa.String(40), nullable=False),
        sa.Column("code_hash", sa.String(64)),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.Column("checks", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(40), nullable=False),
        _pk("text_codes"),
    )
    _index("text_codes", "call_id")
    _index("text_codes", "resident_id", "created_at")

    # Entries on a resident's record, help sent, and disputes about entries.
    op.create_table(
        "entries",
        _id(),
        _ref("entries", "resident_id", "residents", nullable=False),
        _ref("entries", "call_id", "calls"),
        _area_code("entries"),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("urgency", sa.String(40), nullable=False),
        sa.Column("is_sensitive", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("reporter_name", sa.String(200)),
        sa.Column("reporter_number", sa.String(16)),
        sa.Column("reporter_relationship", sa.String(40), nullable=False),
        sa.Column("reporter_verified", sa.Boolean(), nullable=False),
        _ref("entries", "created_by_id", "staff_users"),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        _pk("entries"),
    )
    _index("entries", "call_id")
    _index("entries", "reporter_number")
    _index("entries", "resident_id", "created_at")
    _index("entries", "created_at", "reporter_relationship")
    op.create_table(
        "dispatches",
        _id(),
        _ref("dispatches", "entry_id", "entries", nullable=False),
        sa.Column("team", sa.String(100), nullable=False),
        sa.Column("priority", sa.String(40), nullable=False),
        sa.Column("instructions", sa.Text(), nullable=False),
        _ref("dispatches", "created_by_id", "staff_users"),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("outcome", sa.String(40)),
        sa.Column("outcome_notes", sa.Text()),
        _ref("dispatches", "closed_by_id", "staff_users"),
        sa.Column("closed_at", TIMESTAMP),
        _pk("dispatches"),
    )
    _index("dispatches", "closed_at", "created_at")
    _index("dispatches", "entry_id")
    op.create_table(
        "disputes",
        _id(),
        _ref("disputes", "entry_id", "entries", nullable=False),
        _ref("disputes", "resident_id", "residents", nullable=False),
        sa.Column("reason", sa.String(40), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("opened_via", sa.String(40), nullable=False),
        _ref("disputes", "call_id", "calls"),
        _ref("disputes", "opened_by_id", "staff_users"),
        sa.Column("opened_at", TIMESTAMP, nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        _ref("disputes", "assigned_to_id", "staff_users"),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("decisions_made", sa.Integer(), nullable=False),
        _pk("disputes"),
    )
    _index("disputes", "entry_id")
    _index("disputes", "resident_id")
    _index("disputes", "status", "due_on")
    _index("disputes", "call_id")
    op.create_table(
        "dispute_decisions",
        _id(),
        _ref("dispute_decisions", "dispute_id", "disputes", nullable=False),
        sa.Column("outcome", sa.String(40), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        _ref("dispute_decisions", "decided_by_id", "staff_users", nullable=False),
        sa.Column("decided_at", TIMESTAMP, nullable=False),
        _ref("dispute_decisions", "supersedes_id", "dispute_decisions"),
        _pk("dispute_decisions"),
    )
    _index("dispute_decisions", "dispute_id")

    # Texts to residents (the outbox) and the resident portal's sign-ins.
    op.create_table(
        "outbox_messages",
        _id(),
        sa.Column("kind", sa.String(40), nullable=False),
        _ref("outbox_messages", "resident_id", "residents"),
        sa.Column("to_number", sa.String(16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", TIMESTAMP, nullable=False),
        sa.Column("last_error", sa.Text()),
        sa.Column("provider_sid", sa.String(64)),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("sent_at", TIMESTAMP),
        sa.Column("delivered_at", TIMESTAMP),
        _pk("outbox_messages"),
        _unique("outbox_messages", "provider_sid"),
    )
    _index("outbox_messages", "resident_id")
    _index("outbox_messages", "status", "next_attempt_at")
    op.create_table(
        "portal_sessions",
        _id(),
        sa.Column("token", sa.String(64), nullable=False),
        _ref("portal_sessions", "resident_id", "residents"),
        sa.Column("phone_number", sa.String(16)),
        sa.Column("provider", sa.String(40)),
        sa.Column("code_hash", sa.String(64)),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.Column("checks", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("signed_in_at", TIMESTAMP),
        sa.Column("ended_at", TIMESTAMP),
        _pk("portal_sessions"),
        _unique("portal_sessions", "token"),
    )
    _index("portal_sessions", "resident_id", "created_at")

    # The audit trail: events, the seals that chain them, and where the chain starts.
    # An event keeps its call's id as a plain number, so retention can remove old calls.
    op.create_table(
        "audit_events",
        _id(),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        _ref("audit_events", "staff_id", "staff_users"),
        _ref("audit_events", "resident_id", "residents"),
        sa.Column("call_id", sa.Integer()),
        sa.Column("purpose", sa.Text()),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("remote_addr", sa.String(45)),
        sa.Column("role", sa.String(20)),
        sa.Column("entry_id", sa.Integer()),
        sa.Column("outcome", sa.String(40)),
        sa.Column("nonce", sa.String(32)),
        sa.Column("mac", sa.String(64)),
        _pk("audit_events"),
        _unique("audit_events", "mac"),
    )
    _index("audit_events", "action", "at")
    _index("audit_events", "resident_id", "at")
    _index("audit_events", "staff_id")
    _index("audit_events", "at")
    _index("audit_events", "call_id")
    op.create_table(
        "audit_seals",
        sa.Column("event_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seal", sa.String(64), nullable=False),
        sa.Column("sealed_at", TIMESTAMP, nullable=False),
        _pk("audit_seals", "event_id"),
    )
    op.create_table(
        "audit_anchors",
        _id(),
        sa.Column("after_event_id", sa.Integer(), nullable=False),
        sa.Column("previous_seal", sa.String(64), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("mac", sa.String(64), nullable=False),
        _pk("audit_anchors"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(REFUSE_CHANGES)
        for table in AUDIT_TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION audit_refuse_changes()"
            )

    # Legal holds, subject access exports and duty-to-share requests.
    op.create_table(
        "legal_holds",
        _id(),
        _ref("legal_holds", "resident_id", "residents", nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        _ref("legal_holds", "set_by_id", "staff_users", nullable=False),
        sa.Column("set_at", TIMESTAMP, nullable=False),
        sa.Column("lifted_at", TIMESTAMP),
        _ref("legal_holds", "lifted_by_id", "staff_users"),
        sa.Column("lift_reason", sa.Text()),
        _pk("legal_holds"),
    )
    _index("legal_holds", "resident_id", "lifted_at")
    op.create_table(
        "subject_access_exports",
        _id(),
        _ref("subject_access_exports", "resident_id", "residents", nullable=False),
        _ref("subject_access_exports", "requested_by_id", "staff_users", nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("include_third_parties", sa.Boolean(), nullable=False),
        sa.Column("third_party_reason", sa.Text()),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("completed_at", TIMESTAMP),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        _pk("subject_access_exports"),
    )
    _index("subject_access_exports", "resident_id")
    _index("subject_access_exports", "requested_by_id", "created_at")
    op.create_table(
        "share_requests",
        _id(),
        _ref("share_requests", "call_id", "calls", nullable=False),
        _ref("share_requests", "resident_id", "residents", nullable=False),
        _ref("share_requests", "requested_by_id", "staff_users"),
        sa.Column("requested_at", TIMESTAMP, nullable=False),
        sa.Column("caller", sa.String(300), nullable=False),
        sa.Column("basis", sa.String(40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("officer", sa.String(300)),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("areas_requested", sa.String(500), nullable=False),
        sa.Column("areas_approved", sa.String(500)),
        sa.Column("status", sa.String(40), nullable=False),
        _ref("share_requests", "decided_by_id", "staff_users"),
        sa.Column("decided_at", TIMESTAMP),
        sa.Column("decision_reason", sa.Text()),
        sa.Column("disclosed_at", TIMESTAMP),
        _pk("share_requests"),
    )
    _index("share_requests", "call_id")
    _index("share_requests", "resident_id")
    _index("share_requests", "status", "requested_at")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in AUDIT_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute("DROP FUNCTION IF EXISTS audit_refuse_changes()")
    # Calls and permissions point at each other: the key from calls goes first.
    with op.batch_alter_table("calls") as batch_op:
        batch_op.drop_constraint("fk_calls_permission_id_permissions", type_="foreignkey")
    for table in reversed(TABLES):
        op.drop_table(table)
