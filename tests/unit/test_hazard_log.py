"""The hazard log (docs/clinical-safety/hazard-log.md) names the tests that prove each control: they must exist.

A test renamed or deleted without the log following would leave a clinical safety claim with nothing behind it.
Test files are read with `ast`, not imported or run: this stays a quick unit test.
"""

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOG = ROOT / "docs" / "clinical-safety" / "hazard-log.md"
PLANNED = "planned control, no test yet"
# `tests/…/test_x.py`, `tests/…/test_x.py::test_y` or `tests/…/test_x.py::TestZ::test_y`, in backticks.
REFERENCE = re.compile(r"`(tests/[\w/]+\.py(?:::\w+){0,2})`")
HEADING = re.compile(r"^## (H\d+): (.+)$", re.M)


def hazards(text: str) -> dict[str, str]:
    """Each hazard's id and the text of its section, up to the next heading."""
    found = list(HEADING.finditer(text))
    return {
        m.group(1): text[m.start() : found[i + 1].start() if i + 1 < len(found) else len(text)]
        for i, m in enumerate(found)
    }


def references(section: str) -> list[str]:
    return REFERENCE.findall(section)


@cache
def collected_tests(path: Path) -> frozenset[str]:
    """Test names pytest would collect from the file: module-level test functions and Test-class methods."""
    names = set()
    for node in ast.parse(path.read_text(), filename=str(path)).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test"):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and item.name.startswith("test"):
                    names.add(f"{node.name}::{item.name}")
    return frozenset(names)


def problem_with(reference: str) -> str | None:
    """Why `reference` does not name an existing test, or None when it does."""
    file, _, name = reference.partition("::")
    path = ROOT / file
    if not path.is_file():
        return f"{reference}: no file {file}"
    collected = collected_tests(path)
    if not name:
        return None if collected else f"{reference}: the file holds no test"
    return None if name in collected else f"{reference}: no test {name} in {file}"


LOG_TEXT = LOG.read_text()
HAZARDS = hazards(LOG_TEXT)


def test_the_log_lists_hazards_in_order_from_h1():
    assert list(HAZARDS) == [f"H{n}" for n in range(1, len(HAZARDS) + 1)] and len(HAZARDS) >= 10


@pytest.mark.parametrize("hazard", list(HAZARDS))
def test_every_test_the_log_names_exists(hazard):
    assert [p for r in references(HAZARDS[hazard]) if (p := problem_with(r))] == []


@pytest.mark.parametrize("hazard", list(HAZARDS))
def test_every_hazard_has_a_test_or_says_its_control_is_planned(hazard):
    section = HAZARDS[hazard]
    assert references(section) or PLANNED in section.lower()


@pytest.mark.parametrize("hazard", list(HAZARDS))
def test_every_hazard_names_its_control_and_both_ratings(hazard):
    rows = set(re.findall(r"^\| (Hazard|Cause|Effect|Initial risk|Control|Residual risk) \|", HAZARDS[hazard], re.M))
    assert rows == {"Hazard", "Cause", "Effect", "Initial risk", "Control", "Residual risk"}


def test_the_log_says_the_clinical_safety_officer_reviews_it_before_live_use():
    assert re.search(r"clinical safety officers? must review", LOG_TEXT, re.I)


# The checker itself, on made-up logs and files.


def test_a_missing_test_function_is_reported(tmp_path, monkeypatch):
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_a.py").write_text("def test_here():\n    pass\n")
    assert (
        problem_with("tests/test_a.py::test_gone") == "tests/test_a.py::test_gone: no test test_gone in tests/test_a.py"
    )


def test_a_missing_file_is_reported(tmp_path, monkeypatch):
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    assert problem_with("tests/test_nowhere.py") == "tests/test_nowhere.py: no file tests/test_nowhere.py"


def test_a_method_of_a_test_class_counts_and_a_helper_does_not(tmp_path, monkeypatch):
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_b.py").write_text(
        "class TestThing:\n    def test_method(self):\n        pass\n\ndef helper():\n    pass\n"
    )
    found = [problem_with(r) for r in ("tests/test_b.py::TestThing::test_method", "tests/test_b.py::helper")]
    assert found == [None, "tests/test_b.py::helper: no test helper in tests/test_b.py"]


def test_a_file_reference_needs_at_least_one_test_in_the_file(tmp_path, monkeypatch):
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_empty.py").write_text("import os\n")
    assert problem_with("tests/test_empty.py") == "tests/test_empty.py: the file holds no test"


def test_a_hazard_with_neither_test_nor_planned_marker_is_caught():
    log = "## H1: Something\n\n| Control | none |\n\n## H2: Other\n\nTests: planned control, no test yet.\n"
    sections = hazards(log)
    assert [h for h, s in sections.items() if not (references(s) or PLANNED in s.lower())] == ["H1"]
