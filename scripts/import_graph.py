"""The portal's import graph, read from the code: app-to-app edges, module cycles and function-local
imports, and a Mermaid picture of the apps for docs/ARCHITECTURE.md.

    .venv/bin/python scripts/import_graph.py            # the figures
    .venv/bin/python scripts/import_graph.py --mermaid  # the picture's source
    .venv/bin/python scripts/import_graph.py --write    # the picture rewritten in docs/ARCHITECTURE.md
"""

from __future__ import annotations

import ast
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = (
    "portal",
    "core",
    "accounts",
    "organisations",
    "passports",
    "delivery",
    "complaints",
    "partners",
    "demo",
    "bench",
)


def modules() -> dict[str, Path]:
    found = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports(path: Path) -> list[tuple[str, bool]]:
    """(imported module, whether the import sits inside a function) for each import of ours."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    in_function = {
        id(inner)
        for outer in ast.walk(tree)
        if isinstance(outer, ast.FunctionDef | ast.AsyncFunctionDef)
        for inner in ast.walk(outer)
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            if name.split(".")[0] in APPS:
                found.append((name, id(node) in in_function))
    return found


def graph() -> tuple[Counter[tuple[str, str]], dict[str, set[str]], int]:
    mods = modules()
    app_edges: Counter[tuple[str, str]] = Counter()
    module_edges: dict[str, set[str]] = defaultdict(set)
    local = 0
    for name, path in mods.items():
        app = name.split(".")[0]
        for target, inside_function in imports(path):
            if target not in mods:
                continue
            module_edges[name].add(target)
            if target.split(".")[0] != app:
                app_edges[(app, target.split(".")[0])] += 1
                local += inside_function
    return app_edges, module_edges, local


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    sys.setrecursionlimit(10_000)
    for node in list(edges):
        if node not in index:
            visit(node)
    return groups


def mermaid(app_edges: Counter[tuple[str, str]]) -> str:
    lines = ["graph TD"] + [
        f"  {source} -->|{count}| {target}" for (source, target), count in sorted(app_edges.items())
    ]
    return "\n".join(lines) + "\n"


def doc_write(picture: str) -> None:
    doc = ROOT / "docs" / "ARCHITECTURE.md"
    text, found = re.subn(
        r"```mermaid\n.*?```", lambda _: f"```mermaid\n{picture}```", doc.read_text(), count=1, flags=re.S
    )
    if not found:
        raise SystemExit("docs/ARCHITECTURE.md has no mermaid block")
    doc.write_text(text)


def main() -> None:
    app_edges, module_edges, local = graph()
    if "--mermaid" in sys.argv:
        print(mermaid(app_edges), end="")
        return
    if "--write" in sys.argv:
        doc_write(mermaid(app_edges))
        return
    print("app import edges (imports):")
    for (source, target), count in sorted(app_edges.items()):
        print(f"  {source} -> {target}: {count}")
    pairs = {tuple(sorted(pair)) for pair in app_edges if (pair[1], pair[0]) in app_edges}
    print(f"apps importing each other: {len(pairs)} pairs {sorted(pairs)}")
    groups = cycles(module_edges)
    print(f"module cycles: {len(groups)}")
    for group in groups:
        print("  {" + ", ".join(group) + "}")
    print(f"function-local imports across apps: {local}")


if __name__ == "__main__":
    main()
