"""The public Python API: stage packages re-export what acts on a review, lazily.

``import realist.cli`` (every ``realist`` command starts with it) must not
load the heavy libraries that only some commands need; the stage packages'
names load on first use.
"""

from __future__ import annotations

import importlib
import inspect
import json
import subprocess
import sys

import pytest

import realist

STAGES = ["identify", "deduplicate", "screen", "network", "appraise", "code", "synthesise", "report"]

# Libraries that only some commands need: ranking and stopping (scikit-learn, SciPy, NumPy),
# the report (matplotlib, citeproc-py, python-docx), full texts (pypdf), OpenAlex (httpx),
# deduplication (rapidfuzz), migrations (Alembic: loaded when a review is opened).
HEAVY = [
    "sklearn",
    "scipy",
    "numpy",
    "pandas",
    "matplotlib",
    "citeproc",
    "docx",
    "pypdf",
    "httpx",
    "rapidfuzz",
    "alembic",
    "realist.screen.ranking",
    "realist.screen.stopping",
    "realist.screen.simulate",
    "realist.report.build",
    "realist.report.plots",
    "realist.deduplicate.compare",
]


def _modules_after(statement: str) -> set[str]:
    code = f"{statement}; import sys, json; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout))


def test_importing_the_cli_loads_no_heavy_library():
    loaded = _modules_after("import realist.cli")
    assert "realist.cli.screen_cmd" in loaded  # the commands are registered
    heavy = sorted(m for m in loaded if any(m == h or m.startswith(h + ".") for h in HEAVY))
    assert heavy == []


def test_importing_every_stage_package_loads_no_heavy_library():
    loaded = _modules_after("import " + ", ".join(f"realist.{s}" for s in STAGES))
    heavy = sorted(m for m in loaded if any(m == h or m.startswith(h + ".") for h in HEAVY))
    assert heavy == []


@pytest.mark.parametrize("stage", STAGES)
def test_every_public_name_of_a_stage_package_resolves_to_its_definition(stage):
    package = importlib.import_module(f"realist.{stage}")
    assert len(package.__all__) == len(set(package.__all__)) > 0
    for name in package.__all__:
        value = getattr(package, name)
        if inspect.isfunction(value) or inspect.isclass(value):
            home = importlib.import_module(value.__module__)
            assert getattr(home, value.__name__) is value, f"realist.{stage}.{name}"
    assert set(package.__all__) <= set(dir(package))


def test_unknown_names_raise_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'decidee'"):
        realist.screen.decidee  # noqa: B018


@pytest.mark.parametrize(
    ("public", "home"),
    [
        ("realist.identify.import_file", "realist.identify"),
        ("realist.identify.list_records", "realist.inventory"),
        ("realist.deduplicate.run_dedup", "realist.deduplicate.store"),
        ("realist.screen.decide", "realist.screen.decisions"),
        ("realist.screen.next_records", "realist.screen.queue"),
        ("realist.screen.progress", "realist.screen.decisions"),
        ("realist.screen.conflicts", "realist.screen.decisions"),
        ("realist.screen.resolve", "realist.screen.decisions"),
        ("realist.network.chase", "realist.network.chase"),
        ("realist.appraise.appraise_language", "realist.appraise.store"),
        ("realist.code.add_cmoc", "realist.code.cmoc"),
        ("realist.synthesise.synthesis", "realist.synthesise.store"),
        ("realist.report.build_report", "realist.report.build"),
    ],
)
def test_functions_that_act_on_a_review_are_public_where_the_issue_names_them(public, home):
    package_name, name = public.rsplit(".", 1)
    value = getattr(importlib.import_module(package_name), name)
    assert value is getattr(importlib.import_module(home), name)
    assert next(iter(inspect.signature(value).parameters)) == "review"


def test_the_queue_default_model_is_the_registry_default():
    from realist.screen.queue import next_records
    from realist.screen.ranking import DEFAULT_MODEL

    assert inspect.signature(next_records).parameters["model"].default == DEFAULT_MODEL


def test_the_review_handle_is_exported_under_one_name():
    assert realist.ReviewHandle is realist.review.ReviewHandle
    assert not hasattr(realist, "Review")  # the ORM model's name; see docs/python-api.md


def test_typed_results_give_json_dicts_and_read_like_the_earlier_dicts():
    from realist.screen import ReviewerProgress, ScreeningProgress

    progress = ScreeningProgress("title_abstract", 3, 1, 1, 1, 0, 0, {}, {"ana": ReviewerProgress(3, 2)})
    as_dict = progress.to_dict()
    assert as_dict["reviewers"] == {"ana": {"assigned": 3, "decided": 2}}
    assert json.loads(json.dumps(as_dict)) == as_dict
    assert progress["reviewers"]["ana"]["decided"] == 2 and progress.get("nope", 0) == 0
    assert dict(progress) == as_dict and "conflict" in progress and "stopping" not in progress
    with pytest.raises(KeyError):
        progress["stopping"]
    with pytest.raises(AttributeError):
        progress.included = 5  # type: ignore[misc]
