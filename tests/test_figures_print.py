"""Figures are drawn at print size: no wider than the PDF's text width and no text under 7 pt, so the PDF
shows them at their natural size and every label can be read."""
import matplotlib
import pytest
import yaml
from matplotlib.text import Text
from test_pdf import length_in_points

from alsreview.data.paths import PROJ_ROOT
from alsreview.data.labels import study_names
from alsreview.synthesis.bias import plot_summary, plot_traffic_light, summary_table, traffic_light_table
from alsreview.synthesis.evidence_map import evidence_map, plot_evidence_map
from alsreview.synthesis.figure_style import use_deterministic_style
from alsreview.synthesis.forest import plot_reported_forest
from alsreview.synthesis.prisma import flow_boxes, plot_prisma
from alsreview.synthesis.quality import flow_of_records
from alsreview.synthesis.reported import reported_analyses
from alsreview.synthesis.timeline import cumulative_counts, plot_cumulative, plot_timeline, timeline_data

matplotlib.use("Agg")
A4_WIDTH_PT = 595.28


def text_width_inches() -> float:
    margin = yaml.safe_load((PROJ_ROOT / "_quarto.yml").read_text())["format"]["typst"]["margin"]["x"]
    return (A4_WIDTH_PT - 2 * length_in_points(margin)) / 72


FIGURES = {
    "timeline": lambda t: plot_timeline(timeline_data(t["studies"])),
    "cumulative": lambda t: plot_cumulative(cumulative_counts(t["studies"])),
    "evidence map": lambda t: plot_evidence_map(evidence_map(t)),
    "risk of bias": lambda t: plot_traffic_light(traffic_light_table(t["risk_of_bias"], t["rob_domains"], "rob2",
                                                                    study_names(t["studies"])), t["rob_domains"], "rob2", "RoB 2"),
    "risk of bias, animals": lambda t: plot_traffic_light(traffic_light_table(t["risk_of_bias"], t["rob_domains"], "syrcle",
                                                                             study_names(t["studies"])), t["rob_domains"], "syrcle", "SYRCLE"),
    "risk of bias summary": lambda t: plot_summary(summary_table(t["risk_of_bias"], t["rob_domains"]), t["rob_domains"]),
    "reported forest": lambda t: plot_reported_forest(reported_analyses(t["pooled_results"]), "Reported results"),
    "prisma": lambda t: plot_prisma(flow_boxes(flow_of_records(t))),
}


@pytest.mark.parametrize("name", FIGURES)
def test_figure_fits_the_text_width_with_readable_text(name, tables):
    import matplotlib.pyplot as plt

    use_deterministic_style()
    fig = FIGURES[name](tables)
    fig.canvas.draw()
    width = fig.get_size_inches()[0]
    sizes = {t.get_text(): t.get_fontsize() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()}
    plt.close(fig)
    assert width <= text_width_inches(), f"{name} is {width:.2f} in wide"
    small = {text: size for text, size in sizes.items() if size < 7}
    assert sizes and not small, small

