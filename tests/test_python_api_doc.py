"""docs/python-api.md is executed: every ```python block, in order, in one namespace."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from support import REPO

DOC = REPO / "docs" / "python-api.md"


def python_blocks(text: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)


def test_the_python_api_doc_has_examples_for_every_stage():
    text = "\n".join(python_blocks(DOC.read_text(encoding="utf-8")))
    for call in (
        "realist.init_review",
        "realist.open_review",
        "identify.import_file",
        "deduplicate.run_dedup",
        "screen.decide",
        "screen.resolve",
        "screen.progress",
        "code.apply_code",
        "code.add_cmoc",
        "synthesise.synthesis",
        "report.build_report",
    ):
        assert call in text, call


def test_every_python_example_of_the_api_doc_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("REALIST_DATABASE_URL", raising=False)
    namespace: dict[str, object] = {"__name__": "python_api_doc"}
    for number, block in enumerate(python_blocks(DOC.read_text(encoding="utf-8")), 1):
        try:
            exec(compile(block, f"{DOC.name} block {number}", "exec"), namespace)
        except Exception as exc:  # name the block that broke
            raise AssertionError(f"docs/python-api.md block {number} failed: {exc!r}\n{block}") from exc
    out = capsys.readouterr().out
    assert "already-imported True force" in out  # the last example reached its end
    assert (tmp_path / "my-review" / "report" / "report.md").is_file()
