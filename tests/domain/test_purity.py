"""The rule core stays pure: no Flask, no SQLAlchemy, no clock (docs/architecture.md)."""

import ast
import pathlib

import pytest

DOMAIN = pathlib.Path(__file__).resolve().parents[2] / "portal" / "domain"
FORBIDDEN_MODULES = ("flask", "flask_", "sqlalchemy", "portal.extensions", "portal.clock")
FORBIDDEN_CALLS = {
    ("date", "today"),
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("time", "time"),
}


@pytest.mark.parametrize("path", sorted(DOMAIN.glob("*.py")), ids=lambda p: p.name)
def test_domain_module_imports_neither_flask_nor_sqlalchemy_nor_reads_the_clock(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [("." * node.level) + (node.module or "")]
            if node.level:
                assert not (node.module or "").startswith(("extensions", "clock")), path
        else:
            names = []
        for name in names:
            assert not name.startswith(FORBIDDEN_MODULES), f"{path.name} imports {name}"
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
        ):
            assert (node.func.value.id, node.func.attr) not in FORBIDDEN_CALLS, f"{path.name} reads the clock"
