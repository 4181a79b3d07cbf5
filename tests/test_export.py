"""Outputs are safe (escaped Markdown, formula-neutralised CSV) and deterministic (same bytes twice)."""
import matplotlib.pyplot as plt
import pandas as pd

from alsreview.document.export import neutralise_formula, to_markdown, write_figure, write_table
from alsreview.synthesis.figure_style import use_deterministic_style


def test_markdown_escapes_markup():
    md = to_markdown(pd.DataFrame({"title": ["<script>alert(1)</script>"], "x": ["a|b"]}))
    assert "<script>" not in md
    assert "\\<script\\>alert\\(1\\)\\<\\/script\\>" in md
    assert "a\\|b" in md


def test_csv_neutralises_formulas_but_keeps_numbers(tmp_path):
    frame = pd.DataFrame({"text": ["=HYPERLINK(\"x\")", "+1+1", "-2+3", "@SUM(A1)", "plain", "-6.25"], "num": [1.5, -2, 3, 4, 5, -6.25]})
    csv_path, _ = write_table(frame, tmp_path, "t")
    out = pd.read_csv(csv_path, dtype=str)
    assert list(out["text"]) == ["'=HYPERLINK(\"x\")", "'+1+1", "'-2+3", "'@SUM(A1)", "plain", "-6.25"]
    assert list(out["num"]) == ["1.5", "-2", "3", "4", "5", "-6.25"]
    assert neutralise_formula(-3) == -3


def test_figures_are_byte_identical(tmp_path):
    use_deterministic_style()

    def draw(folder):
        fig, ax = plt.subplots()
        ax.plot([1, 2, 3], [3, 1, 2], label="x")
        ax.set_title("determinism")
        ax.legend()
        return write_figure(fig, folder, "f")

    first, second = draw(tmp_path / "a"), draw(tmp_path / "b")
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes()
    assert b"Date" not in first[0].read_bytes()
