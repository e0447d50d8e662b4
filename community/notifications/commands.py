"""Commands of the social layer: ``community send-digests`` and ``community reindex``."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext


@click.command("send-digests")
@click.option("--daily", "frequency", flag_value="daily", default=True, help="Send the daily digest (default).")
@click.option("--weekly", "frequency", flag_value="weekly", help="Send the weekly digest.")
@with_appcontext
def send_digests_command(frequency: str) -> None:
    """Queue this period's digest e-mails (run it from cron; a period is never sent twice)."""
    from community.services.digests import send_digests

    count = send_digests(frequency)
    click.echo(f"Queued {count} {frequency} digest{'s' if count != 1 else ''}.")


@click.command("reindex")
@with_appcontext
def reindex_command() -> None:
    """Rebuild the search index from every post, with a progress bar."""
    from community import search

    with click.progressbar(length=0, label="Indexing posts") as bar:

        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        total = search.reindex_all(progress=progress)
    click.echo(f"Indexed {total} posts.")


def register(app: Flask) -> None:
    """Add the commands to the ``community`` CLI."""
    app.cli.add_command(send_digests_command)
    app.cli.add_command(reindex_command)
    from community.services.digests import DIGEST_HOUR, send_due_digests
    from community.services.jobs import register_periodic_job

    # The worker (and the embedded default's background loop) sends digests; a cron'd send-digests does the same.
    does = f"sends the daily digests, and on Mondays the weekly ones, from {DIGEST_HOUR:02d}:00 UTC"
    register_periodic_job(send_due_digests, every=600.0, does=does)
