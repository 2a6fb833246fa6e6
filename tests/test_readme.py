"""The README's Python example runs as written (on the real IPI file when it is present)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import ROOT, real_file


def _python_blocks(markdown: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", markdown, flags=re.DOTALL)


def test_readme_python_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = real_file("ipi_tcc/Gender.Full.csv")
    (tmp_path / "Gender.Full.csv").symlink_to(source)
    monkeypatch.chdir(tmp_path)
    blocks = _python_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    assert blocks, "README.md has no Python example"
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)
    top = namespace["top"]
    assert top["iso3"][0] == "PAK"  # Pakistan led the December 2013 ranking (IPI file)
    assert (tmp_path / "panel.csv").read_text(encoding="utf-8").startswith("year,contributor")
    plan = namespace["plan"]
    assert plan.assignments  # type: ignore[attr-defined]


def test_readme_quick_start_has_exactly_two_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```bash\n(.*?)```", quick, flags=re.DOTALL)
    assert [c.strip().count("\n") for c in commands] == [0, 0]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1].strip() in ci, ".ci/run must call the README's test command"
