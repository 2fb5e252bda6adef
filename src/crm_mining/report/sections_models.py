"""Report sections on the predictive models: churn and lifetime value."""

from __future__ import annotations

import pandas as pd

from crm_mining.report import charts, queries
from crm_mining.report.model import Figure, Section, Table, count, money, number, share, text
from crm_mining.report.source import MartSource, absent, as_floats

#: ROC AUC columns of fct_churn_model_metrics besides the chosen model's, with their label.
#: Any other `*_roc_auc` column (a baseline added later) is shown under its own name.
AUC_LABELS = {
    "logistic_regression_roc_auc": ("logistic regression", "candidate"),
    "hist_gradient_boosting_roc_auc": ("gradient boosting", "candidate"),
    "recency_baseline_roc_auc": ("days since last purchase alone", "baseline"),
}


def _auc_frame(metrics: pd.Series) -> pd.DataFrame:
    """Model vs candidates and baselines: one row per ROC AUC present in the metrics."""
    rows = []
    if pd.notna(metrics.get("roc_auc")):
        rows.append(
            (f"{metrics['model_name']} (calibrated, chosen)", metrics["roc_auc"], "chosen model")
        )
    for column in metrics.index:
        if column == "roc_auc" or not column.endswith("_roc_auc") or pd.isna(metrics[column]):
            continue
        label, kind = AUC_LABELS.get(
            column, (column.removesuffix("_roc_auc").replace("_", " "), "baseline")
        )
        rows.append((label, metrics[column], kind))
    frame = pd.DataFrame(rows, columns=["model", "roc_auc", "kind"])
    frame["roc_auc"] = frame["roc_auc"].astype("float64")
    return frame


def churn_section(source: MartSource) -> Section:
    """Risk bands, calibration by decile, model vs baselines, top drivers."""
    section = Section(
        "churn",
        "Churn risk",
        "Each customer's probability of making no purchase in the next horizon; the model is "
        "worth using where it beats 'days since last purchase' and its deciles sit on the "
        "diagonal.",
    )
    if not source.has(queries.CHURN_SCORES) or not source.has(queries.CHURN_METRICS):
        section.empty = absent(queries.CHURN_SCORES)
        return section
    metrics_frame = source.frame(queries.sql("churn_metrics"))
    bands = source.frame(queries.sql("risk_bands"))
    if metrics_frame.empty or bands.empty:
        section.empty = "No customer was scored (no customer has a purchase order)."
        return section
    metrics = metrics_frame.iloc[0]
    section.facts += [
        ("customers scored", count(bands["customer_count"].sum())),
        ("horizon", f"{count(metrics['churn_horizon_days'])} days"),
        ("model", text(metrics["model_name"])),
        ("ROC AUC", number(metrics["roc_auc"], 3)),
        ("base rate", share(metrics["base_rate"])),
    ]
    if pd.notna(metrics.get("fallback_reason")):
        section.notes.append(f"No model could be trained: {metrics['fallback_reason']}")
    section.add(
        Table(
            "churn-bands",
            ["risk band", "customers", "mean probability"],
            [
                [r.churn_risk_band, count(r.customer_count), share(r.avg_churn_probability)]
                for r in bands.itertuples()
            ],
        )
    )
    histogram = source.frame(queries.sql("churn_probability_bins"))
    section.add(
        Figure(
            "churn-bands",
            "Customers by churn probability and risk band",
            charts.histogram(
                as_floats(histogram, "bin_start", "bin_end"),
                value_title="churn probability",
                value_format="%",
                domain=[0, 1],
                band="churn_risk_band",
            ),
        )
    )
    if source.has(queries.CHURN_CALIBRATION):
        deciles = source.frame(queries.sql("calibration"))
        if len(deciles):
            deciles = as_floats(deciles, "predicted_churn_rate", "observed_churn_rate")
            section.add(
                Figure(
                    "churn-calibration",
                    "Calibration: predicted vs observed churn by decile",
                    charts.calibration(deciles),
                    caption=f"Validation customers ({count(deciles['customer_count'].sum())}),"
                    " ten deciles of predicted probability; largest gap "
                    f"{share(metrics['max_decile_calibration_gap'])}.",
                )
            )
    elif pd.notna(metrics.get("max_decile_calibration_gap")):
        section.notes.append(
            "Calibration: the largest gap between predicted and observed churn over the ten "
            f"deciles of the validation split is {share(metrics['max_decile_calibration_gap'])}."
        )
    aucs = _auc_frame(metrics)
    if len(aucs):
        section.add(
            Figure(
                "churn-auc",
                "Model vs baselines (validation ROC AUC; 0.5 = chance)",
                charts.auc_bars(aucs),
            )
        )
    if source.has(queries.CHURN_IMPORTANCE):
        importance = source.frame(queries.sql("feature_importance"))
        if len(importance):
            section.add(
                Figure(
                    "churn-drivers",
                    "Top drivers: what the model looks at",
                    charts.importance(as_floats(importance, "importance", "importance_std")),
                )
            )
        drivers = source.frame(queries.sql("high_risk_drivers"))
        if len(drivers):
            section.add(
                Table(
                    "churn-main-drivers",
                    ["main driver of a high-risk score", "customers"],
                    [[r.driver, count(r.customer_count)] for r in drivers.itertuples()],
                )
            )
    return section


def clv_section(source: MartSource) -> Section | None:
    """Predicted lifetime value, when the CLV marts exist (None otherwise: no section)."""
    if not source.has(queries.CLV) and not source.has(queries.CLV_METRICS):
        return None
    section = Section(
        "clv",
        "Lifetime value",
        "What each customer is expected to spend over the CLV horizon: the few customers on "
        "the right of the distribution carry most of the future value.",
    )
    columns = source.columns(queries.CLV)
    if not source.has(queries.CLV) or source.row_count(queries.CLV) == 0:
        section.empty = "The lifetime value mart has no row (no customer has a purchase order)."
    elif "predicted_clv" in columns and not source.scalar(
        f"select count(predicted_clv) from {queries.CLV}"
    ):
        section.empty = _clv_not_fitted(source)
    else:
        summary = source.frame(queries.clv_summary(columns)).iloc[0]
        section.facts.append(("customers valued", count(summary["customer_count"])))
        labels = {
            "total_predicted_clv": ("predicted CLV, total", money),
            "avg_predicted_clv": ("predicted CLV, mean", money),
            "total_expected_purchases": ("expected purchases", count),
            "avg_p_alive": ("mean P(alive)", share),
        }
        for column, (label, shown) in labels.items():
            if column in summary.index:
                section.facts.append((label, shown(summary[column])))
        _clv_figures(source, section, columns)
        missing = [
            c
            for c in ("p_alive", "expected_purchases", "predicted_clv", "clv_tier")
            if c not in columns
        ]
        if missing:
            section.notes.append(f"Not in {queries.CLV}: {', '.join(missing)}.")
    if source.has(queries.CLV_METRICS):
        metrics = source.frame(queries.sql("clv_metrics"))
        if len(metrics):
            row = metrics.iloc[0]
            section.add(
                Table(
                    "clv-metrics",
                    ["model metric", "value"],
                    [[str(name), text(row[name])] for name in metrics.columns],
                )
            )
    return section


def _clv_not_fitted(source: MartSource) -> str:
    """Why no customer has a predicted CLV: the model's own fallback reason when it gives one."""
    reason = None
    if source.has_columns(queries.CLV_METRICS, "bgnbd_fallback_reason"):
        reason = source.scalar(f"select bgnbd_fallback_reason from {queries.CLV_METRICS}")
    return "No customer has a predicted CLV: the purchase model could not be fitted" + (
        f" ({reason})." if reason else "."
    )


def _clv_figures(source: MartSource, section: Section, columns: list[str]) -> None:
    if "predicted_clv" in columns:
        bins = as_floats(
            source.frame(queries.histogram(queries.CLV, "predicted_clv")), "bin_start", "bin_end"
        )
        section.add(
            Figure(
                "clv-distribution",
                "Predicted CLV per customer",
                charts.histogram(bins, value_title="predicted CLV"),
                caption="The last bar also holds the 1 % most valuable customers.",
            )
        )
    if "p_alive" in columns:
        bins = as_floats(
            source.frame(queries.histogram(queries.CLV, "p_alive", upper=1.0)),
            "bin_start",
            "bin_end",
        )
        section.add(
            Figure(
                "clv-p-alive",
                "P(alive): probability that the customer is still active",
                charts.histogram(bins, value_title="P(alive)", value_format="%"),
            )
        )
    if {"clv_tier", "predicted_clv"} <= set(columns):
        tiers = as_floats(source.frame(queries.sql("clv_by_tier")), "total_predicted_clv")
        section.add(
            Figure(
                "clv-tiers",
                "Predicted CLV per CLV tier",
                charts.hbar(
                    tiers.fillna({"clv_tier": "(none)"}),
                    "clv_tier",
                    "total_predicted_clv",
                    value_title="predicted CLV, total",
                    value_format=".3~s",
                ),
                caption=", ".join(
                    f"{r.clv_tier}: {count(r.customer_count)} customers" for r in tiers.itertuples()
                ),
            )
        )
    if {"customer_id", "predicted_clv"} <= set(columns) and source.has_columns(
        queries.CUSTOMER_SEGMENTS, "customer_id", "segment_id", "persona_name"
    ):
        by_segment = as_floats(source.frame(queries.sql("clv_by_segment")), "avg_predicted_clv")
        section.add(
            Figure(
                "clv-segments",
                "Mean predicted CLV per behavioural segment",
                charts.hbar(
                    by_segment,
                    "persona_name",
                    "avg_predicted_clv",
                    value_title="predicted CLV, mean per customer",
                    value_format=",.0f",
                ),
            )
        )
