"""Agencies, users (practitioners) and their server-side sessions."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UTCDateTime, new_uuid, utcnow


class AgencyKind(StrEnum):
    SOCIAL_SERVICES = "social_services"
    YOUTH_WORK = "youth_work"
    POLICE = "police"
    NGO = "ngo"
    SCHOOL = "school"
    HEALTH = "health"
    COORDINATION = "coordination"


class Role(StrEnum):
    CASEWORKER = "caseworker"
    SUPERVISOR = "supervisor"
    ANALYST = "analyst"
    AUDITOR = "auditor"
    ADMIN = "admin"


class Agency(Base):
    """An organisation taking part in the multi-agency work."""

    __tablename__ = "agencies"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="agency")


class User(Base):
    """A practitioner account. The TOTP secrets and demo passwords are stored encrypted."""

    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    must_change_password: Mapped[bool] = mapped_column(default=False)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    totp_secret: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_pending_secret: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_last_step: Mapped[int | None]
    failed_attempts: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(default=True)
    is_demo: Mapped[bool] = mapped_column(default=False)
    demo_password: Mapped[bytes | None] = mapped_column(LargeBinary)
    locale: Mapped[str | None] = mapped_column(String(8))
    # Where "You have a new item in Silta" is mailed (issue 11); None: no e-mail.
    email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The security stamp: changed by every reset, password change, TOTP reset, deactivation,
    # unlock and release; a session or half-finished sign-in carrying another value is void.
    credential_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # A practitioner's credential an admin created or reset, waiting for a supervisor of the
    # agency (or a host operator) to release it: "created" or "reset", and since when.
    credential_pending: Mapped[str | None] = mapped_column(String(16))
    credential_pending_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    agency: Mapped[Agency] = relationship(back_populates="users", lazy="joined")
    sessions: Mapped[list[UserSession]] = relationship(back_populates="user")

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def totp_enrolled(self) -> bool:
        return self.totp_secret is not None

    @property
    def awaiting_release(self) -> bool:
        return self.credential_pending is not None


class UserSession(Base):
    """A server-side login session; the browser holds only the random token, we its hash."""

    __tablename__ = "user_sessions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reauthenticated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    credential_version: Mapped[int] = mapped_column(default=1, server_default="1")
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(String(32))

    user: Mapped[User] = relationship(back_populates="sessions", lazy="joined")
