"""RFM (issue 3): fct_customer_rfm equals an independent pandas implementation of its
definitions for every customer, on generated data and on the real Online Retail sample, and
the feature macro gives the same as of any earlier cutoff date."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pandas as pd
from conftest import DbtRun, run_dbt
from oracles import rfm as rfm_oracle
from oracles.rfm import ALL_COLUMNS, assert_same_rfm, kept_lines

RFM = ["--select", "+fct_customer_rfm"]
RFM_MODELS = ["int_customers_rfm_aggregated", "int_customers_rfm_scored", "fct_customer_rfm"]
# ---------------------------------------------------------------- oracle self-checks


def test_oracle_scores_follow_the_documented_formula() -> None:
    """The oracle on the dbt unit test's tie example (N = 6: score = min(5, rank))."""
    recency = pd.Series([10, 10, 3, 3, 3, 50])
    assert rfm_oracle.quantile_scores(recency, 5, False).tolist() == [2, 2, 4, 4, 4, 1]
    frequency = pd.Series([1, 1, 1, 2, 2, 7])
    assert rfm_oracle.quantile_scores(frequency, 5).tolist() == [1, 1, 1, 4, 4, 5]
    assert rfm_oracle.quantile_scores(pd.Series([4.0] * 3), 5).tolist() == [1, 1, 1]
    assert rfm_oracle.quantile_scores(pd.Series([9]), 5).tolist() == [1]
    assert rfm_oracle.score_on_5(pd.Series(range(1, 10)), 9).tolist() == [1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert rfm_oracle.score_on_5(pd.Series([1, 2, 3]), 3).tolist() == [1, 3, 5]


# ---------------------------------------------------------------- generated data


def test_generated_rfm_equals_oracle_on_kept_lines(generated_build: DbtRun) -> None:
    """Every customer and column of the mart, recomputed in pandas from the kept lines."""
    lines, as_of_date = kept_lines(generated_build)
    expected = rfm_oracle.customer_rfm(lines, as_of_date, bins=5)
    mart = generated_build.df("fct_customer_rfm")
    assert len(mart) > 1000
    assert (mart["as_of_date"].dt.date == as_of_date).all()
    assert_same_rfm(mart, expected, ALL_COLUMNS)
    # the data exercise the edge cases: one-order customers, returns, several segments
    assert (mart["frequency"] == 1).any() and (mart["frequency"] > 1).any()
    assert mart["rfm_segment"].nunique() >= 8
    assert set(mart["value_tier"]) == {"high", "medium", "low"}


def test_generated_rfm_equals_oracle_from_raw_files(
    generated_build: DbtRun, generated_data: Path
) -> None:
    """End to end: the raw, messy generated files cleaned by the documented rules in pandas."""
    lines, as_of_date = rfm_oracle.normalized_kept_lines(generated_data)
    assert generated_build.scalar("select as_of_date from int_as_of_date_resolved") == as_of_date
    assert generated_build.scalar("select count(*) from int_order_lines_cleaned") == len(lines)
    expected = rfm_oracle.customer_rfm(lines, as_of_date, bins=5)
    assert_same_rfm(generated_build.df("fct_customer_rfm"), expected, ALL_COLUMNS)


def test_generated_rfm_with_three_bins(
    generated_build: DbtRun, generated_data: Path, tmp_path: Path
) -> None:
    """rfm_bins = 3: scores 1..3, segments and tiers read them rescaled to 1, 3, 5."""
    shutil.copy(generated_build.db_path, tmp_path / "crm.duckdb")  # rebuild the scores only
    run = run_dbt(
        ["run", "--select", "int_customers_rfm_scored", "fct_customer_rfm"],
        tmp_path,
        {"data_dir": str(generated_data), "rfm_bins": 3},
    ).check()
    lines, as_of_date = kept_lines(generated_build)
    expected = rfm_oracle.customer_rfm(lines, as_of_date, bins=3)
    mart = run.df("fct_customer_rfm")
    assert set(mart["r_score"]) == {1, 2, 3}
    assert_same_rfm(mart, expected, ALL_COLUMNS)


def test_generated_customers_with_only_returns_are_left_out(generated_build: DbtRun) -> None:
    """Customers with kept lines but no purchase order, and guests, have no row."""
    lines, _ = kept_lines(generated_build)
    customers = lines.dropna(subset=["customer_id"])
    buyers = set(customers.loc[customers["quantity"] > 0, "customer_id"])
    mart_ids = set(generated_build.df("fct_customer_rfm")["customer_id"])
    assert mart_ids == buyers
    assert None not in mart_ids


def test_features_macro_as_of_an_earlier_cutoff(
    generated_build: DbtRun, generated_data: Path, tmp_path: Path
) -> None:
    """crm_customer_rfm_features a year before as_of_date (as a churn snapshot does) equals
    the oracle at that cutoff: only the lines dated before it count."""
    lines, as_of_date = kept_lines(generated_build)
    cutoff = as_of_date - dt.timedelta(days=365)
    inline = (
        "select * from ({{ crm_customer_rfm_features(ref('int_order_lines_cleaned'), "
        f"\"cast('{cutoff.isoformat()}' as date)\") }}}}) as features"
    )
    shutil.copy(generated_build.db_path, tmp_path / "crm.duckdb")  # dbt show reads, on a copy
    run = run_dbt(
        ["show", "--inline", inline, "--limit", "-1", "--output", "json", "--quiet"],
        tmp_path,
        {"data_dir": str(generated_data)},
    ).check()
    payload, _ = json.JSONDecoder().raw_decode(run.output[run.output.index("{") :])
    shown = pd.DataFrame(payload["show"])
    expected = rfm_oracle.rfm_features(lines, cutoff)
    assert 0 < len(shown) < len(generated_build.df("fct_customer_rfm"))
    assert (pd.to_datetime(shown["cutoff_date"]).dt.date == cutoff).all()
    assert_same_rfm(shown, expected, rfm_oracle.FEATURE_COLUMNS)


def test_rfm_bins_outside_two_to_nine_fails_with_a_message(tmp_path: Path) -> None:
    """rfm_cell holds one digit per score: 10 bins (or 1) is refused at parse time."""
    for bins in (1, 10):
        run = run_dbt(["parse"], tmp_path, {"data_dir": str(tmp_path), "rfm_bins": bins})
        assert not run.ok
        assert f"var rfm_bins must be an integer from 2 to 9, got '{bins}'" in run.output
