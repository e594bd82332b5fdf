"""Architecture rules that code review alone would let slip (style.md §2.4, §2.11)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SERVER = Path(__file__).resolve().parents[2] / "server"
PURE = [
    "ingest/instance.py",
    "ingest/normalize.py",
    "ingest/values.py",
    "registry/records.py",
    "registry/resident_id.py",
    "areas/codes.py",
    "auth/digest.py",
    "auth/qr.py",
    "auth/next_page.py",
    "auth/passwords.py",
    "forms/compile.py",
    "forms/xform.py",
    "forms/workbook_text.py",
    "registry/phone_lists.py",
    "auth/roles.py",
    "access/viewer.py",
    "access/policy.py",
    "access/masks.py",
    "review/display.py",
    "printing/documents.py",
    "printing/digest.py",
    "printing/pagination.py",
    "monitoring/settings.py",
    "monitoring/rules.py",
    "monitoring/scope.py",
    "monitoring/charts.py",
    "exports/tables.py",
    "exports/cells.py",
]
FORBIDDEN_IN_PURE = ("flask", "werkzeug", "sqlalchemy", "server.db", "os", "time", "datetime.now")
# A feature may import only the features before it; openrosa is the adapter on the side.
LAYERS = [
    "areas",
    "auth",
    "access",
    "audit",
    "forms",
    "registry",
    "ingest",
    "printing",
    "review",
    "monitoring",
    "exports",
    "admin",
    "openrosa",
]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    names |= {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    }
    return names


@pytest.mark.parametrize("module", PURE)
def test_pure_modules_import_no_framework_database_or_clock(module: str):
    imported = _imports(SERVER / module)
    bad = sorted(
        m
        for m in imported
        if m in FORBIDDEN_IN_PURE
        or m.split(".")[0] in {"flask", "werkzeug", "sqlalchemy"}
        or m == "server.db"
    )
    assert not bad, f"{module} must stay pure but imports {bad}"


@pytest.mark.parametrize("feature", LAYERS)
def test_features_import_only_lower_layers(feature: str):
    allowed = set(LAYERS[: LAYERS.index(feature) + 1])
    for path in (SERVER / feature).rglob("*.py"):
        if path.name == "cli.py":
            continue  # command-line wiring may compose features
        for name in _imports(path):
            parts = name.split(".")
            if parts[0] == "server" and len(parts) > 1 and parts[1] in LAYERS:
                assert parts[1] in allowed, f"{path.relative_to(SERVER)} imports {name}"


def test_services_never_commit_and_never_touch_flask():
    for path in [*SERVER.rglob("service.py"), SERVER / "auth" / "sessions.py"]:
        source = path.read_text(encoding="utf-8")
        assert ".commit()" not in source, f"{path.relative_to(SERVER)} commits"
        assert "flask" not in {m.split(".")[0] for m in _imports(path)}, path
