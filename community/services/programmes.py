"""Programmes and their units: the manager's writes, the unit chooser's choices and a unit's page.

Units are not secret: every active member may read a programme's units; what a unit's page lists goes through
``permissions.visible_topics`` like every other listing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import case, select, update
from sqlalchemy.orm import joinedload, selectinload

from community.errors import Conflict, Forbidden, InvalidInput
from community.extensions import db
from community.models import Group, Programme, Topic, Unit, User
from community.permissions import can_manage_programmes, can_set_group_programme, visible_topics
from community.services.audit import record

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
UNIT_PAGE_SIZE = 50


def _slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "programme"


def create_programme(actor: User, *, name: str, slug: str | None = None, description: str = "") -> Programme:
    """Define a programme (the community manager; commits)."""
    if not can_manage_programmes(actor):
        raise Forbidden(_("Only the community manager defines programmes."))
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise InvalidInput(_("Please give the programme a name (120 characters at most)."), field="name")
    slug = (slug or "").strip().lower() or _slugify(name)
    if not SLUG.match(slug):
        raise InvalidInput(_("Use lower-case letters, digits and hyphens in the web address."), field="slug")
    if db.session.scalar(select(Programme.id).where(Programme.slug == slug)) is not None:
        raise Conflict(_("Another programme already has this web address."), field="slug")
    programme = Programme(name=name, slug=slug, description=(description or "").strip()[:5000])
    db.session.add(programme)
    db.session.flush()
    record(actor, "programme.create", None, detail={"programme": programme.slug})
    db.session.commit()
    return programme


def _clean_unit(programme: Programme, code: str, title: str, starts_on: date | None, ends_on: date | None,
                unit: Unit | None = None) -> tuple[str, str]:  # fmt: skip
    code = (code or "").strip().upper()
    title = (title or "").strip()
    if not CODE.match(code):
        raise InvalidInput(_("A unit's code is 1 to 20 letters or digits (dots and hyphens allowed), e.g. 5CO01."),
                           field="code")  # fmt: skip
    if not title or len(title) > 200:
        raise InvalidInput(_("Please give the unit a title (200 characters at most)."), field="title")
    if starts_on and ends_on and ends_on < starts_on:
        raise InvalidInput(_("A unit cannot end before it starts."), field="ends_on")
    taken = select(Unit.id).where(Unit.programme_id == programme.id, Unit.code == code)
    if unit is not None:
        taken = taken.where(Unit.id != unit.id)
    if db.session.scalar(taken) is not None:
        raise Conflict(_("This programme already has a unit %(code)s.", code=code), field="code")
    return code, title


def add_unit(actor: User, programme: Programme, *, code: str, title: str, starts_on: date | None = None,
             ends_on: date | None = None, position: int | None = None) -> Unit:  # fmt: skip
    """Add a unit to a programme (the community manager; commits); it goes last unless placed."""
    if not can_manage_programmes(actor):
        raise Forbidden(_("Only the community manager defines units."))
    code, title = _clean_unit(programme, code, title, starts_on, ends_on)
    if position is None:
        last = db.session.scalar(select(Unit.position).where(Unit.programme_id == programme.id)
                                 .order_by(Unit.position.desc()).limit(1))  # fmt: skip
        position = (last or 0) + 1
    unit = Unit(programme_id=programme.id, code=code, title=title, starts_on=starts_on, ends_on=ends_on,
                position=position)  # fmt: skip
    db.session.add(unit)
    db.session.flush()
    record(actor, "unit.create", None, detail={"programme": programme.slug, "unit": code})
    db.session.commit()
    return unit


def update_unit(actor: User, unit: Unit, *, code: str, title: str, starts_on: date | None = None,
                ends_on: date | None = None, position: int | None = None) -> Unit:  # fmt: skip
    """Change a unit's code, title, dates or place (the community manager; commits)."""
    if not can_manage_programmes(actor):
        raise Forbidden(_("Only the community manager defines units."))
    programme = db.session.get(Programme, unit.programme_id)
    assert programme is not None
    unit.code, unit.title = _clean_unit(programme, code, title, starts_on, ends_on, unit)
    unit.starts_on, unit.ends_on = starts_on, ends_on
    if position is not None:
        unit.position = position
    record(actor, "unit.edit", None, detail={"programme": programme.slug, "unit": unit.code})
    db.session.commit()
    return unit


def delete_unit(actor: User, unit: Unit) -> None:
    """Remove a unit; the topics that named it keep their text and lose the unit (commits)."""
    if not can_manage_programmes(actor):
        raise Forbidden(_("Only the community manager defines units."))
    db.session.execute(update(Topic).where(Topic.unit_id == unit.id).values(unit_id=None)
                       .execution_options(synchronize_session=False))  # fmt: skip
    record(actor, "unit.delete", None, detail={"unit": unit.code})
    db.session.delete(unit)
    db.session.commit()


def set_group_programme(actor: User, group: Group, programme_id: int | None) -> None:
    """The programme a cohort group follows, or none (the group's facilitators and admins; commits)."""
    if not can_set_group_programme(actor, group):
        raise Forbidden(_("Only the group's facilitators and the community manager choose its programme."))
    if programme_id is not None and db.session.get(Programme, programme_id) is None:
        raise InvalidInput(_("Please choose one of the programmes listed."), field="programme")
    if programme_id != group.programme_id:
        group.programme_id = programme_id
        record(actor, "group.programme", group, group_id=group.id, detail={"programme": programme_id})
        db.session.commit()


def check_unit(group: Group | None, unit_id: int | str | None) -> int | None:
    """The unit a topic names, checked against the group's programme: None for none; InvalidInput otherwise."""
    if unit_id in (None, "", 0, "0"):
        return None
    try:
        wanted = int(unit_id)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        wanted = -1
    programme_id = group.programme_id if group is not None else None
    if programme_id is None or db.session.scalar(
        select(Unit.id).where(Unit.id == wanted, Unit.programme_id == programme_id)
    ) is None:
        raise InvalidInput(_("Choose a unit of the programme this group follows (or no unit)."), field="unit")
    return wanted


# --------------------------------------------------------------------------------------------------
# Reads


def programmes_with_units() -> list[tuple[Programme, list[Unit]]]:
    """Every programme by name, each with its units in order (two queries)."""
    programmes = list(db.session.scalars(select(Programme).order_by(Programme.name)))
    units = db.session.scalars(select(Unit).order_by(Unit.position, Unit.code))
    by_programme: dict[int, list[Unit]] = {p.id: [] for p in programmes}
    for unit in units:
        by_programme.setdefault(unit.programme_id, []).append(unit)
    return [(p, by_programme[p.id]) for p in programmes]


def units_by_group(groups: list[Group]) -> dict[int, list[Unit]]:
    """The units each group's programme offers (one query), for the unit chooser."""
    programme_ids = {g.programme_id for g in groups if g.programme_id is not None}
    if not programme_ids:
        return {}
    units = list(db.session.scalars(select(Unit).where(Unit.programme_id.in_(programme_ids))
                                    .order_by(Unit.position, Unit.code)))  # fmt: skip
    return {g.id: [u for u in units if u.programme_id == g.programme_id] for g in groups if g.programme_id}


def unit_ids_for_code(code: str) -> list[int]:
    """The units with this code, in any programme (the ?unit= filter)."""
    return list(db.session.scalars(select(Unit.id).where(Unit.code == (code or "").strip().upper())))


def units_of(topics: list[Topic]) -> dict[int, Unit]:
    """The units named by these topics (one query, none when no topic names a unit)."""
    ids = {t.unit_id for t in topics if t.unit_id is not None}
    if not ids:
        return {}
    query = select(Unit).options(joinedload(Unit.programme)).where(Unit.id.in_(ids))
    return {u.id: u for u in db.session.scalars(query)}


@dataclass
class UnitPage:
    """A unit's page: the unit, its programme, its questions (unanswered first) and how many are waiting."""

    unit: Unit
    questions: list[Topic]
    unanswered: int


def unit_page(user: User, unit: Unit) -> UnitPage:
    """The questions the member may see about this unit: unanswered ones first, then newest (two queries)."""
    waiting = case((Topic.reply_count == 0, 0), else_=1)
    query = (
        select(Topic)
        .options(joinedload(Topic.author), joinedload(Topic.group), selectinload(Topic.tags))
        .where(Topic.unit_id == unit.id, Topic.kind == "question", visible_topics(user))
        .order_by(waiting, Topic.published_at.desc(), Topic.id.desc())
        .limit(UNIT_PAGE_SIZE)
    )
    questions = list(db.session.scalars(query).unique())
    return UnitPage(unit, questions, sum(1 for q in questions if q.reply_count == 0))
