"""Extensions, created once and bound to an app in ``create_app``."""

from __future__ import annotations

from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from community.models.base import Base


def _client_address() -> str:
    """The client's address (ProxyFix, when configured, has already set ``remote_addr``)."""
    from flask import request

    return request.remote_addr or "unknown"


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(_client_address, strategy="fixed-window")
