"""Architecture rules that code review alone would let slip (style.md §2.4, §2.11).

A pure module stays pure all the way down: nothing it imports, directly or through other
modules of server/, imports Flask, werkzeug, SQLAlchemy or server.db, or reads the clock.
Only server/core/clock.py reads the system clock.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SERVER = Path(__file__).resolve().parents[2] / "server"
PURE = [
    *sorted(str(p.relative_to(SERVER)) for p in (SERVER / "core").glob("*.py")),
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
    "admin/presenter.py",
    "access/viewer.py",
    "access/policy.py",
    "access/masks.py",
    "review/display.py",
    "review/household_page.py",
    "registry/facts.py",
    "printing/documents.py",
    "printing/digest.py",
    "printing/pagination.py",
    "monitoring/settings.py",
    "monitoring/rules.py",
    "monitoring/scope.py",
    "monitoring/charts.py",
    "monitoring/facts.py",
    "monitoring/pages.py",
    "monitoring/words.py",
    "exports/tables.py",
    "exports/cells.py",
]
FORBIDDEN_IN_PURE = ("flask", "werkzeug", "sqlalchemy", "server.db", "os", "time", "datetime.now")
# A feature may import only the features before it; openrosa is the adapter on the side.
# The audit log comes before auth: every use case (logging in, creating a user) records its
# event; the page that reads the log is the administrator's (admin/audit_views.py).
LAYERS = [
    "core",
    "areas",
    "audit",
    "auth",
    "access",
    "forms",
    "registry",
    "ingest",
    "monitoring",
    "printing",
    "review",
    "exports",
    "admin",
    "openrosa",
]


# What reads the system clock (wall time; time.monotonic() for durations is not the clock).
SYSTEM_CLOCK = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"),
                ("date", "today"), ("time", "time"), ("time", "time_ns")}  # fmt: skip
CLOCK = SERVER / "core" / "clock.py"
CLOCK_READERS = {"now", "today", "timestamp", "_now"}  # server.core.clock's


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _imports(path: Path) -> set[str]:
    tree = _tree(path)
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


def _is_framework(name: str) -> bool:
    parts = name.split(".")
    return parts[0].startswith(("flask", "werkzeug", "sqlalchemy")) or parts[:2] == ["server", "db"]


class _Dependencies(ast.NodeVisitor):
    """The modules a file imports, `from a import b` counting `a` and `a.b` (b may be a
    module). Never `if TYPE_CHECKING:` blocks; with `executed_only`, not function bodies
    either (what running the file imports, as for a package's __init__.py)."""

    def __init__(self, executed_only: bool) -> None:
        self.executed_only = executed_only
        self.modules: set[str] = set()  # what the import statements name
        self.names: set[str] = set()  # those, and what may be a module among their names

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        if (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
            isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
        ):
            for child in node.orelse:
                self.visit(child)
        else:
            self.generic_visit(node)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        if not self.executed_only:
            self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef  # noqa: N815 - ast.NodeVisitor's naming

    def visit_Import(self, node: ast.Import) -> None:
        self.modules |= {alias.name for alias in node.names}
        self.names |= {alias.name for alias in node.names}

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module:
            self.modules.add(node.module)
            self.names |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}


def _dependencies(path: Path) -> _Dependencies:
    visitor = _Dependencies(executed_only=path.name == "__init__.py")
    visitor.visit(_tree(path))
    return visitor


def _name(path: Path) -> str:
    return str(path.relative_to(SERVER.parent))


def _file_of(name: str) -> Path | None:
    parts = name.split(".")
    if parts[0] != "server":
        return None
    base = SERVER.joinpath(*parts[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _closure(path: Path) -> dict[Path, str]:
    """Every file of server/ that importing `path` imports or runs (the package __init__.py
    files on the way included), each with the chain that reaches it."""
    chains = {path: _name(path)}
    todo = [path]
    while todo:
        current = todo.pop()
        for name in sorted(_dependencies(current).names):
            parts = name.split(".")
            packages = [".".join(parts[:n]) for n in range(1, len(parts))]
            for found in filter(None, map(_file_of, [*packages, name])):
                if found not in chains:
                    chains[found] = f"{chains[current]} → {_name(found)}"
                    todo.append(found)
    return chains


def _clock_reads(path: Path) -> list[str]:
    """The calls in `path` that read the system clock (`datetime.now()`, `time.time()`…)."""
    found = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            owner_name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
            if (owner_name, node.func.attr) in SYSTEM_CLOCK:
                found.append(f"{owner_name}.{node.func.attr}() on line {node.lineno}")
        if isinstance(node, ast.ImportFrom) and node.module == "time":
            found += [f"from time import {a.name}" for a in node.names if a.name.startswith("time")]
    return found


def _clock_uses(path: Path) -> list[str]:
    """The uses in `path` of server.core.clock's readers (`clock.today()`, `import now`…)."""
    found = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.ImportFrom) and node.module == "server.core.clock":
            found += [f"imports clock.{a.name}" for a in node.names if a.name in CLOCK_READERS]
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "clock"
            and node.attr in CLOCK_READERS
        ):
            found.append(f"clock.{node.attr} on line {node.lineno}")
    return found


@pytest.mark.parametrize("module", PURE)
def test_pure_modules_import_no_framework_database_or_clock(module: str):
    imported = _imports(SERVER / module)
    bad = sorted(m for m in imported if m in FORBIDDEN_IN_PURE or _is_framework(m))
    assert not bad, f"{module} must stay pure but imports {bad}"


@pytest.mark.parametrize("module", PURE)
def test_nothing_a_pure_module_imports_touches_a_framework_the_database_or_the_clock(
    module: str,
):
    problems = []
    for path, chain in _closure(SERVER / module).items():
        modules = _dependencies(path).modules
        problems += [f"{chain} imports {name}" for name in sorted(modules) if _is_framework(name)]
        if path != CLOCK:
            problems += [f"{chain}: {use}" for use in _clock_reads(path) + _clock_uses(path)]
    assert not problems, f"{module} must stay pure:\n" + "\n".join(problems)


def test_only_the_core_clock_reads_the_system_clock():
    reads = [
        f"{path.relative_to(SERVER)}: {read}"
        for path in sorted(SERVER.rglob("*.py"))
        if path != CLOCK
        for read in _clock_reads(path)
    ]
    assert not reads, "read the clock through server.core.clock:\n" + "\n".join(reads)


def test_importing_the_pure_modules_loads_no_framework():
    """What the AST says, checked once by Python itself, in a fresh interpreter."""
    modules = ["server." + m.removesuffix(".py").replace("/", ".") for m in PURE]
    modules = [m.removesuffix(".__init__") for m in modules]
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "    loaded = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('flask', 'werkzeug', 'sqlalchemy') or m == 'server.db')\n"
        "    if loaded:\n"
        "        sys.exit(f'{name} loads {loaded[:5]}')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=SERVER.parent,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr


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
    for path in [
        *SERVER.rglob("service.py"),
        SERVER / "auth" / "sessions.py",
        SERVER / "auth" / "login.py",
    ]:
        source = path.read_text(encoding="utf-8")
        assert ".commit()" not in source, f"{path.relative_to(SERVER)} commits"
        assert "flask" not in {m.split(".")[0] for m in _imports(path)}, path


def test_only_the_request_wrapper_ends_transactions():
    """server/db.py decides each request's transaction once (App.dispatch_request); CLI
    commands and jobs use `with session.begin()` blocks. No view or service commits or rolls
    back (#12: `.commit()` was in nine view modules)."""
    for path in SERVER.rglob("*.py"):
        if path == SERVER / "db.py":
            continue
        source = path.read_text(encoding="utf-8")
        for call in (".commit()", ".rollback()"):
            assert call not in source, f"{path.relative_to(SERVER)} calls {call}"
