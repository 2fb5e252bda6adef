"""Report sections on products: associations and recommendations, review sentiment."""

from __future__ import annotations

import pandas as pd

from crm_mining.report import charts, queries
from crm_mining.report.model import Figure, Section, Table, count, number, share
from crm_mining.report.source import MartSource, absent, as_floats


def _pair_rows(pairs: pd.DataFrame) -> list[list[str]]:
    return [
        [
            f"{r.antecedent_product_name} → {r.consequent_product_name}",
            count(r.pair_order_count),
            share(r.support, 2),
            share(r.confidence),
            number(r.lift, 1),
        ]
        for r in pairs.itertuples()
    ]


PAIR_COLUMNS = ["rule (bought → also bought)", "orders with both", "support", "confidence", "lift"]


def associations_section(source: MartSource) -> Section:
    """Top rules by lift and by support, a matrix of the strongest pairs, recommendations
    evaluated against most popular."""
    section = Section(
        "associations",
        "Products bought together",
        "Lift = how many times more often two products share a basket than by chance; "
        "support = the share of purchase orders that hold both.",
    )
    if not source.has(queries.ITEM_RULES):
        section.empty = absent(queries.ITEM_RULES)
        return section
    totals = source.frame(queries.sql("rule_counts")).iloc[0]
    if int(totals["rule_count"]) == 0:
        # the evaluation does not need rules: popularity and buy again work without pairs
        no_rule = (
            "No product pair passes the association thresholds (see "
            "docs/associations.md): there is no rule to show."
        )
        _add_evaluation(section, source)
        if section.items:
            section.notes.append(no_rule)
        else:
            section.empty = no_rule
        return section
    section.facts += [
        ("rules kept", count(totals["rule_count"])),
        ("product pairs", count(totals["pair_count"])),
        ("products in a rule", count(totals["product_count"])),
    ]
    by_lift = as_floats(source.frame(queries.top_pairs("lift")), "lift", "support", "confidence")
    by_lift["rule"] = (
        by_lift["antecedent_product_name"] + " → " + by_lift["consequent_product_name"]
    )
    section.add(
        Figure(
            "associations-lift",
            "Strongest pairs by lift",
            charts.hbar(by_lift, "rule", "lift", value_title="lift", value_format=",.1f"),
        )
    )
    section.add(
        Table(
            "associations-lift",
            PAIR_COLUMNS,
            _pair_rows(by_lift),
            "Top pairs by lift, each as its rule of higher confidence.",
        )
    )
    by_support = source.frame(queries.top_pairs("support"))
    section.add(
        Table(
            "associations-support",
            PAIR_COLUMNS,
            _pair_rows(by_support),
            "Most frequent pairs (support).",
        )
    )
    matrix = as_floats(source.frame(queries.pair_matrix()), "lift", "support", "confidence")
    if len(matrix):
        section.add(
            Figure(
                "associations-matrix",
                "Matrix of the strongest pairs (lift)",
                charts.pair_matrix(matrix),
                caption="Products of the 30 pairs of highest lift; an empty cell is a pair "
                "below the thresholds.",
            )
        )
    _add_evaluation(section, source)
    return section


def _add_evaluation(section: Section, source: MartSource) -> None:
    """The offline evaluation of the recommendation methods: a chart and a table."""
    if not source.has(queries.RECOMMENDATION_EVALUATION):
        return
    evaluation = source.frame(queries.sql("recommendation_evaluation"))
    if len(evaluation):
        top_n = int(evaluation["top_n"].iloc[0])
        targets = {"new_products": "new products", "repeat_purchases": "repeat purchases"}
        bars = pd.DataFrame(
            {
                "target": evaluation["recommendation_target"]
                .map(targets)
                .fillna(evaluation["recommendation_target"]),
                "method": evaluation["method"],
                "value": evaluation["hit_rate"].astype("float64"),
                "chosen": evaluation["is_chosen"].map({True: "chosen", False: "other"}),
            }
        )
        section.add(
            Figure(
                "associations-evaluation",
                f"Hit rate@{top_n} of each recommendation method",
                charts.method_bars(bars),
                caption="Each evaluated customer's last order is hidden; a hit is a "
                "product of it among the method's recommendations. The chosen method "
                "(highlighted) is the one the recommendations use.",
            )
        )
        section.add(
            Table(
                "associations-evaluation",
                [
                    "target",
                    "method",
                    "customers evaluated",
                    f"hit rate@{top_n}",
                    f"recall@{top_n}",
                ],
                [
                    [
                        r.recommendation_target,
                        r.method + (" (chosen)" if r.is_chosen else ""),
                        count(r.evaluated_customer_count),
                        share(r.hit_rate),
                        share(r.recall),
                    ]
                    for r in evaluation.itertuples()
                ],
            )
        )


def sentiment_section(source: MartSource) -> Section:
    """Share of positive / neutral / negative reviews over time; products whose stars and
    texts disagree."""
    section = Section(
        "sentiment",
        "Review sentiment",
        "Green is the share of reviews whose text reads positive (VADER); a product whose "
        "stars are high but whose texts are negative (or the reverse) deserves a look.",
    )
    if not source.has(queries.REVIEWS):
        section.empty = absent(queries.REVIEWS)
        return section
    labels = source.frame(queries.sql("sentiment_labels"))
    if labels.empty:
        section.empty = "There is no review (no reviews file, or no usable row in it)."
        return section
    total = int(labels["review_count"].sum())
    section.facts.append(("reviews", count(total)))
    for row in labels.itertuples():
        section.facts.append(
            (
                row.sentiment_label.replace("_", " "),
                f"{count(row.review_count)} ({share(row.review_count / total)})",
            )
        )
    months = source.frame(queries.sql("sentiment_by_month"))
    if len(months):
        months["month"] = pd.to_datetime(months["month"])
        order = {label: i for i, label in enumerate(queries.SENTIMENT_LABELS)}
        months["label_order"] = months["sentiment_label"].map(order)
        section.add(
            Figure(
                "sentiment-months",
                "Share of positive, neutral and negative reviews per month",
                charts.sentiment_over_time(months),
            )
        )
    else:
        section.notes.append("No review has both a date and a text: no monthly view.")
    if not source.has(queries.PRODUCT_SENTIMENT):
        return section
    with_names = source.has_columns(queries.PRODUCTS, "product_id", "product_name")
    products = source.frame(queries.stars_vs_text(with_names))
    if len(products):
        products = as_floats(products, "avg_rating", "avg_compound", "share_rating_disagreement")
        section.add(
            Figure(
                "sentiment-stars-text",
                "Stars vs text, per product",
                charts.stars_vs_text(products),
                caption="The most reviewed products with stars and text; red points are "
                "products whose texts often contradict their stars.",
            )
        )
    disagreeing = source.frame(queries.disagreeing_products(with_names))
    if len(disagreeing):
        section.add(
            Table(
                "sentiment-disagreement",
                [
                    "product",
                    "reviews",
                    "stars and text disagree",
                    "average stars",
                    "average text sentiment",
                ],
                [
                    [
                        r.product_name,
                        count(r.review_count),
                        f"{count(r.rating_disagreement_count)} of {count(r.compared_review_count)}",
                        number(r.avg_rating, 1),
                        number(r.avg_compound, 2),
                    ]
                    for r in disagreeing.itertuples()
                ],
                "Products where stars and text disagree most often (4-5 stars with a "
                "negative text, or 1-2 stars with a positive one).",
            )
        )
    else:
        section.notes.append("No product has a review whose stars and text disagree.")
    return section
