"""The rule core stays pure (docs/architecture.md): portal/domain imports nothing of the rest of the
portal, nor Flask, SQLAlchemy, Werkzeug or WTForms, and never reads the clock (it takes the date it
needs). The imports are import-linter contracts in pyproject.toml, run by `make lint`; the clock is
the AST check below. Each check is shown to catch a domain module that breaks it."""

from __future__ import annotations

import ast
import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOMAIN = ROOT / "portal" / "domain"

# Everything that answers "what time is it?", by the name it is defined under.
CLOCK = frozenset(
    {
        "datetime.date.today",
        "datetime.datetime.now",
        "datetime.datetime.utcnow",
        "datetime.datetime.today",
        *(
            f"time.{name}"
            for name in (
                "time",
                "time_ns",
                "monotonic",
                "monotonic_ns",
                "perf_counter",
                "perf_counter_ns",
                "localtime",
                "gmtime",
                "ctime",
                "asctime",
                "strftime",
            )
        ),
    }
)
CLOCK_MODULES = frozenset(name.split(".")[0] for name in CLOCK)


def _dotted(node: ast.expr) -> str | None:
    """``a.b.c`` for a name or an attribute chain on a name; None for anything else."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


def clock_reads(source: str) -> list[str]:
    """Each place ``source`` reads the clock, however the module was imported or renamed
    (``import datetime as dt``, ``from datetime import date as day``), called or handed on
    (``field(default_factory=date.today)``)."""
    tree = ast.parse(source)
    imported: dict[str, str] = {}  # the name in the module -> what it is
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                imported[alias.asname or top] = alias.name if alias.asname else top
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                if alias.name == "*" and node.module in CLOCK_MODULES:
                    found.append(f"line {node.lineno}: from {node.module} import *")
                imported[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    for node in ast.walk(tree):
        dotted = _dotted(node) if isinstance(node, ast.Name | ast.Attribute) else None
        if dotted is None:
            continue
        head, _, rest = dotted.partition(".")
        if head in imported:
            name = ".".join(filter(None, (imported[head], rest)))
            if name in CLOCK:
                found.append(f"line {node.lineno}: {name}")
    return found


@pytest.mark.parametrize("path", sorted(DOMAIN.glob("*.py")), ids=lambda p: p.name)
def test_no_domain_module_reads_the_clock(path):
    assert clock_reads(path.read_text()) == []


@pytest.mark.parametrize(
    "source",
    [
        "import datetime\n\n\ndef due():\n    return datetime.date.today()\n",
        "from datetime import date\n\nSTART = date.today()\n",
        "from datetime import date as day\n\nSTART = day.today()\n",
        "import datetime as dt\n\nNOW = dt.datetime.utcnow()\n",
        "from datetime import datetime\n\nNOW = datetime.now()\n",
        "from time import time\n\nNOW = time()\n",
        "import time\n\nNOW = time.monotonic()\n",
        "from dataclasses import field\nfrom datetime import date\n\nON = field(default_factory=date.today)\n",
        "from datetime import *\n",
    ],
)
def test_the_clock_check_catches_every_way_of_reading_the_clock(source):
    assert clock_reads(source)


@pytest.mark.parametrize(
    "source",
    [
        "from datetime import date\n\nSTART = date(2026, 3, 5)\nEND = date.fromisoformat('2026-12-31')\n",
        "from datetime import date\n\n\ndef due(today: date) -> date:\n    return today\n",
        "import datetime\n\nDAY = datetime.timedelta(days=1)\n",
    ],
)
def test_the_clock_check_passes_dates_handed_in(source):
    assert clock_reads(source) == []


# --- the import contracts, run on a copy of the package with one bad domain module -----------------


def _lint_imports(root: pathlib.Path) -> subprocess.CompletedProcess[str]:
    """`lint-imports` with the project's contracts, on the package ``portal`` under ``root``."""
    command = pathlib.Path(sys.executable).with_name("lint-imports")
    assert command.exists(), "import-linter is missing: make install"
    return subprocess.run(
        [str(command), "--no-logo", "--no-cache", str(ROOT / "pyproject.toml")],
        cwd=root,  # lint-imports puts its working directory first on the path: the copy is analysed
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def package_copy(tmp_path_factory):
    root = tmp_path_factory.mktemp("copy")
    shutil.copytree(ROOT / "portal", root / "portal", ignore=shutil.ignore_patterns("__pycache__", "translations"))
    return root


@pytest.fixture
def bad_module(package_copy):
    path = package_copy / "portal" / "domain" / "bad.py"
    yield path
    path.unlink(missing_ok=True)


def test_the_contracts_are_kept_by_the_package_as_it_is(package_copy):
    result = _lint_imports(package_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout


@pytest.mark.parametrize(
    ("source", "forbidden"),
    [
        ("from ..orders.models import Order\n", "portal.orders"),
        ("from portal.extensions import db\n", "portal.extensions"),
        ("from ..clock import today\n", "portal.clock"),
        ("from ..db import Money\n", "portal.db"),
        ("import flask\n", "flask"),
        ("from sqlalchemy import select\n", "sqlalchemy"),
        ("from werkzeug.exceptions import NotFound\n", "werkzeug"),
    ],
)
def test_the_contracts_catch_a_domain_module_importing_the_rest_of_the_portal_or_a_framework(
    package_copy, bad_module, source, forbidden
):
    bad_module.write_text(source)

    result = _lint_imports(package_copy)

    assert result.returncode != 0
    assert f"portal.domain is not allowed to import {forbidden}:" in result.stdout, result.stdout
    assert "portal.domain.bad -> " in result.stdout
