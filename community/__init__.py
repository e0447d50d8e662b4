"""The community application: ``create_app`` builds it from a readable list of configure steps."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

from community.limits_store import configure_storage
from community.models import utcnow
from community.resources import load_config_module, resource_path

__all__ = ["create_app", "utcnow"]


def create_app(config: Any = None, instance_path: str | None = None, **overrides: Any) -> Flask:
    """Build the app from a config class (``config.Config`` by default) and ``COMMUNITY_*`` env vars."""
    app = Flask(
        __name__,
        # Inside the package when installed from a wheel, at the top of the checkout otherwise.
        template_folder=str(resource_path("templates")),
        static_folder=str(resource_path("static")),
        instance_relative_config=True,
        instance_path=instance_path or os.environ.get("COMMUNITY_INSTANCE_PATH") or None,
    )
    configure_config(app, config, overrides)
    configure_proxy(app)
    configure_database(app)
    configure_extensions(app)
    from community import auth_session, errors_views, i18n, security, templating, uploads

    i18n.configure_i18n(app)
    auth_session.configure_login(app)
    security.configure_security(app)
    errors_views.configure_errors(app)
    templating.configure_templates(app)
    uploads.configure_uploads(app)
    from community.static_files import configure_static

    configure_static(app)
    from community.converters import configure_converters

    configure_converters(app)
    configure_blueprints(app)
    from community.api import configure_api

    configure_api(app)
    from community.logs import configure_log_redaction

    configure_log_redaction(app)  # tokens in URLs never reach an access log
    from community.cli import configure_cli

    configure_cli(app)
    return app


def configure_config(app: Flask, config: Any, overrides: dict[str, Any]) -> None:
    """Class defaults, then ``COMMUNITY_*`` environment variables, then explicit overrides."""
    if config is None:
        config_module = load_config_module()  # config.py, installed or in the checkout (community.resources)
        # COMMUNITY_CONFIG=production behind HTTPS (secure cookies); the embedded default otherwise.
        choice = os.environ.get("COMMUNITY_CONFIG", "default").lower()
        configs = {"default": config_module.Config, "production": config_module.ProductionConfig}
        if choice not in configs:
            raise RuntimeError(f"COMMUNITY_CONFIG must be one of {', '.join(configs)}, not {choice!r}")
        config = configs[choice]
    app.config.from_object(config)
    app.config.from_prefixed_env("COMMUNITY")
    app.config.update(overrides)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))
    url = app.config.get("DATABASE_URL") or f"sqlite:///{Path(app.instance_path) / 'community.db'}"
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    # Test each connection as it leaves the pool: after a PostgreSQL restart every pooled connection is dead,
    # and the ping replaces them instead of failing the next request (on SQLite it costs ~6 us a checkout).
    engine_options: dict[str, Any] = {"pool_pre_ping": True}
    if url.startswith("sqlite"):
        engine_options["connect_args"] = {"check_same_thread": False, "timeout": 10}
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options)
    if not app.config.get("UPLOAD_FOLDER"):
        app.config["UPLOAD_FOLDER"] = str(Path(app.instance_path) / "uploads")
    os.makedirs(app.config["UPLOAD_FOLDER"], exist_ok=True)
    configure_storage(app.config, app.instance_path)  # Redis, else a file per machine; that file if Redis fails
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)


def configure_proxy(app: Flask) -> None:
    """Behind N reverse proxies (``COMMUNITY_PROXY_HOPS=1`` behind nginx), read the client's address and
    scheme from X-Forwarded-*: rate limits per address would otherwise count every member as the proxy."""
    hops = int(app.config.get("PROXY_HOPS") or 0)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0)  # type: ignore[method-assign]


def _instance_secret(instance: Path) -> str:
    """A secret key generated once into ``instance/secret_key`` (never in the repo)."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def configure_database(app: Flask) -> None:
    """SQLite pragmas and IMMEDIATE write transactions (see ``community.database``)."""
    from community.database import configure_sqlite
    from community.extensions import db

    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)


def configure_extensions(app: Flask) -> None:
    """Migrations, CSRF, rate limits."""
    from community.extensions import csrf, db, limiter, migrate

    migrate.init_app(app, db, directory=str(resource_path("migrations")), render_as_batch=True)
    csrf.init_app(app)
    # Initialise the limiter fully even when limits are off (TestConfig), so they can be switched on at run
    # time (the rate_limits test fixture does): Flask-Limiter skips its setup entirely when disabled.
    enabled = app.config.get("RATELIMIT_ENABLED", True)
    app.config["RATELIMIT_ENABLED"] = True
    limiter.init_app(app)
    app.config["RATELIMIT_ENABLED"] = limiter.enabled = enabled


BLUEPRINTS = (
    "auth",
    "members",
    "admin",
    "webhooks",
    "groups",
    "boards",
    "blogs",
    "qa",
    "calendar",
    "announcements",
    "feed",
    "search",
    "notifications",
    "messages",
    "images",
    "composer",
    "moderation",
    "dashboard",
    "cpd",
    "programmes",
)


def configure_blueprints(app: Flask) -> None:
    """Every blueprint package exposes ``bp``; its views module registers routes on it."""
    import importlib

    for name in BLUEPRINTS:
        package = importlib.import_module(f"community.{name}")
        importlib.import_module(f"community.{name}.views")
        app.register_blueprint(package.bp)
