"""Start-up stays light: ``community`` commands and app servers don't import what only some requests need.

Structural, not timed: a fresh interpreter imports ``community.cli``, or builds the app and lists the
commands as ``community --help`` does, and the heavy modules must stay out of ``sys.modules``. Each was a
measurable part of the start (README, *Performance*): Alembic with Mako and Pygments (Flask-Migrate), bleach
with html5lib and Markdown (community.markup), Pillow (uploads), email_validator (invitations), Babel's
catalogue tools (translations), the demo data and the scale generator (seed-demo, seed-scale).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from community.cli import LAZY_COMMANDS, LazyCommand

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("PIL", "markdown", "bleach", "html5lib", "email_validator", "babel.messages", "alembic", "flask_migrate",
         "mako", "pygments", "playwright", "community.scale.generate", "community.seed", "community.seed_data",
         "community.catalogue")  # fmt: skip

IMPORT_CLI = "import community.cli"
LIST_COMMANDS = """
import sys
from community.cli import main
sys.argv = ["community", "--help"]
try:
    main()
except SystemExit as end:
    assert not end.code, end.code
"""
CREATE_APP = "from community import create_app; create_app()"


def _modules_after(code: str, tmp_path: Path) -> tuple[list[str], str]:
    """The modules a fresh interpreter holds after running ``code``, and what it printed."""
    report = tmp_path / "modules.json"
    script = f"{code}\nimport json, sys\nopen({str(report)!r}, 'w').write(json.dumps(sorted(sys.modules)))\n"
    env = {**os.environ, "COMMUNITY_INSTANCE_PATH": str(tmp_path / "instance"),
           "COMMUNITY_DATABASE_URL": f"sqlite:///{tmp_path / 'start.db'}", "PYTHONPATH": str(ROOT)}  # fmt: skip
    for name in ("COMMUNITY_CONFIG", "COMMUNITY_REDIS_URL"):
        env.pop(name, None)
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(report.read_text()), done.stdout


@pytest.mark.parametrize("code", [IMPORT_CLI, CREATE_APP, LIST_COMMANDS], ids=["import", "create_app", "--help"])
def test_starting_imports_none_of_the_heavy_modules(tmp_path, code):
    modules, output = _modules_after(code, tmp_path)
    heavy = sorted(m for m in modules if any(m == name or m.startswith(name + ".") for name in HEAVY))
    assert heavy == [], "imported at start-up (make the import lazy, where it is used): " + ", ".join(heavy)
    assert "community" in modules
    if code == LIST_COMMANDS:  # and --help still lists every command, the lazy ones with their own words
        for name, _target, _help in LAZY_COMMANDS:
            assert f"  {name} " in output
        assert "  db " in output and "Perform database migrations." in output


@pytest.mark.parametrize("name", [name for name, _target, _help in LAZY_COMMANDS] + ["db"])
def test_each_lazy_command_says_what_the_real_one_says(app, name):
    lazy = app.cli.commands[name]
    assert isinstance(lazy, LazyCommand)
    real = lazy.load()
    assert lazy.help == real.help
    result = CliRunner().invoke(app.cli, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert f" {name} [OPTIONS]" in result.output  # the real command parsed it
    assert " ".join(real.help.split()) in " ".join(result.output.split())


def test_the_migrations_are_there_when_asked_for(app):
    """``app.extensions["migrate"]`` is what Flask-Migrate's commands and migrations/env.py read."""
    migrate = app.extensions["migrate"]
    assert Path(migrate.directory) == ROOT / "migrations"
    assert migrate.configure_args == {"compare_type": True, "render_as_batch": True}
    config = migrate.migrate.get_config()  # Alembic, imported now
    assert config.get_main_option("script_location") == migrate.directory
    assert migrate.metadata is migrate.db.metadata
