"""An executed notebook is kept without the clock readings papermill and the kernel write into it, so two builds of
the same inputs give the same bytes (and the same manifest.json, which hashes them). Fast: on a notebook as
papermill leaves it, without running one; test_build.py checks the notebooks of a real build."""
import nbformat

from alsreview.pipeline.build import make_reproducible, without_timing

PAPERMILL = {"default_parameters": {}, "duration": 6.07, "end_time": "2026-12-03T19:29:35.541711+00:00",
             "environment_variables": {}, "exception": None, "input_path": "notebooks/01-x.ipynb",
             "output_path": "build/.work-01-x/notebook.ipynb", "parameters": {"species": ["human"]},
             "start_time": "2026-12-03T19:29:29.467020+00:00", "version": "2.7.0"}
CELL_PAPERMILL = {"duration": 0.02, "end_time": "2026-12-03T19:29:30.616596+00:00", "exception": False,
                  "start_time": "2026-12-03T19:29:30.592531+00:00", "status": "completed"}
KERNEL = {"display_name": "Python 3", "language": "python", "name": "python3"}
EXECUTION = {"iopub.execute_input": "2026-12-03T19:29:30.601472Z", "iopub.status.busy": "2026-12-03T19:29:30.600868Z",
             "iopub.status.idle": "2026-12-03T19:29:30.615522Z", "shell.execute_reply": "2026-12-03T19:29:30.613488Z"}


def executed_notebook(shift: str = "") -> nbformat.NotebookNode:
    """A notebook as papermill writes it; `shift` moves every clock reading, as a later run would."""
    def moved(record):
        return {k: (v.replace("2026", "2027") if shift and isinstance(v, str) and v.startswith("2026") else v)
                for k, v in record.items()}

    book = nbformat.v4.new_notebook(metadata={"papermill": moved(PAPERMILL), "kernelspec": KERNEL})
    parameters = nbformat.v4.new_code_cell("species = []", id="parameters",
                                           metadata={"tags": ["parameters"], "papermill": moved(CELL_PAPERMILL),
                                                     "execution": moved(EXECUTION)})
    markdown = nbformat.v4.new_markdown_cell("# Title", id="title", metadata={"papermill": moved(CELL_PAPERMILL)})
    book.cells = [markdown, parameters]
    return book


def test_without_timing_drops_the_clock_readings_and_keeps_the_rest():
    book = executed_notebook()
    untimed = without_timing(book)
    kept = {k: v for k, v in PAPERMILL.items() if k not in ("start_time", "end_time", "duration")}
    assert untimed["metadata"] == {"papermill": kept, "kernelspec": KERNEL}
    assert [cell["metadata"] for cell in untimed["cells"]] == [
        {"papermill": {"exception": False, "status": "completed"}},
        {"tags": ["parameters"], "papermill": {"exception": False, "status": "completed"}}]
    assert [cell["source"] for cell in untimed["cells"]] == ["# Title", "species = []"]
    assert book == executed_notebook(), "the notebook handed in was changed"


def test_two_runs_at_different_times_write_the_same_bytes(tmp_path):
    first, later = tmp_path / "first.ipynb", tmp_path / "later.ipynb"
    nbformat.write(executed_notebook(), first)
    nbformat.write(executed_notebook(shift="a year"), later)
    assert first.read_bytes() != later.read_bytes()
    make_reproducible(first)
    make_reproducible(later)
    assert first.read_bytes() == later.read_bytes()
    assert "2026" not in first.read_text()
