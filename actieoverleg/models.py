"""The data model. A case is only a pseudonymous code plus coarse categories (docs/domain.md).

Datetimes are stored as naive UTC and handed out as aware UTC (`UTCDateTime`), so the
models run the same on SQLite and PostgreSQL; they are shown in Europe/Amsterdam by
`formatting.py`.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from flask_login import UserMixin
from sqlalchemy import (
    DDL,
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .clock import utcnow
from .extensions import db
from .vocab import (
    ActionKind,
    ActionStatus,
    AgendaReason,
    Assessment,
    AttendanceForm,
    AttendanceStatus,
    CaseKind,
    CaseReason,
    Children,
    Handover,
    ItemKind,
    MailKind,
    MailMode,
    MeetingForm,
    MeetingStatus,
    OrganisationKind,
    OutboxStatus,
    Role,
    TokenPurpose,
)

ONLINE_URL_MAX = 500  # a Teams or Zoom link is well under this


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, naive UTC in the column."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware datetime")
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.timezone.utc)


def choice(enum_cls: type[enum.Enum]) -> Enum:
    """A portable (non-native) enum column that stores the member's value."""
    return Enum(
        enum_cls,
        native_enum=False,
        length=30,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


region_organisation = Table(
    "region_organisation",
    db.metadata,
    Column("region_id", ForeignKey("region.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True),
)
user_region = Table(
    "user_region",
    db.metadata,
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    Column("region_id", ForeignKey("region.id", ondelete="CASCADE"), primary_key=True, index=True),
)
case_needed = Table(
    "case_needed",
    db.metadata,
    Column("case_id", ForeignKey("case.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisation.id"), primary_key=True, index=True),
)
# Who was sent a meeting's calendar invite (with the agenda or a change): only they get its
# CANCEL, the others a plain message (mail.cancellation).
meeting_invitee = Table(
    "meeting_invitee",
    db.metadata,
    Column("meeting_id", ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)
item_shared = Table(
    "item_shared",
    db.metadata,
    Column("agenda_item_id", ForeignKey("agenda_item.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisation.id"), primary_key=True),
)


class Region(db.Model):
    """One Actie-overleg table (the scale of a Veilig Thuis region)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    code: Mapped[str] = mapped_column(String(4), unique=True)  # case code prefix, e.g. RR
    active: Mapped[bool] = mapped_column(default=True)
    # Rises with every change that can put a case on the next agenda (agenda.py); written by SQL only.
    agenda_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # The chair's choice where a case newly put on an agenda goes: at the top, or at the end.
    new_items_first: Mapped[bool] = mapped_column(default=False, server_default="0")
    organisations: Mapped[list[Organisation]] = relationship(
        secondary=region_organisation, back_populates="regions", order_by="Organisation.position"
    )


class Organisation(db.Model):
    """A partner (VT, Politie, OM, RvdK, each 3RO organisation) or a guest at the table."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    short_name: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(choice(OrganisationKind))
    position: Mapped[int] = mapped_column(default=100)  # fixed display order at the table
    active: Mapped[bool] = mapped_column(default=True)
    regions: Mapped[list[Region]] = relationship(secondary=region_organisation, back_populates="organisations")


class User(UserMixin, db.Model):
    """A staff member of one organisation, in one or more regions, with one role."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(choice(Role))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    mail_mode: Mapped[MailMode] = mapped_column(choice(MailMode), default=MailMode.volledig)
    feed_token: Mapped[str | None] = mapped_column(String(64), unique=True)  # calendar subscription
    organisation: Mapped[Organisation] = relationship(lazy="joined")
    regions: Mapped[list[Region]] = relationship(secondary=user_region, lazy="selectin", order_by="Region.name")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def region_ids(self) -> set[int]:
        return {r.id for r in self.regions}


class LoginSession(db.Model):
    """A server-side sign-in: logout revokes it, so a copied cookie stops working."""

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class MeetingSeries(db.Model):
    """The weekly rhythm of a region's Actie-overleg; meetings are planned from it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    weekday: Mapped[int]  # 0 = Monday
    start_time: Mapped[dt.time] = mapped_column(Time)
    duration_minutes: Mapped[int] = mapped_column(default=120)
    location: Mapped[str] = mapped_column(String(200), default="")
    form: Mapped[MeetingForm] = mapped_column(choice(MeetingForm))
    online_url: Mapped[str] = mapped_column(String(ONLINE_URL_MAX), default="")  # online and hybride only
    active: Mapped[bool] = mapped_column(default=True)
    region: Mapped[Region] = relationship()


class Meeting(db.Model):
    """One Actie-overleg: its agenda, attendance and record."""

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"))
    series_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_series.id"))
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    duration_minutes: Mapped[int] = mapped_column(default=120)
    location: Mapped[str] = mapped_column(String(200), default="")
    form: Mapped[MeetingForm] = mapped_column(choice(MeetingForm))
    # The https link to join an online or hybride meeting, shown in the pages, mails and invites.
    online_url: Mapped[str] = mapped_column(String(ONLINE_URL_MAX), default="")
    is_extra: Mapped[bool] = mapped_column(default=False)  # spoedoverleg
    status: Mapped[MeetingStatus] = mapped_column(choice(MeetingStatus), default=MeetingStatus.gepland)
    chair_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # iCalendar SEQUENCE: rises on every change of time, place, form or status (RFC 5546)
    sequence: Mapped[int] = mapped_column(default=0)
    agenda_sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The case codes of the last agenda sent, space-separated: a new send says what came and went.
    agenda_sent_codes: Mapped[str | None] = mapped_column(Text)
    # When a chair last reopened the record: it shows "heropend" to everyone from then on.
    reopened_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Per organisation a digest of the points the last follow-up listed (JSON); closing again
    # sends a correction only where it differs (mail.follow_up). A digest, so no text is copied.
    follow_up_digests: Mapped[str | None] = mapped_column(Text)
    # The agenda item the chair marked "nu in bespreking" (no foreign key: items refer to meetings).
    current_item_id: Mapped[int | None]
    # Rises with every change to the meeting, its items, points, attendance or preparation, so
    # the screens following it see a change from the database (live.py); written by SQL only.
    live_version: Mapped[int] = mapped_column(default=0, server_default="0")
    version: Mapped[int] = mapped_column(default=1)

    region: Mapped[Region] = relationship(lazy="joined")
    chair_organisation: Mapped[Organisation | None] = relationship(lazy="joined")
    items: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting",
        order_by="AgendaItem.position",
        cascade="all, delete-orphan",
        foreign_keys="AgendaItem.meeting_id",
    )
    attendances: Mapped[list[Attendance]] = relationship(back_populates="meeting", cascade="all, delete-orphan")

    __table_args__ = (Index("ix_meeting_region_starts", "region_id", "starts_at"),)
    __mapper_args__ = {"version_id_col": version}

    @property
    def is_closed(self) -> bool:
        return self.status is MeetingStatus.afgesloten

    @property
    def is_cancelled(self) -> bool:
        return self.status is MeetingStatus.geannuleerd

    @property
    def is_locked(self) -> bool:
        """A closed or cancelled record changes no more (a chair may reopen a closed one)."""
        return self.is_closed or self.is_cancelled


class Attendance(db.Model):
    """Who came for an organisation, with or without mandate, in which form."""

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    status: Mapped[AttendanceStatus] = mapped_column(choice(AttendanceStatus))
    mandate: Mapped[bool | None] = mapped_column(Boolean)
    form: Mapped[AttendanceForm | None] = mapped_column(choice(AttendanceForm))
    organisation: Mapped[Organisation] = relationship(lazy="joined")
    meeting: Mapped[Meeting] = relationship(back_populates="attendances")

    __table_args__ = (UniqueConstraint("meeting_id", "organisation_id"),)


class Case(db.Model):
    """A family situation, known here only by its pseudonymous code and categories."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[CaseKind] = mapped_column(choice(CaseKind))
    children: Mapped[Children] = mapped_column(choice(Children))
    reason: Mapped[CaseReason] = mapped_column(choice(CaseReason))
    file_reference: Mapped[str | None] = mapped_column(String(40))  # own organisation only

    region: Mapped[Region] = relationship(lazy="joined")
    organisation: Mapped[Organisation] = relationship(lazy="joined")
    needed: Mapped[list[Organisation]] = relationship(secondary=case_needed, order_by="Organisation.position")
    items: Mapped[list[AgendaItem]] = relationship(back_populates="case")
    actions: Mapped[list[ActionPoint]] = relationship(back_populates="case")


class AgendaItem(db.Model):
    """A case on a meeting's agenda, with the record of the three steps."""

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[ItemKind] = mapped_column(choice(ItemKind))
    removed: Mapped[bool] = mapped_column(default=False)
    # When the chair took it off: the case returns by itself only for what happens after (agenda.py).
    removed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Why an automatic item is there, as codes (agenda.REASONS); derived, rewritten by agenda.derive.
    reasons: Mapped[list[list[str]] | None] = mapped_column(JSON)
    planned_minutes: Mapped[int | None]  # the chair's time budget for this item
    # "Niet besproken — doorschuiven": the meeting the case went to instead (the item is then
    # removed, without removed_at: not discussed here, and no removal by the chair).
    deferred_to_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id", ondelete="SET NULL"))
    # step 1: informatie delen en duiden
    assessment: Mapped[Assessment | None] = mapped_column(choice(Assessment))
    # step 3: overdragen en uitvoeren
    handover: Mapped[Handover | None] = mapped_column(choice(Handover))
    return_date: Mapped[dt.date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(default=1)

    meeting: Mapped[Meeting] = relationship(back_populates="items", foreign_keys=[meeting_id])
    deferred_to: Mapped[Meeting | None] = relationship(foreign_keys=[deferred_to_id])
    case: Mapped[Case] = relationship(back_populates="items", lazy="joined")
    shared: Mapped[list[Organisation]] = relationship(secondary=item_shared, order_by="Organisation.position")
    preparations: Mapped[list[Preparation]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="Preparation.organisation_id"
    )
    actions: Mapped[list[ActionPoint]] = relationship(back_populates="agenda_item", order_by="ActionPoint.id")
    guests: Mapped[list[ItemGuest]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="ItemGuest.organisation_id"
    )

    __table_args__ = (UniqueConstraint("meeting_id", "case_id"),)
    __mapper_args__ = {"version_id_col": version}

    @property
    def reason_text(self) -> str:
        """Why an automatic item is there, in Dutch: "actiepunt Politie verlopen op 01-12; …"."""
        return "; ".join(
            AgendaReason(code).label.format(day=dt.date.fromisoformat(day).strftime("%d-%m"), org=org)
            for code, day, org in self.reasons or []
        )


class Preparation(db.Model):
    """'Informatie voorbereid' for one needed partner on one agenda item."""

    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), primary_key=True)
    prepared: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    organisation: Mapped[Organisation] = relationship(lazy="joined")
    item: Mapped[AgendaItem] = relationship(back_populates="preparations")


class ItemGuest(db.Model):
    """A guest organisation at the table for one case's discussion only, after it acknowledged
    confidentiality (recorded by the chair): its members see this item of this meeting, nothing else."""

    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), primary_key=True, index=True)
    acknowledged_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    acknowledged_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))  # the chair who recorded it
    organisation: Mapped[Organisation] = relationship(lazy="joined")
    item: Mapped[AgendaItem] = relationship(back_populates="guests")


class ActionPoint(db.Model):
    """An agreement: one owner organisation, a short guarded text, a due date, a status."""

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    # The case's region, copied: "Onze actiepunten" filters owner + region in one index (no join).
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"))
    text: Mapped[str] = mapped_column(String(200))
    kind: Mapped[ActionKind] = mapped_column(choice(ActionKind))
    due_date: Mapped[dt.date] = mapped_column(Date)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    status: Mapped[ActionStatus] = mapped_column(choice(ActionStatus), default=ActionStatus.open)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    result_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    result_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    version: Mapped[int] = mapped_column(default=1)

    case: Mapped[Case] = relationship(back_populates="actions", lazy="joined")
    agenda_item: Mapped[AgendaItem] = relationship(back_populates="actions")
    organisation: Mapped[Organisation] = relationship(lazy="joined")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id], lazy="joined")
    result_by: Mapped[User | None] = relationship(foreign_keys=[result_by_id], lazy="joined")

    __table_args__ = (
        Index("ix_action_point_owner_region_status_due", "organisation_id", "region_id", "status", "due_date"),
        Index("ix_action_point_region_status_due", "region_id", "status", "due_date"),  # agenda.automatic_case_ids
    )
    __mapper_args__ = {"version_id_col": version}

    @property
    def is_open(self) -> bool:
        return self.status is ActionStatus.open

    def is_overdue(self, today: dt.date) -> bool:
        return self.is_open and self.due_date < today


class RemovedAction(db.Model):
    """An action point taken back in the meeting, kept server-side so "Ongedaan maken" can put
    the same point back (meeting_steps.remove_action / restore_action). Only the token reaches
    the browser, never the text; the row goes when the point is restored, when another point of
    the item is removed, and when the meeting is closed."""

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id", ondelete="CASCADE"), index=True)
    removed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # The point as it was, field by field (its id too: restored under it when that is still free).
    action_id: Mapped[int]
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    text: Mapped[str] = mapped_column(String(200))
    kind: Mapped[ActionKind] = mapped_column(choice(ActionKind))
    due_date: Mapped[dt.date] = mapped_column(Date)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    status: Mapped[ActionStatus] = mapped_column(choice(ActionStatus))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    result_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    result_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


class AuditEvent(db.Model):
    """Who did what to which object, and when — never what the object says.

    Append-only (audit.py refuses an update or delete through the ORM). Each event carries the
    sha256 of its own canonical form, which includes its predecessor's hash (`prev_hash`): a
    chain in id order that `flask audit verify` recomputes (docs/rules.md §8).
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str] = mapped_column(String(80), default="")  # a code, never content
    outcome: Mapped[str] = mapped_column(String(10), default="success")  # vocab.AuditOutcome
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))  # the actor's, then
    client_addr: Mapped[str] = mapped_column(String(45), default="")  # IPv6 at most; "" from the CLI
    route: Mapped[str] = mapped_column(String(200), default="")  # "GET /overleggen/<int:meeting_id>"
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    hash: Mapped[str] = mapped_column(String(64), default="")
    user: Mapped[User | None] = relationship(lazy="joined")
    organisation: Mapped[Organisation | None] = relationship(lazy="raise")

    __table_args__ = (
        # Beheer › Auditlog filters by user, acting organisation's region (via the user), action
        # and period, newest first.
        Index("ix_audit_event_user_at", "user_id", "at"),
        Index("ix_audit_event_action_at", "action", "at"),
        Index("ix_audit_event_object", "object_type", "object_id"),
    )


# The database itself refuses to change or delete an event, for every client, not only this app
# (whose ORM guard is in audit.py). The migration "append-only audit log" makes the same triggers.
APPEND_ONLY_TRIGGERS = {
    "sqlite": (
        "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
        "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
    ),
    "postgresql": (
        "CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'audit events are append-only'; END $$",
        "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
        "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()",
    ),
}
for _dialect, _statements in APPEND_ONLY_TRIGGERS.items():
    for _statement in _statements:
        event.listen(AuditEvent.__table__, "after_create", DDL(_statement).execute_if(dialect=_dialect))


class AuditChain(db.Model):
    """The head of the audit chain: one row, the hash of the newest event. Every transaction
    that writes events updates it first, so writers of events take turns (a row lock in
    PostgreSQL, SQLite's single writer) and the chain follows the ids without a fork."""

    id: Mapped[int] = mapped_column(primary_key=True)  # always 1
    last_hash: Mapped[str] = mapped_column(String(64), default="")
    events: Mapped[int] = mapped_column(default=0)


class OutboxMessage(db.Model):
    """A mail, written in the transaction of the change that caused it and delivered later.

    `raw` is the complete message, so every attempt sends the same bytes with the same
    Message-ID. `dedup_key` makes enqueueing idempotent (a reminder run twice on one day).
    `data_started` marks that the message body went to the SMTP server: a sender that dies
    after that point may have delivered it, so the message is never retried by itself.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[MailKind] = mapped_column(choice(MailKind))
    dedup_key: Mapped[str] = mapped_column(String(120), unique=True)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    recipient: Mapped[str] = mapped_column(String(254))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(String(200))  # codes and dates only, shown to the beheerder
    raw: Mapped[bytes | None] = mapped_column(LargeBinary)  # dropped once sent and old
    status: Mapped[OutboxStatus] = mapped_column(choice(OutboxStatus), default=OutboxStatus.wachtend)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(40))
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    data_started: Mapped[bool] = mapped_column(default=False)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str] = mapped_column(String(120), default="")  # a code and a reason, never content
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    __table_args__ = (Index("ix_outbox_status_next", "status", "next_attempt_at"),)


class StatCell(db.Model):
    """One pre-aggregated, not yet disclosed number of one region in one period (aggregates.py).

    Rows are written only by `aggregates.refresh`; pages read and sum these, never the case
    tables, so a national year page touches a few thousand small rows whatever the history.
    `cases` is the number of distinct cases behind `value` (NULL where no case is involved,
    e.g. meetings or attendance); cases never cross regions, so national sums stay exact.
    """

    region_id: Mapped[int] = mapped_column(ForeignKey("region.id", ondelete="CASCADE"), primary_key=True)
    period: Mapped[str] = mapped_column(String(6), primary_key=True)  # "2026Q3" or "2026"
    tbl: Mapped[str] = mapped_column(String(20), primary_key=True)
    row: Mapped[str] = mapped_column(String(30), primary_key=True)
    col: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[int]
    cases: Mapped[int | None]

    # Covering: a national page sums one period's cells straight from the index, in group order.
    __table_args__ = (Index("ix_stat_cell_period_cover", "period", "tbl", "row", "col", "value", "cases"),)


class StatStale(db.Model):
    """A region's period whose cells must be recomputed before they are read again."""

    region_id: Mapped[int] = mapped_column(ForeignKey("region.id", ondelete="CASCADE"), primary_key=True)
    period: Mapped[str] = mapped_column(String(6), primary_key=True)


class TotpCredential(db.Model):
    """A user's authenticator-app secret (base32). Unconfirmed while being set up; once a code
    matched, `confirmed_at` is set. `last_step` is the last 30-second step whose code was
    accepted: a code is never taken twice (auth_totp.py)."""

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_step: Mapped[int] = mapped_column(default=0)


class RecoveryCode(db.Model):
    """A one-time code for when the phone is gone; only its SHA-256 is kept."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class AccountToken(db.Model):
    """A one-time link to choose a password: an invitation or a reset (auth_links.py). Only the
    token's SHA-256 is kept; it works once and until `expires_at`."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(choice(TokenPurpose))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class AuthFailure(db.Model):
    """One failed attempt (a password, a code, a link) counted towards throttling (throttle.py).
    `key` is an HMAC of the scope and the account or client address, so neither is stored."""

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_auth_failure_key_at", "key", "at"),)
