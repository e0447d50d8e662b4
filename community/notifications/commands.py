"""Commands of the social layer: ``community send-digests`` and ``community reindex``."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext


@click.command("send-digests")
@click.option("--daily", "frequency", flag_value="daily", help="Send the daily digest (the default).")
@click.option("--weekly", "frequency", flag_value="weekly", help="Send the weekly digest.")
@click.option("--due", is_flag=True, help="Only to members whose morning has come: from 07:00 their time (weekly: "
              "on their Monday). Without --daily/--weekly, both. For cron every 15 minutes.")  # fmt: skip
@with_appcontext
def send_digests_command(frequency: str | None, due: bool) -> None:
    """Queue digest e-mails, each for the member's own day or week (a period is never sent twice).

    Plain: now, to every member who hasn't had this period's digest. With --due: only those whose local
    morning has come, so that a cron run every 15 minutes sends each member's digest at their 07:00."""
    from community.cli import require_base_url
    from community.services.digests import send_digests

    require_base_url()
    frequencies = [frequency] if frequency else (["daily", "weekly"] if due else ["daily"])
    for name in frequencies:
        count = send_digests(name, due_only=due)
        click.echo(f"Queued {count} {name} digest{'s' if count != 1 else ''}.")


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

    # The worker (and the embedded default's background loop) sends digests, as a cron'd `send-digests --due` does.
    does = f"sends the digests, each member's from {DIGEST_HOUR:02d}:00 in their own time zone (weekly: Mondays)"
    register_periodic_job(send_due_digests, every=600.0, does=does)
