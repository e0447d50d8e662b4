"""The package as pip installs it: every package listed, every file beside it carried, found at run time.

Building and installing the wheel for real is .ci/wheel-check's job (it takes a fresh virtual environment);
these tests check the declarations in pyproject.toml and the run-time lookup, in milliseconds.
"""

from __future__ import annotations

import ast
import glob
import tomllib
from pathlib import Path

import pytest

from community import resources

ROOT = Path(__file__).resolve().parents[1]
SETUPTOOLS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
PACKAGE_DIR: dict[str, str] = SETUPTOOLS["package-dir"]
BESIDE = {"community.templates": "templates", "community.static": "static", "community.migrations": "migrations"}


def source_dir(package: str) -> Path:
    """Where setuptools reads ``package`` from: its package-dir mapping, else its dotted path."""
    if package in PACKAGE_DIR:
        return ROOT / PACKAGE_DIR[package]
    return ROOT.joinpath(*package.split("."))


def test_every_folder_of_the_package_with_python_in_it_is_listed():
    """A new blueprint (or any sub-package) that is not listed would be missing from the wheel."""
    listed = set(SETUPTOOLS["packages"])
    found = {
        ".".join(folder.relative_to(ROOT).parts)
        for folder in [ROOT / "community", *(ROOT / "community").rglob("*")]
        if folder.is_dir() and folder.name != "__pycache__" and any(folder.glob("*.py"))
    }
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
    assert all(source_dir(package).is_dir() for package in listed), "a listed package has no folder"


def test_templates_static_and_migrations_travel_inside_the_package():
    assert {package: PACKAGE_DIR[package] for package in BESIDE} == BESIDE
    assert PACKAGE_DIR["community._config"] == "."  # config.py rides along as community/_config/config.py
    assert "py-modules" not in SETUPTOOLS  # no top-level module named config (or anything else)


@pytest.mark.parametrize("package", sorted(BESIDE))
def test_package_data_globs_cover_every_file(package):
    """Each file under templates/, static/ (vendor/ included) and migrations/ matches a package-data glob, the
    way setuptools expands them; Python modules directly in the folder are taken as modules anyway."""
    folder = source_dir(package)
    patterns = SETUPTOOLS["package-data"][package]
    covered = {Path(p) for pattern in patterns for p in glob.glob(str(folder / pattern), recursive=True)}
    covered |= set(folder.glob("*.py"))
    files = {p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}
    assert files, folder
    assert files - covered == set(), "extend [tool.setuptools.package-data] in pyproject.toml"


def test_migrations_carry_what_alembic_needs():
    patterns = SETUPTOOLS["package-data"]["community.migrations"]
    assert {"alembic.ini", "script.py.mako", "versions/*.py"} <= set(patterns)
    assert "**/*" in SETUPTOOLS["package-data"]["community.static"]  # static/vendor/** included


def test_the_generator_ships_with_the_package_and_nothing_imports_bench_tests_or_config():
    assert "community.scale" in SETUPTOOLS["packages"]
    offenders = []
    for path in (ROOT / "community").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            offenders += [f"{path.relative_to(ROOT)}: {name}" for name in names
                          if name.split(".")[0] in {"bench", "tests", "config"}]  # fmt: skip
    assert offenders == []


# Run-time lookup ---------------------------------------------------------------------------------


def _layout(root: Path, *paths: str) -> Path:
    for relative in paths:
        target = root / relative
        if relative.endswith("/"):
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("")
    return root / "community"


def test_an_installed_package_uses_its_own_copy(tmp_path):
    """site-packages/community/templates wins, even with a stray templates/ folder beside the package."""
    package = _layout(tmp_path, "community/", "community/templates/", "community/static/", "community/migrations/",
                      "community/_config/config.py", "templates/", "config.py")  # fmt: skip
    for name in ("templates", "static", "migrations"):
        assert resources.resource_path(name, package) == package / name
    assert resources.config_path(package) == package / "_config" / "config.py"


def test_a_checkout_uses_the_folders_at_its_top(tmp_path):
    package = _layout(tmp_path, "community/", "templates/", "static/", "migrations/", "config.py")
    for name in ("templates", "static", "migrations"):
        assert resources.resource_path(name, package) == tmp_path / name
    assert resources.config_path(package) == tmp_path / "config.py"


def test_a_package_without_its_files_says_so(tmp_path):
    package = _layout(tmp_path, "community/")
    with pytest.raises(RuntimeError, match="incomplete: templates is neither in"):
        resources.resource_path("templates", package)
    with pytest.raises(RuntimeError, match=r"config\.py"):
        resources.config_path(package)


def test_this_checkout_is_found(app):
    assert resources.PACKAGE == ROOT / "community"
    assert Path(app.template_folder) == ROOT / "templates"
    assert Path(app.static_folder) == ROOT / "static"
    assert Path(app.extensions["migrate"].directory) == ROOT / "migrations"
    assert resources.config_path() == ROOT / "config.py"


def test_the_settings_load_under_the_package_name():
    module = resources.load_config_module()
    assert module.__name__ == "community._config.config"
    assert Path(module.__file__) == ROOT / "config.py"
    assert {"Config", "ProductionConfig", "TestConfig"} <= set(vars(module))
    assert resources.load_config_module() is module  # loaded once


def test_the_static_files_are_served(client):
    css = client.get("/static/css/app.css")
    try:
        assert css.status_code == 200 and css.mimetype == "text/css"
        assert css.get_data() == (ROOT / "static" / "css" / "app.css").read_bytes()
    finally:
        css.close()  # a file response keeps its file open until closed
