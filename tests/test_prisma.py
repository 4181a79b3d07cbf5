"""The PRISMA flow diagram: boxes and counts come from the flow of records, and the drawing takes any tidy
boxes table (so an update flow with a column of previous studies draws with the same function)."""
import matplotlib
import pandas as pd
from matplotlib.patches import FancyBboxPatch
from matplotlib.text import Text

from alsreview.synthesis.prisma import BOX_COLUMNS, flow_boxes, plot_prisma
from alsreview.synthesis.quality import flow_of_records

matplotlib.use("Agg")


def drawn_text(fig) -> str:
    fig.canvas.draw()
    return "\n".join(t.get_text() for t in fig.findobj(Text))


def test_box_counts_are_sums_of_the_flow_rows(tables):
    flow = flow_of_records(tables)
    boxes = flow_boxes(flow).set_index("box")
    by_stage = flow.groupby("data")["n"].sum()
    assert boxes.at["identified", "n"] == by_stage["identification"] == len(tables["studies"])
    assert boxes.at["classified", "n"] == by_stage["screening"]
    included = flow[flow["data"] == "included"].set_index("box")["n"]
    assert boxes.at["included", "n"] == included["box5"]
    assert boxes.at["aside", "n"] == included["box8"] + included["box9"]
    assert boxes.at["included", "n"] + boxes.at["aside", "n"] == boxes.at["classified", "n"]


def test_diagram_shows_every_box_and_count(tables):
    import matplotlib.pyplot as plt

    boxes = flow_boxes(flow_of_records(tables))
    fig = plot_prisma(boxes)
    text = " ".join(drawn_text(fig).split())
    plt.close(fig)
    for box in boxes.itertuples():
        assert box.title in text
        if pd.notna(box.n):
            assert f"(n = {int(box.n)})" in text


def test_any_tidy_boxes_table_draws_including_an_update_layout():
    import matplotlib.pyplot as plt

    update = pd.DataFrame([
        ("previous", "Previous review", 0, "Studies in the previous version", 16, "", "total"),
        ("records", "Identification", 1, "Records from new searches", 120, "Databases (n = 100)\nRegisters (n = 20)", "screened"),
        ("screened", "Screening", 1, "Records screened", 120, "", "excluded new"),
        ("excluded", "Screening", 2, "Records excluded", 110, "", ""),
        ("new", "Included", 1, "New studies included", 10, "", "total"),
        ("total", "Included", 0, "Total studies in the review", 26, "", ""),
    ], columns=BOX_COLUMNS)
    fig = plot_prisma(update)
    text = " ".join(drawn_text(fig).split())
    boxes_drawn = [p for p in fig.axes[0].patches if isinstance(p, FancyBboxPatch)]
    arrows = [a for a in fig.axes[0].texts if getattr(a, "arrow_patch", None) is not None]
    plt.close(fig)
    assert "Records excluded (n = 110)" in text and "Total studies in the review (n = 26)" in text
    assert len(boxes_drawn) == len(update) + update["stage"].nunique()  # the boxes and one band per stage
    assert len(arrows) == sum(len(t.split()) for t in update["to"])
