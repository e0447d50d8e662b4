"""Q&A jobs: peers first's held answers are published when their window ends (a periodic job of
``community worker`` and ``community run``, like scheduled posts)."""

from __future__ import annotations

import click

from community.qa import bp
from community.services.jobs import register_periodic_job
from community.services.peers_first import publish_due_held

register_periodic_job(publish_due_held, every=30.0, does="publishes facilitators' answers held for peers first")


@bp.cli.command("publish-held-answers")
def publish_held_command() -> None:
    """Publish the answers held for peers first whose window has ended (run it from cron when not embedded)."""
    count = publish_due_held()
    click.echo(f"Published {count} held answer{'' if count == 1 else 's'}.")
