"""``community api-token``: personal access tokens made by an operator on the command line."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext


@click.group("api-token", short_help="Make personal access tokens for the API.")
def api_token() -> None:
    """Personal access tokens for the API (members make their own on the account page)."""


@api_token.command("create")
@click.argument("handle")
@click.option("--scope", type=click.Choice(["read", "write"]), default="read", show_default=True,
              help="read: GET only; write: also post, vote and send messages as the member.")
@click.option("--name", default="Command line", show_default=True, help="What the token is for.")
@with_appcontext
def create_command(handle: str, scope: str, name: str) -> None:
    """Make a token for the member HANDLE and print it once (only its hash is kept)."""
    from sqlalchemy import func, select

    from community.errors import DomainError
    from community.extensions import db
    from community.models import User
    from community.services.api_tokens import create_token

    user = db.session.scalar(select(User).where(func.lower(User.handle) == handle.lstrip("@").lower()))
    if user is None or user.state != "active":
        raise click.ClickException(f"No active member @{handle.lstrip('@')}.")
    try:
        _row, secret = create_token(user, name, scope)
    except DomainError as exc:
        raise click.ClickException(exc.message)
    click.echo(secret)


def register(app: Flask) -> None:
    """Add the command group to the app's CLI."""
    app.cli.add_command(api_token)
