"""Extra ``community`` commands: the outbox worker, and inviting people from the command line."""

from __future__ import annotations

import time

import click
from flask import Flask
from flask.cli import with_appcontext


@click.command("worker")
@click.option("--once", is_flag=True, help="Deliver what is due, then stop (for cron and tests).")
@click.option("--interval", default=2.0, show_default=True, type=float, help="Seconds between rounds.")
@with_appcontext
def worker_command(once: bool, interval: float) -> None:
    """Deliver the e-mail outbox (SMTP or the outbox folder), retrying failures; runs until stopped."""
    from community.extensions import db
    from community.services.mail import deliver_pending

    while True:
        sent = deliver_pending()
        db.session.remove()  # a fresh session each round: never hold a transaction or stale objects
        if sent or once:
            click.echo(f"Sent {sent} message{'s' if sent != 1 else ''}.")
        if once:
            return
        time.sleep(interval)


@click.command("invite")
@click.argument("emails", nargs=-1, required=True)
@click.option("--role", default="participant", show_default=True,
              type=click.Choice(["participant", "facilitator", "admin"]))  # fmt: skip
@click.option("--group", "groups", multiple=True, help="Slug of a group they join on arrival (repeatable).")
@click.option("--note", default="", help="A personal note in the invitation e-mail.")
@click.option("--by", "by_handle", default=None, help="The inviting admin's @handle (default: the first admin).")
@with_appcontext
def invite_command(emails: tuple[str, ...], role: str, groups: tuple[str, ...], note: str,
                   by_handle: str | None) -> None:  # fmt: skip
    """Invite people by e-mail from the command line, as a community manager would from the page."""
    from sqlalchemy import select

    from community.auth_session import load_group_roles
    from community.errors import DomainError
    from community.extensions import db
    from community.models import Group, User
    from community.services.invitations import InviteLine, invite_people

    query = select(User).where(User.role == "admin", User.state == "active").order_by(User.id)
    if by_handle:
        query = query.where(User.handle == by_handle.lstrip("@").lower())
    actor = db.session.scalars(query).first()
    if actor is None:
        raise click.ClickException("No active community manager found: run `community create-admin` first.")
    load_group_roles(actor)
    group_ids = []
    for slug in groups:
        group = db.session.scalar(select(Group).where(Group.slug == slug))
        if group is None:
            raise click.ClickException(f"No group with the slug {slug!r}.")
        group_ids.append(group.id)
    lines = [InviteLine(i, email.strip()) for i, email in enumerate(emails, start=1)]
    try:
        outcomes = invite_people(actor, lines, role=role, group_ids=group_ids, note=note)
    except DomainError as error:
        raise click.ClickException(error.message)
    for outcome in outcomes:
        click.echo(f"{outcome.email}: {'invited' if outcome.invited else 'skipped: ' + outcome.reason}")


def register(app: Flask) -> None:
    """Add the commands of this module to the app's CLI."""
    app.cli.add_command(worker_command)
    app.cli.add_command(invite_command)
