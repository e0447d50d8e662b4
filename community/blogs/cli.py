"""Blog commands: publishing scheduled posts (also a periodic job of ``community worker`` and ``community run``)."""

from __future__ import annotations

import click

from community.blogs import bp
from community.cli import require_base_url
from community.services.blogs import publish_due_posts
from community.services.jobs import register_periodic_job

register_periodic_job(publish_due_posts, every=30.0, does="publishes scheduled blog posts when their time comes")


@bp.cli.command("publish-scheduled")
def publish_scheduled_command() -> None:
    """Publish the scheduled blog posts whose time has come (run it from cron when not embedded)."""
    require_base_url()  # followers are told, by e-mail too
    count = publish_due_posts()
    click.echo(f"Published {count} scheduled post{'' if count == 1 else 's'}.")
