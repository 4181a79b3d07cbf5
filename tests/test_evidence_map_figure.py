"""The evidence map as it prints: text of 7 pt or more at the PDF's text width, nothing clipped by its cell or
the figure, and each cell coloured by the directions its studies show, with how many show each."""
import io
import math

import matplotlib
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.text import Text
from test_analyses import hand_made_tables

from alsreview.data.labels import DIRECTION_COLOURS, DIRECTIONS, direction_words, label
from alsreview.data.paths import DATA_DIR
from alsreview.data.schema import read_datapackage
from alsreview.synthesis.evidence_map import LAYOUT_DECIMALS, PANEL_TITLES, evidence_map, plot_evidence_map
from alsreview.synthesis.figure_style import use_deterministic_style

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

PRINTED_WIDTH_IN = 6.7  # A4 less 2 cm margins each side
MIN_PRINTED_PT = 7


def tables_with_several_directions() -> dict[str, pd.DataFrame]:
    """The hand-made tables plus outcomes that put up to four directions in a cell, harm and mixed among them,
    and a trial outcome in every domain of the data dictionary, so the cells are as narrow as they can get."""
    tables = hand_made_tables()
    rows = [("mouse2003-run", "survival", "harmful"), ("rat2005-run", "cellular_mechanistic", "mixed"),
            ("rat2005-run", "cellular_mechanistic", "no_effect"), ("trial2007-res", "functional_rating", "no_effect"),
            ("trial2007-res", "functional_rating", "harmful"), ("trial2007-res", "functional_rating", "mixed")]
    rows += [("trial2007-res", domain, "no_effect") for domain in read_datapackage(DATA_DIR).enum("outcomes", "domain")]
    extra = pd.DataFrame([dict(outcome_id=f"{arm}-x{k}", study_id=arm.split("-")[0], arm_id=arm, domain=domain,
                               direction=direction) for k, (arm, domain, direction) in enumerate(rows)])
    return {**tables, "outcomes": pd.concat([tables["outcomes"], extra], ignore_index=True)}


@pytest.fixture(params=["hand-made", "several directions", "shipped data"])
def drawn(request):
    """(figure drawn at its saved size, the map table it shows)."""
    tables = {"hand-made": hand_made_tables, "several directions": tables_with_several_directions,
              "shipped data": lambda: request.getfixturevalue("tables")}[request.param]()
    use_deterministic_style()
    table = evidence_map(tables)
    fig = plot_evidence_map(table)
    fig.canvas.draw()
    yield fig, table
    plt.close(fig)


def visible_texts(fig) -> list[Text]:
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def inside(inner, outer, slack: float = 0.5) -> bool:
    return (inner.x0 >= outer.x0 - slack and inner.x1 <= outer.x1 + slack
            and inner.y0 >= outer.y0 - slack and inner.y1 <= outer.y1 + slack)


def panels(fig) -> dict[str, plt.Axes]:
    """Panel title -> its axes (the legend's row has no title)."""
    return {ax.get_title(): ax for ax in fig.axes if ax.get_title() in PANEL_TITLES.values()}


def cell_of(ax, x: float, y: float, domains: list[str]) -> tuple[str, str]:
    """(modality, domain) names of the cell holding data point (x, y): row names from the panel, column names
    from the last panel, the only one that prints them, so every panel must keep its columns."""
    rows = [t.get_text() for t in ax.get_yticklabels()]
    return rows[math.floor(y)], domains[math.floor(x)]


def cell_extent(ax, x: float, y: float):
    """Window extent of the unit cell holding data point (x, y)."""
    corners = ax.transData.transform([(math.floor(x), math.floor(y)), (math.floor(x) + 1, math.floor(y) + 1)])
    return matplotlib.transforms.Bbox.from_extents(*corners.min(axis=0), *corners.max(axis=0))


def test_every_text_prints_at_7_pt_or_more(drawn):
    fig, _ = drawn
    scale = PRINTED_WIDTH_IN / fig.get_size_inches()[0]
    small = {t.get_text(): t.get_fontsize() * scale for t in visible_texts(fig)
             if t.get_fontsize() * scale < MIN_PRINTED_PT}
    assert len(visible_texts(fig)) > 20 and not small, small


def test_no_text_is_clipped_by_its_cell_its_block_or_the_figure(drawn):
    fig, _ = drawn
    renderer = fig.canvas.get_renderer()
    outside = [t.get_text() for t in visible_texts(fig) if not inside(t.get_window_extent(renderer), fig.bbox)]
    assert not outside, outside
    for ax in panels(fig).values():
        blocks = [p.get_window_extent(renderer) for p in ax.patches if p.get_fill()]
        texts = [t for t in ax.texts if t.get_text().strip()]
        assert texts
        extents = [t.get_window_extent(renderer) for t in texts]
        for text, extent in zip(texts, extents):
            assert inside(extent, cell_extent(ax, *text.get_position())), text.get_text()
            anchor = ax.transData.transform(text.get_position())
            for block in (b for b in blocks if b.contains(*anchor)):
                assert inside(extent, block, slack=0), f"{text.get_text()} overflows its block"
        overlaps = [(a, b) for k, a in enumerate(extents) for b in extents[k + 1:] if a.overlaps(b)]
        assert not overlaps


def shown_directions(fig) -> dict[tuple[str, str, str], dict[str, int]]:
    """(panel, modality, domain) -> {block colour: the count written in the block}, read off the figure."""
    renderer = fig.canvas.get_renderer()
    named = panels(fig)
    domains = [t.get_text() for t in list(named.values())[-1].get_xticklabels()]
    shown: dict = {}
    for title, ax in named.items():
        for block in (p for p in ax.patches if p.get_fill()):
            x, y = block.get_x() + block.get_width() / 2, block.get_y() + block.get_height() / 2
            extent = block.get_window_extent(renderer)
            written = [t.get_text() for t in ax.texts if extent.contains(*ax.transData.transform(t.get_position()))]
            assert len(written) == 1, written
            cell = shown.setdefault((title, *cell_of(ax, x, y, domains)), {})
            cell[to_hex(block.get_facecolor())] = int(written[0])
    return shown


def expected_directions(table: pd.DataFrame) -> dict[tuple[str, str, str], dict[str, int]]:
    return {(PANEL_TITLES[row["evidence"]], label(row["modality"]), label(row["domain"])):
            {DIRECTION_COLOURS[d].lower(): int(row[d]) for d in DIRECTIONS if row[d] > 0}
            for _, row in table.iterrows()}


def test_each_cell_shows_the_directions_of_its_studies_in_their_colours(drawn):
    fig, table = drawn
    assert shown_directions(fig) == expected_directions(table)


def test_the_cells_with_several_directions_show_each_one():
    """Guards the comparison above against a fixture where every cell happens to hold one direction."""
    table = evidence_map(tables_with_several_directions()).set_index(["modality", "domain"])
    assert (table.loc[("treadmill_running", "survival"), ["beneficial", "harmful"]] == 1).all()
    assert (table.loc[("treadmill_running", "cellular_mechanistic"), ["beneficial", "no_effect", "mixed"]] == 1).all()
    assert (table.loc[("resistance", "functional_rating"), ["beneficial", "no_effect", "harmful", "mixed"]] == 1).all()
    assert table.reset_index()["domain"].nunique() == len(read_datapackage(DATA_DIR).enum("outcomes", "domain"))


def test_the_key_names_directions_in_the_data_dictionary_words_and_colours(drawn):
    fig, _ = drawn
    legend = [ax.get_legend() for ax in fig.axes if ax.get_legend()]
    assert len(legend) == 1
    key = {t.get_text(): to_hex(h.get_facecolor()) for t, h in zip(legend[0].get_texts(), legend[0].legend_handles)}
    for code in DIRECTIONS:
        assert key[direction_words(code)] == DIRECTION_COLOURS[code].lower()
    assert "no effect" not in " ".join(t.get_text().lower() for t in visible_texts(fig))


def svg_bytes(table: pd.DataFrame) -> bytes:
    use_deterministic_style()
    fig = plot_evidence_map(table)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    return buffer.getvalue()


def test_the_same_map_gives_the_same_svg_bytes():
    table = evidence_map(tables_with_several_directions())
    assert svg_bytes(table) == svg_bytes(table)


def test_the_layout_is_pinned_before_saving(drawn):
    """The constrained-layout solver's last bits vary between runs, and the SVG hashes the axes' positions into
    its clip-path names: saving must not solve the layout again, and the positions it keeps must be rounded."""
    fig, _ = drawn
    assert not isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine)
    for ax in fig.axes:
        extents = [float(v) for v in ax.get_position().extents]
        assert extents == [round(v, LAYOUT_DECIMALS) for v in extents]
