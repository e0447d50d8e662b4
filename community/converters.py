"""URL converters: path ids stay within what the database's integer columns hold."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

MAX_ID = 2**31 - 1  # PostgreSQL's INTEGER: a larger id can name nothing, and asking for it raises a DataError


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` that does not match past ``MAX_ID`` (so /boards/2147483648 is a 404, not a 500)."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def configure_converters(app: Any) -> None:
    """Every ``<int:...>`` of the app is bounded (set before any blueprint adds its rules)."""
    app.url_map.converters["int"] = BoundedIntConverter
