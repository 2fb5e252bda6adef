"""RFM (issue 3): fct_customer_rfm equals an independent pandas implementation of its
definitions for every customer, on generated data and on the real Online Retail sample, and
the feature macro gives the same as of any earlier cutoff date."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
from conftest import DbtRun, run_dbt, shared_dataset

from crm_mining import rfm_oracle

RFM = ["--select", "+fct_customer_rfm"]
RFM_MODELS = ["int_customers_rfm_aggregated", "int_customers_rfm_scored", "fct_customer_rfm"]
INTEGER_COLUMNS = ["recency_days", "frequency", "tenure_days", "r_score", "f_score", "m_score"]
TEXT_COLUMNS = ["rfm_cell", "rfm_segment", "value_tier"]


def assert_same_rfm(mart: pd.DataFrame, expected: pd.DataFrame, columns: list[str]) -> None:
    """Every customer and every listed column equal (money to 1e-6: both are exact decimals
    with 6 places, read as doubles)."""
    mart = mart.set_index("customer_id").sort_index()
    expected = expected.sort_index()
    assert mart.index.tolist() == expected.index.tolist()
    for column in columns:
        got, want = mart[column], expected[column]
        if column in ("monetary", "avg_order_value"):
            np.testing.assert_allclose(got.to_numpy(float), want.to_numpy(float), atol=1e-6)
        elif column.endswith("_date"):
            assert [pd.Timestamp(v).date() for v in got] == list(want), column
        elif column in INTEGER_COLUMNS:
            assert got.astype("int64").tolist() == want.astype("int64").tolist(), column
        else:
            assert got.astype(str).tolist() == want.astype(str).tolist(), column


ALL_COLUMNS = [*rfm_oracle.FEATURE_COLUMNS, "r_score", "f_score", "m_score", *TEXT_COLUMNS]


def kept_lines(run: DbtRun) -> tuple[pd.DataFrame, dt.date]:
    """The kept lines (as cleaned by the foundation) and as_of_date of a build."""
    lines = run.df(
        "select customer_id, order_id, order_date, quantity, unit_price "
        "from int_order_lines_cleaned"
    )
    return lines, run.scalar("select as_of_date from int_as_of_date_resolved")


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


# ---------------------------------------------------------------- real data


def test_online_retail_rfm_equals_oracle(tmp_path: Path) -> None:
    """The real UCI sample, cleaned by the documented rules in pandas from the raw file."""
    from scripts.onboarding.online_retail_to_flat import convert

    source = shared_dataset("online_retail/online_retail_random20k.csv")
    convert(source, tmp_path / "data")
    run = run_dbt(["build", *RFM], tmp_path, {"data_dir": str(tmp_path / "data")}).check()

    raw = pd.read_csv(source, dtype=str, keep_default_na=False)
    lines, as_of_date = rfm_oracle.online_retail_kept_lines(raw)
    assert run.scalar("select as_of_date from int_as_of_date_resolved") == as_of_date
    expected = rfm_oracle.customer_rfm(lines, as_of_date, bins=5)
    mart = run.df("fct_customer_rfm")
    assert len(mart) > 2000
    assert_same_rfm(mart, expected, ALL_COLUMNS)
    # cancellations (returns) reduce monetary: some customers end at or below zero
    assert (mart["monetary"] <= 0).any()
    assert (mart.loc[mart["monetary"] <= 0, "m_score"] == 1).all()


def test_rfm_bins_outside_two_to_nine_fails_with_a_message(tmp_path: Path) -> None:
    """rfm_cell holds one digit per score: 10 bins (or 1) is refused at parse time."""
    for bins in (1, 10):
        run = run_dbt(["parse"], tmp_path, {"data_dir": str(tmp_path), "rfm_bins": bins})
        assert not run.ok
        assert f"var rfm_bins must be an integer from 2 to 9, got '{bins}'" in run.output
