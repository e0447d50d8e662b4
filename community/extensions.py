"""Extensions, created once and bound to an app in ``create_app``."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from flask import Flask
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from community.cli import LazyCommand
from community.models.base import Base


class _Migrations:
    """What Flask-Migrate keeps in ``app.extensions["migrate"]`` (its ``_MigrateConfig``), with the ``Migrate``
    object, and so Alembic, made on first use."""

    def __init__(self, db: SQLAlchemy, directory: str, **configure_args: Any) -> None:
        self.db, self.directory, self.configure_args = db, directory, configure_args

    @cached_property
    def migrate(self) -> Any:
        from flask_migrate import Migrate

        return Migrate(db=self.db, directory=self.directory, **self.configure_args)

    @property
    def metadata(self) -> Any:
        return self.db.metadata


class LazyMigrate:
    """Flask-Migrate, bound as ``Migrate.init_app`` does it (``app.extensions["migrate"]``, the ``db``
    commands), but imported when a migration runs: it loads Alembic, with Mako, Pygments and every SQL dialect
    Alembic knows, which was a third of the start-up of every command and app server."""

    def init_app(self, app: Flask, db: SQLAlchemy, directory: str = "migrations", *, compare_type: bool = True,
                 render_as_batch: bool = True) -> None:  # fmt: skip
        app.extensions["migrate"] = _Migrations(db, str(directory), compare_type=compare_type,
                                                render_as_batch=render_as_batch)  # fmt: skip
        app.cli.add_command(LazyCommand("db", "flask_migrate.cli:db", help="Perform database migrations."))


def _client_address() -> str:
    """The client's address (ProxyFix, when configured, has already set ``remote_addr``)."""
    from flask import request

    return request.remote_addr or "unknown"


db = SQLAlchemy(model_class=Base)
migrate = LazyMigrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(_client_address, strategy="fixed-window")
