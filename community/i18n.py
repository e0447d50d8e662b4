"""Languages and time zones: Flask-Babel set up once, the member's choice first, the community's default next.

A member chooses a language and a time zone on the account page; until they do, the community's defaults
(settings ``default_language`` and ``default_timezone``) apply, and a signed-out visitor gets the best match
for the browser's Accept-Language. Mail and digests written outside a request use ``as_member(user)``, so
every member reads in their own language and time.

Times are stored in UTC (see ``models.base``) and only shown in the member's zone: ``time_tag`` and the
date filters format through Babel, and remember what they wrote (a thread page shows a hundred times that
repeat from one view to the next).
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from flask import Flask, current_app, g, has_request_context, request
from flask_babel import Babel, get_locale, get_timezone
from flask_babel import gettext as _
from markupsafe import Markup, escape

# The languages the interface ships in, named in their own language (a member picks the one they read).
LANGUAGES: dict[str, str] = {"en": "English", "fr": "Français"}
DEFAULT_LANGUAGE = "en"
# How each language writes dates and numbers: programmes run in the UK and Europe, so English is British
# English (2 Dec 2026, 08:30), not the United States' (Dec 2, 2026, 8:30 AM).
LOCALES: dict[str, str] = {"en": "en_GB", "fr": "fr_FR"}
DEFAULT_TIMEZONE = "UTC"
TRANSLATIONS = Path(__file__).parent / "translations"

# (language, time zone) for work done on a member's behalf outside their own request (mail, digests).
_acting_for: ContextVar[tuple[str, str] | None] = ContextVar("community_acting_for", default=None)

babel = Babel()


def configure_i18n(app: Flask) -> None:
    """Flask-Babel with the member's language and zone; the Jinja helpers that format dates and numbers."""
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", LOCALES[DEFAULT_LANGUAGE])
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", DEFAULT_TIMEZONE)
    babel.init_app(app, locale_selector=select_language, timezone_selector=select_timezone)
    app.jinja_env.filters.update(
        date=format_day, datetime=format_moment, month_year=format_month_year, number=format_number,
        span=span_tag,
    )  # fmt: skip
    app.jinja_env.globals.update(current_language=current_language, current_zone=current_zone, js_messages=js_messages)


# --------------------------------------------------------------------------------------------------
# Choosing


def _member() -> Any:
    from flask_login import current_user

    user = current_user._get_current_object() if has_request_context() else None
    return user if user is not None and user.is_authenticated else None


def _community_default(key: str, fallback: str) -> str:
    from community.templating import community_settings

    try:
        return community_settings(current_app).get(key) or fallback
    except Exception:
        return fallback


def select_language() -> str:
    """The member's language, else (signed out) the browser's best match, else the community's default."""
    return LOCALES[_chosen_language()]


def _chosen_language() -> str:
    acting = _acting_for.get()
    if acting is not None:
        return acting[0]
    user = _member()
    if user is not None and user.language in LANGUAGES:
        return user.language
    default = _community_default("default_language", DEFAULT_LANGUAGE)
    default = default if default in LANGUAGES else DEFAULT_LANGUAGE
    if user is None and has_request_context():
        return request.accept_languages.best_match(list(LANGUAGES), default=default) or default
    return default


def select_timezone() -> str:
    """The member's time zone, else the community's default."""
    acting = _acting_for.get()
    if acting is not None:
        return acting[1]
    user = _member()
    if user is not None and user.timezone and is_timezone(user.timezone):
        return user.timezone
    default = _community_default("default_timezone", DEFAULT_TIMEZONE)
    return default if is_timezone(default) else DEFAULT_TIMEZONE


def member_language(user: Any) -> str:
    """The language ``user`` reads in when they are not the one asking (mail, digests): 'en', 'fr'."""
    choice = getattr(user, "language", None)
    if choice in LANGUAGES:
        return choice
    default = _community_default("default_language", DEFAULT_LANGUAGE)
    return default if default in LANGUAGES else DEFAULT_LANGUAGE


def member_timezone(user: Any) -> str:
    """The time zone ``user`` lives in."""
    choice = getattr(user, "timezone", None)
    if choice and is_timezone(choice):
        return choice
    default = _community_default("default_timezone", DEFAULT_TIMEZONE)
    return default if is_timezone(default) else DEFAULT_TIMEZONE


@contextmanager
def as_member(user: Any) -> Iterator[None]:
    """Write in ``user``'s language and time zone (mail and digests sent on their behalf)."""
    token = _acting_for.set((member_language(user), member_timezone(user)))
    cached = _forget_choice()
    try:
        yield
    finally:
        _acting_for.reset(token)
        _forget_choice(restore=cached)


def _forget_choice(restore: dict[str, Any] | None = None) -> dict[str, Any]:
    """Flask-Babel remembers the request's choice on ``g``: clear it (and put it back afterwards)."""
    ctx = getattr(g, "_flask_babel", None) if g else None
    if ctx is None:
        return {}
    saved = {key: getattr(ctx, key) for key in ("babel_locale", "babel_tzinfo") if hasattr(ctx, key)}
    for key in ("babel_locale", "babel_tzinfo"):
        if hasattr(ctx, key):
            delattr(ctx, key)
    for key, value in (restore or {}).items():
        setattr(ctx, key, value)
    return saved


def current_language() -> str:
    """'en-GB', 'fr-FR': for ``<html lang>``."""
    locale = get_locale()
    return str(locale).replace("_", "-") if locale is not None else LOCALES[DEFAULT_LANGUAGE].replace("_", "-")


def current_zone() -> str:
    """The reader's time zone, as people write it ('Europe/Paris', 'America/New York')."""
    return _key()[1].replace("_", " ")


@lru_cache(maxsize=1)
def timezone_names() -> tuple[str, ...]:
    """The zones a member can choose: every 'Region/City' the tz database knows, sorted."""
    names = {n for n in zoneinfo.available_timezones() if "/" in n and not n.startswith(("Etc/", "SystemV/"))}
    return ("UTC", *sorted(names))


def is_timezone(name: str) -> bool:
    """A zone the tz database knows."""
    return name == "UTC" or name in timezone_names()


def language_choices() -> list[tuple[str, str]]:
    """(code, name) pairs for a language chooser."""
    return list(LANGUAGES.items())


# --------------------------------------------------------------------------------------------------
# Formatting: Babel's formatters cost 20-60 us a call; a thread page shows a hundred times, so results are
# remembered per (moment, language, zone).


def _zone() -> tzinfo:
    tz = get_timezone()
    return tz if tz is not None else UTC


def _key() -> tuple[str, str]:
    locale, tz = get_locale(), get_timezone()
    return (str(locale) if locale else LOCALES[DEFAULT_LANGUAGE], str(tz) if tz else DEFAULT_TIMEZONE)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


@lru_cache(maxsize=64)
def _moment_pattern(language: str) -> str:
    """The language's medium date with its short time ('2 Dec 2026, 07:12'; '2 déc. 2026, 07:12')."""
    locale = Locale.parse(language)
    date_pattern = locale.date_formats["medium"].pattern
    time_pattern = locale.time_formats["short"].pattern
    return str(locale.datetime_formats["medium"]).replace("{1}", date_pattern).replace("{0}", time_pattern)


@lru_cache(maxsize=8192)
def _moment(minute: int, language: str, zone: str) -> str:
    when = datetime.fromtimestamp(minute * 60, UTC)
    return babel_dates.format_datetime(when, _moment_pattern(language), tzinfo=zoneinfo_or_utc(zone),
                                       locale=language)  # fmt: skip


@lru_cache(maxsize=64)
def zoneinfo_or_utc(name: str) -> tzinfo:
    """The zone by name (UTC for a name the tz database doesn't know)."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return UTC


def format_moment(value: datetime | None) -> str:
    """Date and time in the member's zone and language: '2 Dec 2026, 07:12'."""
    if value is None:
        return ""
    language, zone = _key()
    return _moment(int(_aware(value).timestamp()) // 60, language, zone)


@lru_cache(maxsize=4096)
def _day(day: date, language: str, form: str) -> str:
    return babel_dates.format_date(day, form, locale=language)


def local_date(value: datetime | date) -> date:
    """The day ``value`` falls on in the member's zone (a date stays itself)."""
    if isinstance(value, datetime):
        return _aware(value).astimezone(_zone()).date()
    return value


def format_day(value: datetime | date | None, form: str = "medium") -> str:
    """The day in the member's zone and language: '2 Dec 2026' (medium) or '2 December 2026' (long)."""
    if value is None:
        return ""
    return _day(local_date(value), _key()[0], form)


def format_month_year(value: datetime | date | None) -> str:
    """'December 2026' in the member's language."""
    if value is None:
        return ""
    day = local_date(value)
    return _month_year(day.replace(day=1), _key()[0])


@lru_cache(maxsize=1024)
def _month_year(day: date, language: str) -> str:
    return babel_dates.format_skeleton("yMMMM", day, locale=language)


def format_number(value: float | int | None) -> str:
    """1,234 (en), 1 234 (fr)."""
    if value is None:
        return ""
    return babel_numbers.format_decimal(value, locale=_key()[0])


UNITS = (("year", 31536000), ("month", 2592000), ("week", 604800), ("day", 86400), ("hour", 3600),
         ("minute", 60))  # fmt: skip


@lru_cache(maxsize=2048)
def _ago(language: str, unit: str, count: int, size: int) -> str:
    return babel_dates.format_timedelta(timedelta(seconds=-count * size), granularity=unit, threshold=1,
                                        add_direction=True, locale=language)  # fmt: skip


def timeago(value: datetime | None, now: datetime | None = None) -> str:
    """'3 hours ago' / 'il y a 3 heures'."""
    if value is None:
        return ""
    seconds = int(((now or datetime.now(UTC)) - _aware(value)).total_seconds())
    for unit, size in UNITS:
        if seconds >= size:
            return _ago(_key()[0], unit, seconds // size, size)
    return _("just now")


def machine_time(value: datetime | None) -> str:
    """A valid ``<time datetime>``: UTC, to the second ('2026-12-02T07:12:58Z'); empty for no time."""
    if value is None:
        return ""
    return _aware(value).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def time_tag(value: datetime | None) -> Markup:
    """A <time> element: '3 hours ago', with the exact local time as its title."""
    if value is None:
        return Markup("")
    # Babel's output and our digits: nothing that needs escaping but a quote, which no pattern writes.
    exact = format_moment(value).replace('"', "&quot;")
    return Markup(f'<time datetime="{machine_time(value)}" title="{exact}">{timeago(value)}</time>')  # noqa: S704


def date_tag(value: datetime | None, form: str = "medium") -> Markup:
    """A <time> element showing the day ('2 Dec 2026'), exact local time as its title."""
    if value is None:
        return Markup("")
    exact = format_moment(value).replace('"', "&quot;")
    return Markup(f'<time datetime="{machine_time(value)}" title="{exact}">{format_day(value, form)}</time>')  # noqa: S704


def format_span(start: datetime | None, end: datetime | None) -> str:
    """From when to when in the member's zone and language, the day said once when it is one day:
    'Wed, 9 Dec 2026, 18:00' to '19:30', joined by an en dash (the catalogue's pattern)."""
    if start is None or end is None:
        return ""
    language, zone = _key()
    tz = zoneinfo_or_utc(zone)
    first, last = _aware(start).astimezone(tz), _aware(end).astimezone(tz)
    begins = babel_dates.format_time(first, "short", locale=language)
    if first.date() == last.date():
        day = babel_dates.format_skeleton("yMMMEd", first, locale=language)
        ends = babel_dates.format_time(last, "short", locale=language)
        return _("%(day)s, %(start)s – %(end)s", day=day, start=begins, end=ends)
    return _("%(start)s – %(end)s", start=format_moment(start), end=format_moment(end))


def span_tag(start: datetime | None, end: datetime | None) -> Markup:
    """A <time> element for an event's span, its start as the machine-readable value."""
    if start is None or end is None:
        return Markup("")
    text = escape(format_span(start, end))
    return Markup(f'<time datetime="{machine_time(start)}">{text}</time>')  # noqa: S704


def to_utc(local: datetime) -> datetime:
    """A naive time the member typed (in their zone) as UTC."""
    zone = _zone()
    if local.tzinfo is None:
        local = local.replace(tzinfo=zoneinfo_or_utc(str(zone)))
    return local.astimezone(UTC)


def start_of_local_day(day: date) -> datetime:
    """Midnight at the start of ``day`` in the member's zone, as UTC (a suspension 'until' a day)."""
    return to_utc(datetime.combine(day, time(0, 0)))


def to_local(value: datetime) -> datetime:
    """A stored UTC time in the member's zone (for a form's initial value)."""
    return _aware(value).astimezone(zoneinfo_or_utc(str(_zone())))


# --------------------------------------------------------------------------------------------------
# JavaScript's strings: static/js calls t("…") and tn("…", "…", n); the page carries their translations.

_JS_CALL = re.compile(r"""\bt\(\s*(["'])((?:\\.|(?!\1).)*)\1""")
_JS_PLURAL = re.compile(r"""\btn\(\s*(["'])((?:\\.|(?!\1).)*)\1\s*,\s*(["'])((?:\\.|(?!\3).)*)\3""")


@lru_cache(maxsize=1)
def js_msgids() -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """The strings static/js asks for: singles and (singular, plural) pairs."""
    singles: set[str] = set()
    plurals: set[tuple[str, str]] = set()
    for path in sorted(Path(current_app.static_folder or "").glob("js/*.js")):
        source = path.read_text(encoding="utf-8")
        singles.update(m.group(2) for m in _JS_CALL.finditer(source))
        plurals.update((m.group(2), m.group(4)) for m in _JS_PLURAL.finditer(source))
    return tuple(sorted(singles)), tuple(sorted(plurals))


@lru_cache(maxsize=16)
def _js_catalogue(language: str) -> str:
    import json

    from flask_babel import get_translations

    translations = get_translations()
    singles, plurals = js_msgids()
    strings: dict[str, Any] = {s: translations.ugettext(s) for s in singles}
    # Plural forms: the translation for 1 and for many (both languages shipped have two forms).
    for one, many in plurals:
        strings[one] = [translations.ungettext(one, many, 1), translations.ungettext(one, many, 2)]
    return json.dumps({"lang": language.replace("_", "-"), "strings": strings}, ensure_ascii=False, sort_keys=True)


def js_messages() -> Markup:
    """The JSON the page hands to static/js (inside <script type="application/json">: not run, CSP-safe)."""
    text = _js_catalogue(_key()[0])
    return Markup(text.replace("<", "\\u003c"))  # noqa: S704 (JSON with every '<' escaped)


def time_left(value: datetime | None, now: datetime | None = None) -> str:
    """How long until ``value``, in words ('3 hours', '3 heures'); empty once it has passed."""
    if value is None:
        return ""
    delta = _aware(value) - (now or datetime.now(UTC))
    if delta.total_seconds() <= 0:
        return ""
    from flask_babel import format_timedelta

    return format_timedelta(delta, threshold=1.5)
