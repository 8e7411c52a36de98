"""docs/tutorial.ipynb runs from top to bottom on the installed outlast, so it cannot rot."""

import json
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

TUTORIAL = Path(__file__).resolve().parents[2] / "docs" / "tutorial.ipynb"


def test_the_tutorial_is_kept_without_outputs():
    cells = json.loads(TUTORIAL.read_text())["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    assert code and all(not c["outputs"] and c["execution_count"] is None for c in code)


def test_the_tutorial_executes(tmp_path):
    notebook = nbformat.read(TUTORIAL, as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
    )
    client.execute()  # raises CellExecutionError on the first cell that fails
    printed = "\n".join(
        output.get("text", "") + str(output.get("data", {}).get("text/plain", ""))
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )
    assert "12 runs" in printed and "median_surrenders" in printed  # the sweep; DuckDB's table
    assert "war_ended_low" in printed  # shares with Wilson intervals, not medians of 0/1
    assert "The package lowers mean stability in" in printed
    assert any(
        "image/png" in output.get("data", {})
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )
    assert list(tmp_path.iterdir()) == []  # the tutorial cleans up after itself
