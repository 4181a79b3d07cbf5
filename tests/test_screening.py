"""The updated-review flow is computed from the search and screening logs."""
import pandas as pd

from alsreview.living.screening import update_flow


def test_update_flow_counts_follow_the_logs():
    searches = pd.DataFrame({"search_id": ["T01", "T02"], "records": [8, 6]})
    screening = pd.DataFrame({
        "record_id": ["T1", "T2", "T3", "T4", "T5"],
        "decision": ["included", "excluded", "excluded", "duplicate", "included"],
        "reason": [None, "not_als", "protocol_only", None, None],
        "study_id": ["a2020", None, None, None, "b2021"],
    })
    flow = update_flow(searches, screening, previous_studies=16, included_now=18).set_index("box")["n"]
    assert flow["Search results returned"] == 14
    assert flow["Distinct records considered"] == 5
    assert flow["Duplicates removed"] == 1
    assert flow["Records screened"] == 4
    assert flow["Records excluded"] == 2
    assert flow["Excluded: not about ALS"] + flow["Excluded: protocol or registry entry only"] == 2
    assert flow["New studies included"] == 2
    assert flow["Total studies in the review"] == 18


def test_update_flow_says_when_the_arithmetic_does_not_match_the_table():
    screening = pd.DataFrame({"record_id": ["T1"], "decision": ["included"], "reason": [None], "study_id": ["a2020"]})
    flow = update_flow(pd.DataFrame({"records": [1]}), screening, previous_studies=16, included_now=20)
    assert "holds 20" in flow.set_index("box").loc["Total studies in the review", "detail"]


def test_update_flow_boxes_carry_the_flow_counts():
    from alsreview.living.screening import update_flow_boxes
    from alsreview.synthesis.prisma import plot_prisma

    searches = pd.DataFrame({"search_id": ["T01"], "records": [9]})
    screening = pd.DataFrame({"record_id": ["T1", "T2", "T3"], "decision": ["included", "excluded", "duplicate"],
                              "reason": [None, "not_als", None], "study_id": ["a2020", None, None]})
    flow = update_flow(searches, screening, previous_studies=43, included_now=44)
    boxes = update_flow_boxes(flow).set_index("box")
    assert boxes.loc["previous", "n"] == 43 and boxes.loc["new", "n"] == 1 and boxes.loc["total", "n"] == 44
    assert boxes.loc["excluded", "detail"] == "not about ALS (n = 1)"
    assert boxes.loc["screened", "n"] == 2
    fig = plot_prisma(boxes.reset_index())
    texts = " ".join(" ".join(t.get_text() for t in fig.axes[0].texts).split())  # boxes wrap their lines
    assert "Works in this version (n = 44)" in texts


def test_citation_searching_and_reports_not_retrieved_have_their_own_boxes():
    searches = pd.DataFrame({"search_id": ["T01", "C01"], "source": ["stored pages", "citation searching (review lists)"],
                             "records": [8, 3]})
    screening = pd.DataFrame({
        "record_id": ["T1", "T2", "C1", "C2", "C3"], "search_id": ["T01", "T01", "C01", "C01", "C01"],
        "decision": ["included", "duplicate", "excluded", "not_retrieved", "included"],
        "reason": [None, None, "not_als", None, None], "study_id": ["a2020", None, None, None, "b2021"],
    })
    flow = update_flow(searches, screening, previous_studies=1, included_now=3).set_index("box")["n"]
    assert flow["Search results returned"] == 8  # the citation row's count is not a database result
    assert (flow["Records from searches"], flow["Records from citation searching"]) == (2, 3)
    assert flow["Records screened"] == 1 and flow["Citation: records assessed"] == 3
    assert (flow["Citation: Reports not retrieved"], flow["Citation: Records excluded"]) == (1, 1)
    assert flow["New studies included"] == 2 and flow["Total studies in the review"] == 3


def test_each_column_of_the_shipped_flow_adds_up(tables):
    """PRISMA 2020: in the searches column and in the citation column alike, records - duplicates = screened =
    excluded + not retrieved + included; and previous + new = total."""
    flow = update_flow(tables["searches"], tables["screening"], previous_studies=43,
                       included_now=43 + int((tables["screening"]["decision"] == "included").sum()))
    n = flow.set_index("box")["n"]
    from alsreview.living.screening import from_citations
    cited = from_citations(tables["searches"], tables["screening"])
    for prefix, rows, screened in (("", tables["screening"].loc[~cited], "Records screened"),
                                   ("Citation: ", tables["screening"].loc[cited], "Citation: records assessed")):
        duplicates = n["Duplicates removed"] if not prefix else n["Citation: duplicates removed"]
        found = n["Records from searches"] if not prefix else n["Records from citation searching"]
        included = int((rows["decision"] == "included").sum())
        assert found - duplicates == n[screened] == n[f"{prefix}Records excluded"] + n[f"{prefix}Reports not retrieved"] + included
        reasons = flow.loc[flow["box"].str.startswith(f"{prefix}Excluded: "), "n"].sum()
        assert reasons == n[f"{prefix}Records excluded"]
    assert n["Records from citation searching"] > 0
    assert n["Studies included in the previous version"] + n["New studies included"] == n["Total studies in the review"]
