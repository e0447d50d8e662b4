"""The ``community`` command: run, init, create-admin, seed-demo and friends.

Commands are registered on the Flask app's CLI group, so ``community <command>`` and
``flask --app community <command>`` both work.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext


class LazyCommand(click.Command):
    """A command imported only when it runs: listing the commands (``--help``) shows its help line alone."""

    def __init__(self, name: str, target: str, help: str) -> None:
        super().__init__(name, help=help)
        self.target = target  # "module:attribute"

    def load(self) -> click.Command:
        """The real command."""
        module, _, attribute = self.target.partition(":")
        command: click.Command = getattr(importlib.import_module(module), attribute)
        return command

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:  # fmt: skip
        return self.load().make_context(info_name, args, parent=parent, **extra)


def migrate_database() -> None:
    """Bring the schema up to date (Alembic), creating the database if needed."""
    from flask_migrate import upgrade

    upgrade()  # migrations/env.py keeps the application's loggers enabled (disable_existing_loggers=False)
    # The full-text index is DDL outside the models (FTS5 / tsvector); creating it is idempotent, so this
    # stays harmless once a migration creates it too.
    from community.extensions import db
    from community.search import ensure_search_schema

    with db.engine.begin() as conn:
        ensure_search_schema(conn)


def _first_run_message(app: Flask, base: str | None = None) -> None:
    from community.services import setup as setup_service

    link = setup_service.setup_link_if_needed(base)
    if link:
        click.echo("")
        if link.startswith("/"):  # no COMMUNITY_BASE_URL, and no page opened yet to remember the address
            click.secho("  No community manager yet. Open this one-time path on your community's address to set "
                        "it up:", bold=True)  # fmt: skip
        else:
            click.secho("  No community manager yet. Open this one-time link to set up your community:", bold=True)
        click.secho(f"  {link}", fg="green")
        click.echo("  (or run: community create-admin)")
        click.echo("")


def require_base_url() -> None:
    """Commands that queue e-mail refuse to write links to nowhere: COMMUNITY_BASE_URL or the stored address."""
    from community.services.site import NoBaseUrl, base_url_or_none

    if base_url_or_none() is None:
        raise click.ClickException(NoBaseUrl().message)


@click.command("run")
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on (0.0.0.0: every one).")
@click.option("--port", default=5000, show_default=True, type=int, help="The port to listen on.")
@with_appcontext
def run_command(host: str, port: int) -> None:
    """Migrate the database and serve the community (embedded default)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config.get("AUTO_MIGRATE", True):
        migrate_database()
    from community.services import jobs
    from community.services.site import base_url_or_none

    if app.config.get("MAIL_BACKGROUND_THREAD"):
        jobs.start_background_loop(app)  # the outbox and the periodic jobs, as `community worker` does
    # The setup link points at where this server listens, unless the community's address is known. E-mailed
    # links use COMMUNITY_BASE_URL or the address the first page is opened at (community.services.site).
    listening = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::', '') else host}:{port}"  # noqa: S104 (not a bind)
    _first_run_message(app, base_url_or_none() or listening)
    click.echo(f"  Instance folder (secret key, uploads, the SQLite database): {app.instance_path}")
    click.echo(f"  Community running on http://{host}:{port}  (Ctrl+C to stop)")
    from werkzeug.serving import WSGIRequestHandler, run_simple

    WSGIRequestHandler.server_version = "community"
    WSGIRequestHandler.sys_version = ""
    run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Create or upgrade the database schema."""
    migrate_database()
    click.echo("Database is up to date.")
    _first_run_message(current_app._get_current_object())  # type: ignore[attr-defined]


@click.command("create-admin")
@click.option("--email", help="Their e-mail address (asked for when not given).")
@click.option("--handle", help="Their @handle (asked for when not given).")
@click.option("--name", "display_name", help="Their name as members see it (asked for when not given).")
@click.option("--password", help="Their password (asked for, hidden and twice, when not given).")
@click.option("--community-name", default="", help="Name the community (the first community manager only).")
@click.option("--another", is_flag=True,
              help="Add a community manager although the community already has one.")  # fmt: skip
@with_appcontext
def create_admin_command(email: str | None, handle: str | None, display_name: str | None, password: str | None,
                         community_name: str, another: bool) -> None:  # fmt: skip
    """Create the community manager account without a browser (migrates the database first).

    A community has one community manager from its setup on; a second one is made only with --another (or,
    in the browser, by giving a member the community manager role on their admin page).
    """
    from community.errors import DomainError
    from community.services import setup as setup_service

    migrate_database()
    existing = setup_service.admin_handles()
    if existing and not another:
        handles = ", ".join(f"@{handle}" for handle in existing)
        raise click.ClickException(
            f"This community already has a community manager ({handles}). To add another one, run "
            "`community create-admin --another`, or give a member the role on their admin page."
        )
    if existing and community_name:
        raise click.ClickException("--community-name names a new community; rename this one under Settings.")
    email = email or click.prompt("E-mail")
    handle = handle or click.prompt("Handle")
    display_name = display_name or click.prompt("Name")
    password = password or click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        if existing:
            user = setup_service.add_admin_from_console(
                email=email, handle=handle, display_name=display_name, password=password)  # fmt: skip
        else:
            user = setup_service.create_first_admin(
                email=email, handle=handle, display_name=display_name, password=password,
                community_name=community_name,
            )  # fmt: skip
    except DomainError as exc:
        raise click.ClickException(exc.message)
    click.echo(f"Created community manager @{user.handle}.")


LAZY_COMMANDS = (
    ("seed-demo", "community.seed:seed_demo_command",
     "Fill the community with a demo cohort: facilitators, ~30 participants, groups and discussions."),
    ("seed-scale", "community.scale.commands:seed_scale_command",
     "Fill an empty database with a large generated community (bulk inserts, with a progress bar)."),
    ("translations", "community.catalogue:translations", "Keep the interface's translations in step with the code."),
)  # fmt: skip


def configure_cli(app: Flask) -> None:
    """Register every command on the app."""
    for command in (run_command, init_command, create_admin_command):
        app.cli.add_command(command)
    from community import cli_extra
    from community.api import commands as api_commands
    from community.notifications import commands as notification_commands

    for module in (cli_extra, notification_commands, api_commands):
        module.register(app)
    # Commands for developers and translators, imported when they run: the demo data, the scale generator,
    # Babel's catalogue tools (tests/test_cli_start.py checks that each help line is the command's own).
    for name, target, help in LAZY_COMMANDS:
        app.cli.add_command(LazyCommand(name, target, help=help))


def main() -> None:
    """Entry point of the ``community`` console script."""
    from community import create_app

    cli = FlaskGroup(create_app=lambda: create_app(), add_default_commands=False, add_version_option=False)
    cli.main(args=sys.argv[1:], prog_name="community")
