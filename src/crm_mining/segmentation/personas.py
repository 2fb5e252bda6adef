"""Persona names and descriptions of the segments, from the figures of int_segments_profiled.

Every name and sentence is built from a segment's means relative to the same means over every
clustered customer; the thresholds are the constants below, documented in docs/segments.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd

#: Columns of int_segments_profiled that name_personas reads: each avg_<x> is the segment's
#: mean and base_avg_<x> the mean over every clustered customer.
PROFILE_FIGURES = (
    "monetary",
    "frequency",
    "recency_days",
    "days_between_orders",
    "share_spend_returned",
    "tenure_days",
)

#: Thresholds of the persona names (segment mean / base mean), documented in docs/segments.md.
HIGH_VALUE_SPEND_RATIO = 2.0
BUDGET_SPEND_RATIO = 0.5
LAPSED_RECENCY_RATIO = 1.5
NEW_TENURE_RATIO = 0.5
REGULAR_FREQUENCY_RATIO = 1.5
OCCASIONAL_FREQUENCY_RATIO = 0.67
ONE_TIMER_MAX_ORDERS = 1.5
DOMINANT_CATEGORY_SHARE = 0.5
FOCUS_CATEGORY_SHARE = 0.3
FOCUS_CATEGORY_LIFT = 2.0
NOTABLE_SHARE_SPEND_RETURNED = 0.03
NOTABLE_SHARE_SPEND_RETURNED_RATIO = 1.5
#: Category values never used in a name or a description (they say nothing about the
#: customers: with no category input every product is 'Uncategorized').
UNNAMED_CATEGORIES = frozenset({"Uncategorized"})
SINGLE_SEGMENT_NAME = "All customers"
#: What tells apart two segments of the same name: the figure whose two means differ most
#: relative to its mean over all customers (ties: the first), and the labels of the segment
#: with the higher and the lower mean.
PAIR_FIGURES = (
    ("monetary", "higher spend", "lower spend"),
    ("frequency", "more orders", "fewer orders"),
    ("recency_days", "less recent", "more recent"),
)
#: The multiplication sign of "4.2\u00d7 the average".
TIMES = "\u00d7"


def _ratio(value: float, base: float) -> float:
    """value / base, or 1 when the base is not positive or either side is missing."""
    if value is None or base is None or pd.isna(value) or pd.isna(base) or base <= 0:
        return 1.0
    return float(value) / float(base)


def _number(value: float, decimals: int = 0) -> str:
    """A figure with thousands separators (e.g. 9,412 or 1.4)."""
    return f"{value:,.{decimals}f}"


def _percent(share: float) -> str:
    """A share as a whole percentage, halves rounded up (0.625 -> "63%") as SQL's round() and
    crm_percent_text do: Python's format rounds them to even ("62%"), and the same share read
    differently in a persona's description and in its top_categories column."""
    rounded = Decimal(100 * float(share)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return f"{rounded}%"


def _days(value: float) -> str:
    """A number of days as text: "1 day", "18 days"."""
    text = _number(value)
    return f"{text} day" if text == "1" else f"{text} days"


def _is_new(segment: Mapping[str, Any]) -> bool:
    """Whether the segment's customers came recently: mean tenure <= NEW_TENURE_RATIO x base."""
    ratio = _ratio(segment.get("avg_tenure_days"), segment.get("base_avg_tenure_days"))
    return ratio <= NEW_TENURE_RATIO


def persona_base_name(segment: Mapping[str, Any]) -> str:
    """The name of one segment before names are made distinct: [adjective] [category] noun.

    noun: "one-timers" when the segment's mean orders per customer is below
    ONE_TIMER_MAX_ORDERS, "regulars" when it is at least REGULAR_FREQUENCY_RATIO times the
    base mean, else "shoppers". adjective (the first that applies): "Lapsed" (mean recency
    >= LAPSED_RECENCY_RATIO x base), "New" (mean tenure, days since the first order, <=
    NEW_TENURE_RATIO x base; new one-timers are "New customers": they have not had the time
    to come back), "High-value" (mean spend >= HIGH_VALUE_SPEND_RATIO x
    base), "Occasional" (not one-timers, mean orders <= OCCASIONAL_FREQUENCY_RATIO x base),
    "Budget" (mean spend <= BUDGET_SPEND_RATIO x base). category: the segment's top category
    when it takes at least DOMINANT_CATEGORY_SHARE of the segment's spend, or at least
    FOCUS_CATEGORY_SHARE and FOCUS_CATEGORY_LIFT times its share over all customers.
    """
    frequency = float(segment["avg_frequency"])
    frequency_ratio = _ratio(frequency, segment["base_avg_frequency"])
    spend_ratio = _ratio(segment["avg_monetary"], segment["base_avg_monetary"])
    recency_ratio = _ratio(segment["avg_recency_days"], segment["base_avg_recency_days"])
    if frequency < ONE_TIMER_MAX_ORDERS:
        noun = "one-timers"
    elif frequency_ratio >= REGULAR_FREQUENCY_RATIO:
        noun = "regulars"
    else:
        noun = "shoppers"
    if recency_ratio >= LAPSED_RECENCY_RATIO:
        adjective = "Lapsed"
    elif _is_new(segment):
        adjective = "New"
        noun = "customers" if noun == "one-timers" else noun
    elif spend_ratio >= HIGH_VALUE_SPEND_RATIO:
        adjective = "High-value"
    elif noun != "one-timers" and frequency_ratio <= OCCASIONAL_FREQUENCY_RATIO:
        adjective = "Occasional"
    elif spend_ratio <= BUDGET_SPEND_RATIO:
        adjective = "Budget"
    else:
        adjective = ""
    category = segment.get("top_category")
    share = segment.get("top_category_spend_share")
    base_share = segment.get("top_category_base_spend_share")
    show_category = (
        isinstance(category, str)
        and category not in UNNAMED_CATEGORIES
        and share is not None
        and not pd.isna(share)
        and (
            share >= DOMINANT_CATEGORY_SHARE
            or (share >= FOCUS_CATEGORY_SHARE and _ratio(share, base_share) >= FOCUS_CATEGORY_LIFT)
        )
    )
    words = [adjective, category if show_category else "", noun]
    name = " ".join(word for word in words if word)
    return name[0].upper() + name[1:]


def _pair_labels(first: Mapping[str, Any], second: Mapping[str, Any]) -> tuple[str, str]:
    """Labels of two segments of the same name, from the PAIR_FIGURES figure that sets them
    furthest apart (its two means' difference over the base mean); spend when none does."""
    best = (-1.0, True, PAIR_FIGURES[0][1], PAIR_FIGURES[0][2])
    for figure, higher, lower in PAIR_FIGURES:
        one, other = first[f"avg_{figure}"], second[f"avg_{figure}"]
        base = first[f"base_avg_{figure}"]
        if any(v is None or pd.isna(v) for v in (one, other, base)) or base <= 0:
            continue
        spread = abs(float(one) - float(other)) / float(base)
        if spread > best[0]:
            best = (spread, one >= other, higher, lower)
    _, first_is_higher, higher, lower = best
    return (higher, lower) if first_is_higher else (lower, higher)


def _distinct_names(base_names: Sequence[str], segments: Sequence[Mapping[str, Any]]) -> list[str]:
    """Make equal names distinct. Two segments sharing a name get the labels of the figure
    that sets them furthest apart (PAIR_FIGURES: "(more orders)" / "(fewer orders)", ...).
    Segments are numbered by mean spend (descending), so among three the first is the
    "higher spend" one, then "(middle spend)", "(lower spend)"; more get "(spend rank i of
    n)"."""
    names = list(base_names)
    positions: dict[str, list[int]] = {}
    for position, name in enumerate(base_names):
        positions.setdefault(name, []).append(position)
    for name, where in positions.items():
        if len(where) == 1:
            continue
        if len(where) == 2:
            labels = list(_pair_labels(segments[where[0]], segments[where[1]]))
        elif len(where) == 3:
            labels = ["higher spend", "middle spend", "lower spend"]
        else:
            labels = [f"spend rank {i} of {len(where)}" for i in range(1, len(where) + 1)]
        for position, label in zip(where, labels, strict=True):
            names[position] = f"{name} ({label})"
    return names


def persona_description(segment: Mapping[str, Any], single_segment: bool = False) -> str:
    """One or two sentences on what sets the segment apart, each figure beside the same
    figure over all customers (see docs/segments.md for the exact template)."""
    count = int(segment["customer_count"])
    share = float(segment["customer_share"])
    parts: list[str] = []
    spend, base_spend = segment["avg_monetary"], segment["base_avg_monetary"]
    if single_segment:
        head = (
            f"Every customer ({_number(count)}): too few distinct customers to compare "
            "segmentations, so one segment"
        )
        parts.append(f"average spend {_number(spend)}")
    else:
        head = f"{_percent(share)} of customers ({_number(count)})"
        parts.append(
            f"spend {_ratio(spend, base_spend):.1f}{TIMES} the average customer "
            f"({_number(spend)} vs {_number(base_spend)})"
        )
    frequency, base_frequency = segment["avg_frequency"], segment["base_avg_frequency"]
    gap, base_gap = segment["avg_days_between_orders"], segment["base_avg_days_between_orders"]
    if frequency < 2 or gap is None or pd.isna(gap):
        parts.append(
            f"{_number(frequency, 1)} orders each on average"
            + ("" if single_segment else f" (all customers: {_number(base_frequency, 1)})")
        )
    else:
        parts.append(
            f"order every {_days(gap)}"
            + (
                ""
                if single_segment or base_gap is None or pd.isna(base_gap)
                else f" (all customers: {_number(base_gap)})"
            )
        )
    category = segment.get("top_category")
    category_share = segment.get("top_category_spend_share")
    if (
        isinstance(category, str)
        and category not in UNNAMED_CATEGORIES
        and category_share is not None
        and not pd.isna(category_share)
    ):
        base_share = segment.get("top_category_base_spend_share")
        parts.append(
            f"{_percent(category_share)} of spend in {category}"
            + (
                ""
                if single_segment or base_share is None or pd.isna(base_share)
                else f" (all customers: {_percent(base_share)})"
            )
        )
    returns = segment["avg_share_spend_returned"]
    base_returns = segment["base_avg_share_spend_returned"]
    if returns >= NOTABLE_SHARE_SPEND_RETURNED and (
        single_segment or _ratio(returns, base_returns) >= NOTABLE_SHARE_SPEND_RETURNED_RATIO
    ):
        parts.append(
            f"return {_percent(returns)} of their spend on average"
            + ("" if single_segment else f" (all customers: {_percent(base_returns)})")
        )
    if not single_segment and _is_new(segment):
        parts.append(
            f"first order {_days(segment['avg_tenure_days'])} ago on average "
            f"(all customers: {_number(segment['base_avg_tenure_days'])})"
        )
    recency, base_recency = segment["avg_recency_days"], segment["base_avg_recency_days"]
    parts.append(
        f"last order {_days(recency)} ago on average"
        + ("" if single_segment else f" (all customers: {_number(base_recency)})")
    )
    body = "; ".join(parts)
    return f"{head}. {body[0].upper()}{body[1:]}."


def name_personas(profiles: pd.DataFrame) -> pd.DataFrame:
    """Persona name and description of every segment of int_segments_profiled.

    In: one row per segment with segment_id, customer_count, customer_share, avg_<figure> and
    base_avg_<figure> for PROFILE_FIGURES, top_category, top_category_spend_share and
    top_category_base_spend_share. Out: segment_id, persona_name (distinct), and
    persona_description, by segment_id. One segment: "All customers".
    """
    profiles = profiles.sort_values("segment_id").reset_index(drop=True)
    figures = [c for c in profiles.columns if c.startswith(("avg_", "base_avg_", "top_category_"))]
    profiles[figures] = profiles[figures].astype("float64")
    records = profiles.to_dict("records")
    single = len(records) == 1
    if single:
        names = [SINGLE_SEGMENT_NAME]
    else:
        names = _distinct_names([persona_base_name(record) for record in records], records)
    return pd.DataFrame(
        {
            "segment_id": profiles["segment_id"].astype("int64").to_numpy(),
            "persona_name": pd.Series(names, dtype="string"),
            "persona_description": pd.Series(
                [persona_description(record, single) for record in records], dtype="string"
            ),
        }
    )
