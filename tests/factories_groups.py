"""Groups for tests, built through the group services (the production code path)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from community.models import Group, User
from community.services.groups import add_member, create_group

_numbers = itertools.count(1)


def make_group(owner: User, visibility: str = "open", members: Iterable[User] = (),
               facilitators: Iterable[User] = (), *, name: str | None = None, slug: str | None = None,
               description: str = "") -> Group:  # fmt: skip
    """A group created by ``owner`` (its first facilitator) with extra active members and facilitators."""
    name = name or f"{visibility.title()} group {next(_numbers)}"
    group = create_group(owner, name=name, slug=slug, description=description, visibility=visibility)
    for user in facilitators:
        add_member(group, user, role="facilitator", actor=owner)
    for user in members:
        add_member(group, user, role="member", actor=owner)
    return group
