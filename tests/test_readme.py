"""The README documents every command, every flag and every COMMUNITY_* setting, so it can't fall behind."""

from __future__ import annotations

import re
from pathlib import Path

import click

from community.resources import load_config_module

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
EXTENSION_GROUPS = {"db", "limiter", "openapi"}  # Flask-Migrate's, Flask-Limiter's, flask-smorest's: as groups


def test_every_command_and_flag_is_documented(app):
    ctx = click.Context(app.cli)
    missing = []
    for name in app.cli.list_commands(ctx):
        if f"`community {name}" not in README:
            missing.append(f"community {name}")
        if name in EXTENSION_GROUPS:
            continue
        command = app.cli.get_command(ctx, name)
        for param in command.params:
            flags = [opt for opt in param.opts if opt.startswith("--")]
            if flags and not any(flag in README for flag in flags):
                missing.append(f"community {name} {flags[0]}")
    assert missing == []


def test_every_setting_is_documented():
    config = load_config_module()
    keys = {key for cls in (config.Config, config.ProductionConfig) for key in vars(cls) if key.isupper()}
    gunicorn = set(re.findall(r"COMMUNITY_[A-Z_]+", (ROOT / "community" / "gunicorn_conf.py").read_text()))
    missing = sorted({f"COMMUNITY_{key}" for key in keys} | gunicorn | {"COMMUNITY_CONFIG", "COMMUNITY_INSTANCE_PATH"})
    assert [name for name in missing if f"`{name}`" not in README] == []


def test_the_ci_test_command_marker_stays():
    assert "<!-- ci:test-command -->" in README
