"""The import graph keeps its shape: jobs knows no domain, storage sits low, no cycles.

Nodes are packages of `ugc` (`ugc.projects.service` -> "projects"), except the modules
that compose packages: each package's `router` (the HTTP edge), the `web` pages,
`ugc.deps`, `ugc.app`, the CLI, and `ugc.db.models` (every table, for Alembic) are nodes
of their own, above the packages they compose. Imports made only for type checking
(`if TYPE_CHECKING:`) are not dependencies at run time and are skipped.
"""

from __future__ import annotations

import ast
from pathlib import Path

import ugc

SRC = Path(ugc.__file__).parent
DOMAINS = {"auth", "credits", "billing", "projects", "webhooks", "community", "web"}
EDGE_MODULES = {"deps", "app", "cli", "cli_generate", "admin"}


def _node(module: str) -> str:
    parts = module.split(".")[1:]
    if not parts:
        return "ugc"
    if parts[0] in EDGE_MODULES or parts[0] == "web":
        return parts[0]
    if parts[:2] == ["db", "models"]:
        return "db.models"
    if len(parts) > 1 and parts[-1] == "router":  # a package's HTTP edge, however deep
        return f"{parts[0]}.router"
    return parts[0]


def _module_name(path: Path) -> str:
    relative = path.relative_to(SRC.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> set[str]:
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return {name for name in found if name == "ugc" or name.startswith("ugc.")}


def _modules() -> dict[str, set[str]]:
    """Every module of ugc and the ugc modules it imports (names that are modules)."""
    paths = [p for p in SRC.rglob("*.py") if "migrations" not in p.parts]
    names = {_module_name(p) for p in paths}
    graph = {}
    for path in paths:
        imported = _imports(ast.parse(path.read_text(), str(path)))
        graph[_module_name(path)] = {name for name in imported if name in names}
    return graph


def _package_graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for module, imported in _modules().items():
        source = _node(module)
        targets = {_node(name) for name in imported} - {source, "ugc"}
        edges.setdefault(source, set()).update(targets)
    return edges


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in list(edges):
        if node not in index:
            connect(node)
    return found


def test_jobs_imports_no_domain_package():
    edges = _package_graph()
    assert edges["jobs"] & DOMAINS == set(), edges["jobs"]


def test_storage_imports_nothing_above_db_and_config():
    edges = _package_graph()
    assert edges["storage"] <= {"db", "config", "errors"}, edges["storage"]
    assert edges["storage.router"] <= {"storage", "db", "config", "errors"}


def test_no_package_cycles():
    assert _cycles(_package_graph()) == []


def test_the_walk_sees_real_imports():
    # Guards the test itself: known edges must be found, or every check above is vacuous.
    edges = _package_graph()
    assert {"jobs", "credits", "db"} <= edges["projects"]
    assert "projects" in edges["deps"] and "deps" in edges["projects.router"]
    assert "auth" in edges["credits.router"] or "deps" in edges["credits.router"]


LIFECYCLE_FIELDS = {"status", "stage", "step", "progress", "error"}


def _lifecycle_writes(tree: ast.AST) -> list[int]:
    """Lines that assign a project's lifecycle fields: `Project(status=...)`,
    `update(Project)....values(status=...)`, `project.status = ...`."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            keywords = {k.arg for k in node.keywords} & LIFECYCLE_FIELDS
            if isinstance(func, ast.Name) and func.id == "Project" and keywords:
                lines.append(node.lineno)
            is_values = isinstance(func, ast.Attribute) and func.attr == "values"
            if is_values and keywords and "update(Project)" in ast.unparse(func.value):
                lines.append(node.lineno)
        if isinstance(node, ast.Assign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if (
                    isinstance(target, ast.Attribute)
                    and target.attr in LIFECYCLE_FIELDS
                    and "project" in ast.unparse(target.value).lower()
                ):
                    lines.append(node.lineno)
    return lines


def test_only_the_lifecycle_writes_a_projects_status():
    offenders = {}
    for path in SRC.rglob("*.py"):
        if path.name == "lifecycle.py" or "migrations" in path.parts:
            continue
        lines = _lifecycle_writes(ast.parse(path.read_text()))
        if lines:
            offenders[str(path.relative_to(SRC))] = lines
    assert offenders == {}
    # The detector itself finds each form of write.
    sample = "update(Project).where(x).values(status=s)\nproject.stage = s\nProject(error=e)\n"
    assert sorted(_lifecycle_writes(ast.parse(sample))) == [1, 2, 3]
