"""docs/ARCHITECTURE.md's picture of the apps is generated from the code, and stays so."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_architecture_picture_matches_the_code():
    generated = subprocess.run(
        [sys.executable, "scripts/import_graph.py", "--mermaid"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    doc = (ROOT / "docs/ARCHITECTURE.md").read_text(encoding="utf-8")
    assert f"```mermaid\n{generated}\n```" in doc, (
        "regenerate the picture: .venv/bin/python scripts/import_graph.py --mermaid"
    )
