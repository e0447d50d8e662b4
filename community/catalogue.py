"""The translation catalogue: extracting the interface's strings, updating and compiling each language.

``community translations extract`` writes ``translations/messages.pot`` from the Python code, the templates
and static/js; ``update`` merges it into every language's ``messages.po``; ``compile`` writes the ``.mo``
files the app reads; ``check`` fails when a string has no translation (CI and the tests run it).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import click
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from flask.cli import AppGroup, with_appcontext

from community.i18n import DEFAULT_LANGUAGE, LANGUAGES, TRANSLATIONS

PACKAGE = Path(__file__).parent
KEYWORDS = {
    "_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None, "lazy_ngettext": (1, 2),
    "pgettext": ((1, "c"), 2), "t": None, "tn": (1, 2),
}  # fmt: skip
JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "trimmed": "true", "silent": "false"}


@dataclass(frozen=True)
class Sources:
    """Where the interface's strings live: the package, the templates and the scripts."""

    package: Path
    templates: Path
    static: Path


def sources() -> Sources:
    """The source folders of this installation (a checkout, or an installed wheel)."""
    from flask import current_app

    return Sources(PACKAGE, Path(current_app.jinja_loader.searchpath[0]),  # type: ignore[union-attr]
                   Path(current_app.static_folder or ""))  # fmt: skip


def _not_hidden(path: str) -> bool:
    return not Path(path).name.startswith(".") and Path(path).name != "__pycache__"


def _extract(where: Sources) -> Iterable[tuple[str, int, str | tuple[str, ...], list[str], str | None]]:
    for folder, method_map in (
        (where.package, [("**.py", "python")]),
        (where.templates, [("**.html", "jinja2"), ("**.txt", "jinja2")]),
        (where.static, [("js/*.js", "javascript")]),
    ):
        options = {"**.html": JINJA_OPTIONS, "**.txt": JINJA_OPTIONS}
        for filename, lineno, message, comments, context in extract_from_dir(
            str(folder), method_map, options, KEYWORDS, comment_tags=("Translators:",), strip_comment_tags=True,
            directory_filter=_not_hidden,  # Babel's default also skips folders starting with "_" (templates/_macros)
        ):
            yield f"{folder.name}/{filename}", lineno, message, comments, context


def extract(where: Sources | None = None) -> Catalog:
    """Every translatable string of the interface, with where it is used."""
    catalog = Catalog(project="community", charset="utf-8", fuzzy=False)
    for filename, lineno, message, comments, context in _extract(where or sources()):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def po_path(language: str) -> Path:
    return TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"


def read_catalogue(language: str) -> Catalog:
    with po_path(language).open("rb") as fh:
        return read_po(fh, locale=language)


def write_catalogue(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=110, sort_by_file=False, omit_header=False, ignore_obsolete=True)
    path.write_bytes(buffer.getvalue())


def update(template: Catalog) -> dict[str, int]:
    """Merge the extracted strings into every translated language; returns how many lack a translation."""
    missing: dict[str, int] = {}
    write_catalogue(template, TRANSLATIONS / "messages.pot")
    for language in LANGUAGES:
        if language == DEFAULT_LANGUAGE:
            continue
        path = po_path(language)
        if path.exists():
            catalog = read_catalogue(language)
            catalog.update(template, update_header_comment=False, no_fuzzy_matching=True)
        else:
            catalog = Catalog(locale=language, project="community", charset="utf-8")
            catalog.update(template, no_fuzzy_matching=True)
        write_catalogue(catalog, path)
        missing[language] = len(untranslated(catalog))
    return missing


def compile_all() -> list[Path]:
    """Write the .mo file of every translated language (what the app reads)."""
    written = []
    for language in LANGUAGES:
        path = po_path(language)
        if not path.exists():
            continue
        catalog = read_catalogue(language)
        target = path.with_suffix(".mo")
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        if not target.exists() or target.read_bytes() != buffer.getvalue():
            target.write_bytes(buffer.getvalue())
            written.append(target)
    return written


def untranslated(catalog: Catalog) -> list[str]:
    """The strings of a language's catalogue with no translation, or a fuzzy (unchecked) one."""
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def not_in_catalogue(template: Catalog, catalog: Catalog) -> list[str]:
    """Strings the code uses that a language's catalogue doesn't have yet (an extract/update was forgotten)."""
    return [m.id if isinstance(m.id, str) else m.id[0] for m in template
            if m.id and catalog.get(m.id, m.context) is None]  # fmt: skip


# ``community translations ...``: registered by community.cli as a LazyCommand, so that Babel's catalogue tools
# are imported when a translator runs one, not each time the app starts.
translations = AppGroup("translations", help="Keep the interface's translations in step with the code.")


@translations.command("update")
@with_appcontext
def update_command() -> None:
    """Extract the strings and merge them into every language's messages.po."""
    template = extract()
    for language, count in update(template).items():
        click.echo(f"{language}: {len(template)} strings, {count} without a translation.")


@translations.command("compile")
@with_appcontext
def compile_command() -> None:
    """Write the .mo files the app reads."""
    for path in compile_all():
        click.echo(f"Wrote {path}.")


@translations.command("check")
@with_appcontext
def check_command() -> None:
    """Fail when a string of the code is missing from a catalogue or has no translation."""
    template = extract()
    problems = 0
    for language in LANGUAGES:
        if language == DEFAULT_LANGUAGE:
            continue
        catalog = read_catalogue(language)
        for text in not_in_catalogue(template, catalog):
            click.echo(f"{language}: not in the catalogue: {text!r}")
            problems += 1
        for text in untranslated(catalog):
            click.echo(f"{language}: no translation: {text!r}")
            problems += 1
    if problems:
        raise click.ClickException(f"{problems} strings need work (community translations update, then translate).")
    click.echo("Every string has a translation.")
