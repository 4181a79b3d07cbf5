"""What a pooled functional result means to a patient: the protocol's smallest important slowing of decline (a
share of the usual rate, as clinicians and patients judged it), turned into points over the follow-up window at the
usual rate of decline. The conversion is our arithmetic and the text says so; it applies only to a mean difference
on the scale the threshold was set for."""
from __future__ import annotations

from ..data import protocol

WEEKS_PER_MONTH = 52 / 12


def clinical_context(domain: str, window: str, effect_measure: str, scale: str) -> str:
    """A sentence for the summary of findings, or '' where the protocol sets no threshold for this outcome."""
    plan = protocol.load()
    rule = next((r for r in plan.clinical_importance if r["domain"] == domain and r["scale"] == scale), None)
    bounds = next((w for w in plan.windows if w.label == window), None)
    if rule is None or bounds is None or effect_measure != "mean difference":
        return ""
    open_ended = bounds.to_weeks == float("inf")
    months = (bounds.from_weeks if open_ended else bounds.to_weeks) / WEEKS_PER_MONTH
    points = rule["smallest_important_slowing"] * rule["decline_per_month"] * months
    return (f"about {points:.1f} points over {'more than ' if open_ended else ''}{months:.0f} months: a "
            f"{rule['smallest_important_slowing']:.0%} slowing of the usual decline of {rule['decline_per_month']:g} "
            "points a month, the smallest change clinicians and patients called important (our arithmetic)")
