"""Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV: using iso-value curves").

A customer's purchases are worth z ~ Gamma(p, nu) each, with nu ~ Gamma(q, v) across
customers; the model is fitted on the customers with x >= 1 repeat purchases, each summarised
by x and the mean value m_x of their repeat purchases (m_x > 0). It assumes that spend does not
depend on how often one buys: `frequency_spend_correlation` reports how far the data is from it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import digamma, gammaln

from crm_mining.clv.fitting import maximise

LOG_PARAMETER_BOUND = 18.0
GRADIENT_TOLERANCE = 1e-6
MAX_ITERATIONS = 2000


@dataclass(frozen=True)
class GammaGammaParams:
    """Fitted Gamma-Gamma parameters: z ~ Gamma(p, nu), nu ~ Gamma(q, v)."""

    p: float
    q: float
    v: float

    @property
    def population_mean(self) -> float:
        """E(Z) = p v / (q - 1), the mean value of a purchase of a new customer (q > 1)."""
        return self.p * self.v / (self.q - 1.0)


@dataclass(frozen=True)
class GammaGammaFit:
    """Outcome of `fit_gamma_gamma`: parameters (None when not fitted) and diagnostics."""

    params: GammaGammaParams | None
    log_likelihood: float | None
    is_converged: bool
    customers: int
    frequency_spend_correlation: float | None
    message: str


def log_likelihood(params: GammaGammaParams, x: np.ndarray, m_x: np.ndarray) -> np.ndarray:
    """Log-likelihood of each repeat customer's mean spend m_x given x (as in lifetimes):

    ln G(px+q) - ln G(px) - ln G(q) + q ln v + (px-1) ln m_x + px ln x - (px+q) ln(x m_x + v).
    """
    x = np.asarray(x, dtype="float64")
    m_x = np.asarray(m_x, dtype="float64")
    p, q, v = params.p, params.q, params.v
    px = p * x
    return (
        gammaln(px + q) - gammaln(px) - gammaln(q) + q * math.log(v)
        + (px - 1.0) * np.log(m_x) + px * np.log(x) - (px + q) * np.log(x * m_x + v)
    )  # fmt: skip


@dataclass(frozen=True)
class _SpendData:
    """The Gamma-Gamma customers with the sums that do not depend on the parameters."""

    x: np.ndarray
    total_spend: np.ndarray  # x * m_x
    x_values: np.ndarray
    x_counts: np.ndarray
    x_index: np.ndarray
    sum_x_log_m: float
    sum_log_m: float
    sum_x_log_x: float


def _spend_data(x: np.ndarray, m_x: np.ndarray) -> _SpendData:
    x_values, x_index, x_counts = np.unique(x, return_inverse=True, return_counts=True)
    log_m = np.log(m_x)
    return _SpendData(
        x, x * m_x, x_values, x_counts.astype("float64"), x_index.reshape(-1),
        float(np.sum(x * log_m)), float(np.sum(log_m)), float(np.sum(x * np.log(x))),
    )  # fmt: skip


def _negative_mean_log_likelihood(
    log_params: np.ndarray, data: _SpendData
) -> tuple[float, np.ndarray]:
    """Minus the mean log-likelihood and its gradient in the log-parameters.

    The log-likelihood is linear in the per-customer constants ln m_x and x ln x, and its
    gamma-function terms depend on x alone: only ln(x m_x + v) and 1 / (x m_x + v) are computed
    per customer.
    """
    params = np.exp(log_params)
    p, q, v = (float(value) for value in params)
    n = float(len(data.x))
    ux, counts = data.x_values, data.x_counts
    pux = p * ux
    total = data.total_spend + v
    log_total = np.log(total)
    inverse_total = 1.0 / total
    sum_x_log_total = float(np.sum(data.x * log_total))
    sum_log_total = float(np.sum(log_total))
    value = (
        np.sum(counts * (gammaln(pux + q) - gammaln(pux))) - n * gammaln(q) + n * q * math.log(v)
        + p * data.sum_x_log_m - data.sum_log_m + p * data.sum_x_log_x
        - p * sum_x_log_total - q * sum_log_total
    )  # fmt: skip
    psi = digamma(pux + q)
    d_p = (
        np.sum(counts * ux * (psi - digamma(pux)))
        + data.sum_x_log_m + data.sum_x_log_x - sum_x_log_total
    )  # fmt: skip
    d_q = np.sum(counts * psi) - n * digamma(q) + n * math.log(v) - sum_log_total
    d_v = n * q / v - p * float(np.sum(data.x * inverse_total)) - q * float(np.sum(inverse_total))
    if not math.isfinite(value):
        return math.inf, np.zeros(3)
    return -float(value) / n, -np.array([d_p, d_q, d_v]) * params / n


def frequency_spend_correlation(x: np.ndarray, m_x: np.ndarray) -> float | None:
    """Pearson correlation of x and m_x over the repeat customers; None when undefined."""
    x = np.asarray(x, dtype="float64")
    m_x = np.asarray(m_x, dtype="float64")
    if len(x) < 2 or np.all(x == x[0]) or np.all(m_x == m_x[0]):
        return None
    dx, dm = x - x.mean(), m_x - m_x.mean()
    return float(np.sum(dx * dm) / math.sqrt(np.sum(dx * dx) * np.sum(dm * dm)))


def fit_gamma_gamma(
    x: np.ndarray,
    m_x: np.ndarray,
    min_customers: int = 1,
    max_iterations: int | None = None,
) -> GammaGammaFit:
    """Maximum-likelihood fit on the customers with x > 0 and m_x > 0 (others are ignored).

    Rows are sorted by (x, m_x) first, so the result does not depend on their order. Not
    fitted (params None, reason in `message`) with fewer than max(2, min_customers) such
    customers, when every m_x is equal (no spread: the likelihood has no maximum), when the
    optimiser does not converge, or when q <= 1 (the population mean p v / (q - 1) is not
    finite). max_iterations: default MAX_ITERATIONS.
    """
    max_iterations = MAX_ITERATIONS if max_iterations is None else max_iterations
    x = np.asarray(x, dtype="float64")
    m_x = np.asarray(m_x, dtype="float64")
    used = (x > 0) & np.isfinite(m_x) & (m_x > 0)
    x, m_x = x[used], m_x[used]
    order = np.lexsort((m_x, x))
    x, m_x = x[order], m_x[order]
    customers = len(x)
    correlation = frequency_spend_correlation(x, m_x)
    needed = max(2, min_customers)

    def not_fitted(message: str) -> GammaGammaFit:
        return GammaGammaFit(None, None, False, customers, correlation, message)

    if customers < needed:
        return not_fitted(
            f"{customers} repeat customers with a positive mean repeat purchase value, fewer "
            f"than the {needed} needed (clv_min_repeat_customers): Gamma-Gamma not fitted"
        )
    if np.all(m_x == m_x[0]):
        return not_fitted("every repeat customer has the same mean value: Gamma-Gamma not fitted")
    # Start: p = 1, q = 2 (a finite mean), v = the mean spend.
    start = np.log(np.array([1.0, 2.0, float(np.mean(m_x))]))
    data = _spend_data(x, m_x)
    found = maximise(
        lambda point: _negative_mean_log_likelihood(point, data),
        [start, np.zeros(3)],
        LOG_PARAMETER_BOUND,
        GRADIENT_TOLERANCE,
        max_iterations,
    )
    params = GammaGammaParams(*(float(value) for value in np.exp(found.log_params)))
    if not found.is_converged:
        return not_fitted(
            f"Gamma-Gamma fit did not converge to a maximum after {found.iterations} "
            f"iterations ({found.problem})"
        )
    if params.q <= 1.0:
        return not_fitted(
            f"Gamma-Gamma q = {params.q:.3g} <= 1: the population mean spend is not finite"
        )
    return GammaGammaFit(
        params, found.mean_log_likelihood * customers, True, customers, correlation, "converged"
    )


def expected_order_value(params: GammaGammaParams, x: np.ndarray, m_x: np.ndarray) -> np.ndarray:
    """E(Z | x, m_x) = p (v + x m_x) / (p x + q - 1), the customer's expected purchase value.

    A weighted mean of the population mean p v / (q - 1) and the customer's own m_x, with
    weight p x / (p x + q - 1) on m_x. x = 0 gives the population mean, and so does a missing
    m_x whatever x (no repeat purchase value is known: counted as x = 0; the summaries have m_x
    null only when x = 0); a negative m_x (repeat purchases returned beyond their value) counts
    as 0.
    """
    m_x = np.asarray(m_x, dtype="float64")
    x = np.where(np.isnan(m_x), 0.0, np.asarray(x, dtype="float64"))
    own = np.where(x > 0, np.maximum(np.nan_to_num(m_x, nan=0.0), 0.0), 0.0)
    return params.p * (params.v + x * own) / (params.p * x + params.q - 1.0)
