"""Extra ``community`` commands: the worker (outbox and periodic jobs), the outbox's troubles, housekeeping,
and inviting people from the command line."""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

WORKER_HELP = """Deliver the e-mail outbox and run the periodic jobs, until stopped (one per deployment).

\b
Every --interval seconds (2) it
  - sends the e-mail waiting in the outbox: by SMTP when COMMUNITY_SMTP_HOST
    is set, otherwise into the instance's outbox/ folder; a message that
    could not go is tried again after 5 s, 10 s, 20 s, 40 s, then about
    every 50 s while the server is unreachable (see `community outbox`);
  - runs the periodic jobs that are due:
      publishing scheduled blog posts (every 30 s);
      the daily digests, and on Mondays the weekly ones, from 07:00 UTC
      (checked every 10 min);
      housekeeping: deleting sent e-mail older than COMMUNITY_OUTBOX_KEEP_DAYS,
      expired sign-in sessions and old posting keys (every 1 h);
      event reminders, 24 hours and 1 hour before each date, to the members
      going or maybe (every 5 min);
      the community manager's webhook deliveries (every 2 s): one that
      could not go is tried again after 10 s, 20 s, 40 s... up to an hour;
      making the members' "Download my data" copies (every 10 s), and
      erasing accounts whose deletion grace period is over (every 1 h).

It needs the community's address for the links it e-mails: COMMUNITY_BASE_URL, or the address remembered
from the first page opened (Admin > Settings); without one it refuses to start.

`community run` does all of this in the background by itself; behind gunicorn, run one `community worker`
(under your service manager), or `community worker --once` from cron every minute. Running more than one
is safe: each message is leased to one worker at a time, and a digest period never goes out twice.
"""


def _worker_banner(interval: float, once: bool) -> list[str]:
    """What the worker delivers and runs, and how often: its first lines, so a log says what it is."""
    from flask import current_app

    from community.services.jobs import PERIODIC_JOBS, describe_every

    config = current_app.config
    if config.get("SMTP_HOST"):
        where = f"by SMTP through {config['SMTP_HOST']}:{config['SMTP_PORT']}"
    else:
        where = f"into {Path(current_app.instance_path) / 'outbox'} (no COMMUNITY_SMTP_HOST)"
    how_often = "once, then stops" if once else f"every {describe_every(interval)}"
    lines = [f"Worker: delivers the e-mail outbox {where}, {how_often}; periodic jobs:"]
    for job in PERIODIC_JOBS:
        lines.append(f"  - {job.does} ({'now' if once else 'every ' + describe_every(job.every)})")
    if not once:
        lines.append("Stop it with Ctrl+C.")
    return lines


def _pause(seconds: float) -> None:
    """Wait between rounds (a seam for the tests, which must not stop every sleep in the process)."""
    time.sleep(seconds)


@click.command("worker", help=WORKER_HELP, short_help="Deliver the e-mail outbox and run the periodic jobs.")
@click.option("--once", is_flag=True,
              help="One round, every periodic job included, then stop (for cron, e.g. every minute).")  # fmt: skip
@click.option("--interval", default=2.0, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds between rounds.")  # fmt: skip
@with_appcontext
def worker_command(once: bool, interval: float) -> None:
    from flask import current_app

    from community.cli import require_base_url
    from community.services.jobs import run_round

    require_base_url()  # its jobs write links into digests and notifications
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    for line in _worker_banner(interval, once):
        click.echo(line)
    while True:
        sent, jobs = run_round(app, all_now=once)
        if sent or once:
            click.echo(f"Sent {sent} message{'s' if sent != 1 else ''}.")
        for job, result in jobs:
            if once or result:
                click.echo(f"  {job.does}: {result}")
        if once:
            return
        _pause(interval)


@click.command("outbox", short_help="List the e-mail that failed or waits for a retry; send failed mail again.")
@click.option("--retry", "retry_ids", multiple=True, type=int, metavar="ID",
              help="Put this failed message back in the queue (repeatable).")  # fmt: skip
@click.option("--retry-failed", "retry_all", is_flag=True, help="Put every failed message back in the queue.")
@with_appcontext
def outbox_command(retry_ids: tuple[int, ...], retry_all: bool) -> None:
    """List the messages that failed for good (refused by the server, or put off too often) and those waiting
    for another try, with their last error; --retry ID or --retry-failed sends failed ones again."""
    from community.services.mail import outbox_problems, retry_failed

    if retry_ids or retry_all:
        count = retry_failed(None if retry_all else retry_ids)
        click.echo(f"Queued again: {count} failed message{'s' if count != 1 else ''}.")
        return
    problems = outbox_problems()
    if not problems:
        click.echo("The outbox has no failed message and none waiting for a retry.")
        return
    for message in problems:
        state = f"FAILED {message.failed_at:%Y-%m-%d %H:%M} UTC" if message.failed_at else (
            f"retry at {message.next_attempt_at:%Y-%m-%d %H:%M:%S} UTC")  # fmt: skip
        click.echo(f"#{message.id} to {message.to_addr} ({message.subject!r}): {state}, {message.attempts} "
                   f"attempt{'s' if message.attempts != 1 else ''}; {message.last_error}")  # fmt: skip
    if any(message.failed_at for message in problems):
        click.echo("Send failed ones again with `community outbox --retry ID` or `--retry-failed`.")


@click.command("cleanup", short_help="Delete old sent e-mail, expired sign-in sessions and old posting keys.")
@with_appcontext
def cleanup_command() -> None:
    """Delete sent e-mail older than COMMUNITY_OUTBOX_KEEP_DAYS, expired sign-in sessions and posting forms'
    one-time keys older than two days (the worker does this every hour; run it from cron when there is no
    worker)."""
    from community.services.housekeeping import clean_up

    click.echo(f"Housekeeping: {clean_up()}.")


@click.command("invite")
@click.argument("emails", nargs=-1, required=True)
@click.option("--role", default="participant", show_default=True, help="The community role they join with.",
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
    from community.cli import require_base_url
    from community.errors import DomainError
    from community.extensions import db
    from community.models import Group, User
    from community.services.invitations import InviteLine, invite_people

    require_base_url()
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
    """Add the commands of this module to the app's CLI, and housekeeping to the periodic jobs."""
    from community.services.account_data.deletion import erase_due
    from community.services.account_data.export import run_queued_exports
    from community.services.housekeeping import clean_up
    from community.services.jobs import register_periodic_job

    app.cli.add_command(worker_command)
    app.cli.add_command(outbox_command)
    app.cli.add_command(cleanup_command)
    app.cli.add_command(invite_command)
    register_periodic_job(
        clean_up, every=3600.0,
        does="housekeeping: deletes old sent e-mail, expired sign-in sessions and old posting keys",
    )  # fmt: skip
    register_periodic_job(run_queued_exports, every=10.0, does="makes the members' \"Download my data\" copies")
    register_periodic_job(erase_due, every=3600.0, does="erases accounts whose deletion grace period is over")
