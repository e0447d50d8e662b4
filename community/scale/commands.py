"""``community seed-scale``: a large, realistic community for measuring performance (see bench/).

The generator is ``community.scale.generate``, imported when the command runs (and community.cli imports this
module only then too). It writes into the configured database, which must be empty.
"""

from __future__ import annotations

import time
from typing import Any

import click
from flask.cli import with_appcontext


@click.command("seed-scale")
@click.option("--preset", type=click.Choice(["tiny", "small", "medium", "large"]), help="A ready-made size.")
@click.option("--members", type=int, help="How many members (default: the preset's, else 10000).")
@click.option("--groups", type=int, help="How many groups (default: the preset's, else 300).")
@click.option("--posts", type=int, help="How many posts in all (default: the preset's, else 1000000).")
@click.option("--seed", default=1, show_default=True, help="Random seed: the same seed builds the same community.")
@with_appcontext
def seed_scale_command(
    preset: str | None, members: int | None, groups: int | None, posts: int | None, seed: int
) -> None:
    """Fill an empty database with a large generated community (bulk inserts, with a progress bar)."""
    from community.extensions import db
    from community.scale import generate as gen
    from community.search import ensure_search_schema

    sizes = gen.PRESETS[preset or "large"]
    members, groups, posts = members or sizes[0], groups or sizes[1], posts or sizes[2]
    db.create_all()  # no-op on a migrated database
    with db.engine.begin() as conn:
        ensure_search_schema(conn)
        if not gen.database_is_empty(conn):
            raise click.ClickException(
                "The database already has members: point COMMUNITY_DATABASE_URL at an empty one."
            )
    started = time.monotonic()

    def progress(length: int, label: str) -> Any:
        return click.progressbar(length=length, label=f"  {label:<9}", show_pos=True, show_eta=True)

    summary = gen.generate(members, groups, posts, seed=seed, progress=progress, echo=click.echo)
    click.echo(
        f"Built {summary.members} members, {summary.groups} groups, {summary.boards} boards, {summary.topics} topics, "
        f"{summary.posts} posts, {summary.votes} votes, {summary.reactions} reactions, "
        f"{summary.notifications} notifications, {summary.conversations} private conversations "
        f"({summary.messages} messages), {summary.events} events ({summary.rsvps} answers), "
        f"{summary.announcements} announcements, {summary.images} images, "
        f"{summary.cpd_entries} CPD entries "
        f"in {time.monotonic() - started:.0f} s."
    )
    click.echo(
        f"Every member's password is {gen.PASSWORD!r}. Sign in as {gen.MEMBER_HANDLE}@{gen.EMAIL_DOMAIN} "
        f"(participant), {gen.FACILITATOR_HANDLE}@{gen.EMAIL_DOMAIN} (facilitator) or "
        f"{gen.ADMIN_HANDLE}@{gen.EMAIL_DOMAIN} (community manager)."
    )

