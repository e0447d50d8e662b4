"""Where the files beside the package are: templates/, static/, migrations/ and config.py.

In a source checkout (and an editable install) they sit at the top of the checkout, next to ``community/``.
An installed wheel carries them inside the package (pyproject.toml maps them): ``community/templates``,
``community/static``, ``community/migrations`` and ``community/_config/config.py``. The copy inside the
package wins when it is there, so an installed community never reads a stray folder beside site-packages.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

PACKAGE = Path(__file__).resolve().parent
CONFIG_MODULE = "community._config.config"


def resource_path(name: str, package: Path = PACKAGE) -> Path:
    """The installed ``<package>/<name>`` if it exists, else ``<checkout>/<name>``; an error if neither does."""
    for candidate in (package / name, package.parent / name):
        if candidate.exists():
            return candidate
    raise RuntimeError(
        f"The community package is incomplete: {name} is neither in {package} nor in {package.parent}."
    )


def config_path(package: Path = PACKAGE) -> Path:
    """config.py: ``community/_config/config.py`` when installed, the checkout's top-level file otherwise."""
    installed = package / "_config" / "config.py"
    return installed if installed.is_file() else resource_path("config.py", package)


def load_config_module() -> ModuleType:
    """The settings module (``Config``, ``ProductionConfig``, ``TestConfig``), loaded from its file once.

    Never ``import config``: that top-level name belongs to whoever else installed one.
    """
    module = sys.modules.get(CONFIG_MODULE)
    if module is not None:
        return module
    spec = importlib.util.spec_from_file_location(CONFIG_MODULE, config_path())
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[CONFIG_MODULE] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[CONFIG_MODULE]
        raise
    return module
