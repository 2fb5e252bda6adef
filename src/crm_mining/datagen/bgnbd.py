"""Planted truth for the CLV models: customers drawn from a BG/NBD process with Gamma-Gamma spend.

    python -m crm_mining.datagen.bgnbd --customers N --seed S --out DIR [--format parquet]

Each customer i has a purchase rate lambda_i ~ Gamma(r, alpha) (per day), a dropout probability
p_i ~ Beta(a, b) and a spend scale nu_i ~ Gamma(q, v); each purchase is worth
z ~ Gamma(p, nu_i) (Fader, Hardie & Lee 2005). The first purchase falls on a uniformly drawn
day of the first `cohort_days` days after `start`; repeat purchases follow a Poisson process of
rate lambda_i; after each repeat purchase the customer drops out for good with probability
p_i (the BG/NBD never drops a customer at the first purchase). Purchases are observed until
`end` (exclusive) and dated by the day they fall on.

Files (normalized layout): orders (order_id, customer_id, order_date) and order_items (one line
per order: product "item", quantity 1, unit_price = the purchase's value in cents, at least
0.01), plus truth/bgnbd_truth.json (parameters, dates) and truth/customers.parquet (each
customer's lambda, p, nu, and whether they are still alive at `end`). Same arguments give
byte-identical files. Nothing here touches the default generator of crm_mining.datagen.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class PlantedParams:
    """True parameters of the simulated population (alpha per day)."""

    r: float = 0.75
    alpha: float = 40.0
    a: float = 0.8
    b: float = 2.5
    p: float = 6.0
    q: float = 4.0
    v: float = 15.0


@dataclass(frozen=True)
class PlantedSummary:
    """Per-customer BG/NBD summary of a simulation, with what happens in the holdout."""

    x: np.ndarray
    t_x: np.ndarray
    age: np.ndarray
    holdout_purchases: np.ndarray
    is_alive: np.ndarray


def simulate_summary(
    customers: int,
    params: PlantedParams,
    ages: np.ndarray,
    horizon: float,
    seed: int,
) -> PlantedSummary:
    """Summaries (x, t_x, T) of customers of age T drawn from the BG/NBD, and their purchases in
    the next `horizon` time units (continuous time, no dating: the pure-model planted truth).

    Given N(T) ~ Poisson(lambda T) purchases while alive, their times are uniform on (0, T];
    a customer makes J ~ Geometric(p) repeat purchases before dropping out, so x = min(J, N(T))
    and t_x is the x-th of N(T) uniform order statistics: T * Beta(x, N(T) - x + 1).
    """
    rng = np.random.default_rng(seed)
    ages = np.broadcast_to(np.asarray(ages, dtype="float64"), (customers,)).copy()
    rate = rng.gamma(params.r, 1.0 / params.alpha, customers)
    dropout = rng.beta(params.a, params.b, customers)
    lifetime_purchases = rng.geometric(dropout)
    window = rng.poisson(rate * ages)
    x = np.minimum(lifetime_purchases, window)
    safe_x = np.maximum(x, 1)
    t_x = np.where(x > 0, ages * rng.beta(safe_x, np.maximum(window - safe_x + 1, 1)), 0.0)
    is_alive = lifetime_purchases > window
    left = lifetime_purchases - window
    holdout = np.where(is_alive, np.minimum(left, rng.poisson(rate * horizon)), 0)
    return PlantedSummary(x.astype("float64"), t_x, ages, holdout.astype("float64"), is_alive)


def _purchase_events(
    customers: int, params: PlantedParams, first_day: np.ndarray, end_day: int, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every purchase (customer, day, value) until end_day, and each customer's truth."""
    rng = np.random.default_rng(seed)
    rate = rng.gamma(params.r, 1.0 / params.alpha, customers)
    dropout = rng.beta(params.a, params.b, customers)
    spend_scale = rng.gamma(params.q, 1.0 / params.v, customers)
    lifetime_purchases = rng.geometric(dropout)
    first_time = first_day + rng.random(customers)
    window = end_day - first_time
    events = rng.poisson(rate * window)
    repeats = np.minimum(lifetime_purchases, events)
    owner = np.repeat(np.arange(customers), events)
    times = first_time[owner] + rng.random(len(owner)) * window[owner]
    order = np.lexsort((times, owner))
    owner, times = owner[order], times[order]
    rank = np.arange(len(owner)) - np.repeat(np.cumsum(events) - events, events)
    keep = rank < repeats[owner]
    owner = np.concatenate([np.arange(customers), owner[keep]])
    times = np.concatenate([first_time, times[keep]])
    values = rng.gamma(params.p, 1.0 / spend_scale[owner])
    purchases = pd.DataFrame(
        {"customer": owner, "day": np.floor(times).astype("int64"), "value": values}
    )
    purchases = purchases.sort_values(["customer", "day"], kind="stable", ignore_index=True)
    truth = pd.DataFrame(
        {
            "customer_id": [f"B{i:07d}" for i in range(customers)],
            "first_purchase_day": first_day,
            "purchase_rate_per_day": rate,
            "dropout_probability": dropout,
            "spend_scale": spend_scale,
            "is_alive_at_end": lifetime_purchases > events,
        }
    )
    return purchases, truth


def generate_bgnbd(
    out_dir: Path,
    customers: int,
    seed: int = 0,
    params: PlantedParams | None = None,
    start: date = date(2022, 1, 1),
    cohort_days: int = 84,
    days: int = 730,
    fmt: str = "csv",
) -> dict[str, int]:
    """Write orders, order_items (normalized layout) and truth/ into out_dir; return row counts.

    Purchases are observed on the `days` days from `start` (so as_of_date = start + days).
    """
    if customers < 1 or cohort_days < 1 or days <= cohort_days:
        raise ValueError("need customers >= 1 and days > cohort_days >= 1")
    params = params or PlantedParams()
    rng = np.random.default_rng(seed)
    first_day = rng.integers(0, cohort_days, customers)
    purchases, truth = _purchase_events(customers, params, first_day, days, seed + 1)
    order_ids = np.char.add("O", np.arange(len(purchases)).astype(str))
    dates = pd.Timestamp(start) + pd.to_timedelta(purchases["day"], unit="D")
    orders = pd.DataFrame(
        {
            "order_id": order_ids,
            "customer_id": truth["customer_id"].to_numpy()[purchases["customer"]],
            "order_date": dates.dt.strftime("%Y-%m-%d"),
        }
    )
    items = pd.DataFrame(
        {
            "order_id": order_ids,
            "product_id": "item",
            "quantity": 1,
            "unit_price": np.maximum(np.round(purchases["value"].to_numpy(), 2), 0.01),
        }
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    truth_dir = out_dir / "truth"
    truth_dir.mkdir(exist_ok=True)
    for name, frame in (("orders", orders), ("order_items", items)):
        if fmt == "parquet":
            frame.to_parquet(out_dir / f"{name}.parquet", index=False)
        else:
            frame.to_csv(out_dir / f"{name}.csv", index=False, float_format="%.2f")
    truth.to_parquet(truth_dir / "customers.parquet", index=False)
    manifest = {
        "params": asdict(params),
        "alpha_unit": "day",
        "customers": customers,
        "seed": seed,
        "start": start.isoformat(),
        "as_of_date": (start + timedelta(days=days)).isoformat(),
        "cohort_days": cohort_days,
        "orders": len(orders),
    }
    (truth_dir / "bgnbd_truth.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return {"orders": len(orders), "order_items": len(items)}


def main(argv: list[str] | None = None) -> int:
    """Command line; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m crm_mining.datagen.bgnbd", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--customers", type=int, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--format", choices=["csv", "parquet"], default="csv")
    parser.add_argument("--start", type=date.fromisoformat, default=date(2022, 1, 1))
    parser.add_argument("--cohort-days", type=int, default=84)
    parser.add_argument("--days", type=int, default=730, help="days observed from --start")
    defaults = PlantedParams()
    for name in ("r", "alpha", "a", "b", "p", "q", "v"):
        parser.add_argument(f"--{name}", type=float, default=getattr(defaults, name))
    args = parser.parse_args(argv)
    params = PlantedParams(*(getattr(args, n) for n in ("r", "alpha", "a", "b", "p", "q", "v")))
    counts = generate_bgnbd(
        args.out, args.customers, args.seed, params, args.start, args.cohort_days, args.days,
        args.format,
    )  # fmt: skip
    print(", ".join(f"{name}: {count} rows" for name, count in counts.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
