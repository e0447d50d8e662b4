"""Programmes (a qualification's structure) and their units; cohort groups follow a programme.

A Unit ("5CO01 Organisational performance and culture") belongs to one Programme; a Group follows at most one
Programme (``Group.programme_id``) and a Topic may name one of its units (``Topic.unit_id``). Those two columns
carry no foreign key: on SQLite a constraint can only be added by rebuilding the groups and topics tables (which
would drop the search triggers); the services clear them when a programme or unit goes.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.extensions import db
from community.models.base import UTCDateTime, utcnow


class Programme(db.Model):
    """A learning programme (a qualification) that cohort groups follow."""

    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Unit(db.Model):
    """A unit (module) of a programme: a code unique in its programme, a title, optional dates, an order."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    programme: Mapped[Programme] = relationship(lazy="raise_on_sql")

    __table_args__ = (UniqueConstraint("programme_id", "code"), Index("ix_units_code", "code"))

    @property
    def label(self) -> str:
        return f"{self.code} {self.title}"
