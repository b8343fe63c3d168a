"""The share of fully typed functions per app: a function counts as typed when every argument
(``self`` and ``cls`` aside) and its return carry an annotation. Migrations are left out.

    .venv/bin/python scripts/typed_share.py [app or module path ...]
"""

from __future__ import annotations

import ast
import sys

from import_graph import APPS as PROJECT_APPS
from import_graph import ROOT

APPS = (*PROJECT_APPS, "scripts", "tests")


def function_is_typed(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    args = node.args
    params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    if params and params[0].arg in {"self", "cls"}:
        params = params[1:]
    if args.vararg is not None:
        params.append(args.vararg)
    if args.kwarg is not None:
        params.append(args.kwarg)
    return node.returns is not None and all(param.annotation is not None for param in params)


def app_counts(app: str) -> tuple[int, int]:
    typed = total = 0
    base = ROOT / app
    for path in [base] if base.is_file() else sorted(base.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                total += 1
                typed += function_is_typed(node)
    return typed, total


def main(apps: list[str]) -> None:
    all_typed = all_total = 0
    print(f"{'app':<24} {'typed':>6} {'total':>6} {'share':>7}")
    for app in apps:
        typed, total = app_counts(app)
        all_typed, all_total = all_typed + typed, all_total + total
        print(f"{app:<24} {typed:>6} {total:>6} {typed / total if total else 0:>7.1%}")
    print(f"{'all':<24} {all_typed:>6} {all_total:>6} {all_typed / all_total if all_total else 0:>7.1%}")


if __name__ == "__main__":
    main(sys.argv[1:] or list(APPS))
