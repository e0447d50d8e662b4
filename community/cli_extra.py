"""Extra ``community`` commands: the outbox worker."""

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


def register(app: Flask) -> None:
    """Add the commands of this module to the app's CLI."""
    app.cli.add_command(worker_command)
