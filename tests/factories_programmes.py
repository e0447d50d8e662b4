"""Programmes and units for tests, built through the programme services (the production code path)."""

from __future__ import annotations

import itertools

from community.models import Group, Programme, Unit, User
from community.services import programmes
from tests.factories import acting

_numbers = itertools.count(1)


def make_programme(admin: User, *, name: str | None = None, units: tuple[tuple[str, str], ...] = (
        ("5CO01", "Organisational performance and culture"), ("5CO02", "Evidence-based practice"))
        ) -> tuple[Programme, list[Unit]]:  # fmt: skip
    """A programme defined by ``admin`` with its units (code, title), in order."""
    programme = programmes.create_programme(acting(admin), name=name or f"Programme {next(_numbers)}")
    made = [programmes.add_unit(acting(admin), programme, code=code, title=title) for code, title in units]
    return programme, made


def follow(actor: User, group: Group, programme: Programme | None) -> None:
    """``group`` follows ``programme`` (set by ``actor``)."""
    programmes.set_group_programme(acting(actor), group, programme.id if programme else None)
