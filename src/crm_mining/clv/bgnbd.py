"""BG/NBD model (Fader, Hardie & Lee 2005, "Counting your customers the easy way").

Each customer buys by a Poisson process of rate lambda ~ Gamma(r, alpha) (shape r, rate alpha)
and, after each repeat purchase, drops out for good with probability p ~ Beta(a, b). A
customer is summarised by x (repeat purchases), t_x (time of the last purchase since the
first; 0 when x = 0) and T (time of the present since the first purchase). Time is in whatever
unit the summary uses (days in this project): r, a and b do not depend on it, alpha scales with
it (alpha per week = alpha per day / 7).

Everything is vectorised over customers and computed in log space with scipy.special. The fit
maximises the log-likelihood of the paper (section 7) over log-parameters with L-BFGS-B and its
analytic gradient, on the distinct (x, t_x, T) patterns weighted by their counts (identical
customers contribute identical terms), so its result never depends on the order of the rows.
Validating a summary and grouping it into patterns: crm_mining.clv.summary.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import digamma, expit, gammaln, hyp2f1

from crm_mining.clv.fitting import Maximum, maximise
from crm_mining.clv.summary import Patterns, as_arrays, check_summary, patterns

#: Bounds of each log-parameter during the fit: a maximum found on a bound is not an interior
#: maximum of the likelihood (the model degenerates, e.g. nobody ever drops out), and the fit
#: is reported as not converged.
LOG_PARAMETER_BOUND = 18.0
#: Largest absolute gradient of the mean log-likelihood (per customer, with respect to the
#: log-parameters) accepted as a converged maximum.
GRADIENT_TOLERANCE = 1e-5
MAX_ITERATIONS = 2000
#: A fit whose only failing check is the curvature lies on a ridge of the likelihood that runs
#: to a limit of the model: nobody drops out (a -> 0), every customer buys at the same rate
#: (r, alpha -> infinity), or drops out with the same probability (a, b -> infinity). The
#: parameters are then not identified, but the predictions may be: the fit is kept, as a limit
#: fit, when the point LIMIT_PROBE further along the ridge (log-parameters, the direction in
#: which the likelihood does not fall) gives every customer pattern the same P(alive) and
#: expected purchases over the data's span, to LIMIT_TOLERANCE (absolute and relative).
LIMIT_PROBE = 2.0
LIMIT_TOLERANCE = 1e-3
#: Mean log-likelihood per customer that the probe may lose and still count as level.
LIMIT_LEVEL = 1e-9
#: Total log-likelihood by which a start that converged to an interior maximum may fall short of
#: a start that did not and still be the fit (a likelihood-ratio statistic of 0.02: the data
#: cannot tell the two apart). On Kaggle Groceries three starts end within 0.004 of each
#: other on a plateau of nearly homogeneous customers; the best fails the curvature check.
PLATEAU_LOG_LIKELIHOOD = 0.01


@dataclass(frozen=True)
class BgNbdParams:
    """Fitted BG/NBD parameters: lambda ~ Gamma(r, alpha), p ~ Beta(a, b)."""

    r: float
    alpha: float
    a: float
    b: float

    def as_array(self) -> np.ndarray:
        return np.array([self.r, self.alpha, self.a, self.b], dtype="float64")


@dataclass(frozen=True)
class BgNbdFit:
    """Outcome of `fit_bgnbd`: parameters (None when the fit failed) and diagnostics."""

    params: BgNbdParams | None
    log_likelihood: float | None
    is_converged: bool
    customers: int
    repeat_customers: int
    iterations: int
    message: str


def log_likelihood(
    params: BgNbdParams, x: np.ndarray, t_x: np.ndarray, age: np.ndarray
) -> np.ndarray:
    """Log-likelihood of each customer (paper, section 7, in log space):

    ln L = ln[G(r+x) alpha^r / G(r)] + ln[B(a, b+x) / B(a, b)]
           + ln[(alpha+T)^-(r+x) + [x > 0] a/(b+x-1) (alpha+t_x)^-(r+x)].
    """
    x, t_x, age = as_arrays(x, t_x, age)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    a1 = gammaln(r + x) - gammaln(r) + r * math.log(alpha)
    a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    a3 = -(r + x) * np.log(alpha + age)
    with np.errstate(divide="ignore", invalid="ignore"):
        a4 = np.where(
            x > 0, math.log(a) - np.log(b + x - 1.0) - (r + x) * np.log(alpha + t_x), -np.inf
        )
    return a1 + a2 + np.logaddexp(a3, a4)


def _negative_mean_log_likelihood(
    log_params: np.ndarray, patterns: Patterns, total: float
) -> tuple[float, np.ndarray]:
    """Minus the mean log-likelihood per customer and its gradient in the log-parameters.

    With w4 = the share of a customer's likelihood from "dropped out after the last purchase":
        d/dr     = psi(r+x) - psi(r) + ln alpha - ln(alpha+T) + w4 (ln(alpha+T) - ln(alpha+t_x))
        d/dalpha = r/alpha - (r+x) (1/(alpha+T) + w4 (1/(alpha+t_x) - 1/(alpha+T)))
        d/da     = psi(a+b) - psi(a+b+x) + w4/a
        d/db     = psi(a+b) - psi(a+b+x) + psi(b+x) - psi(b) - w4/(b+x-1)
    """
    params = np.exp(log_params)
    r, alpha, a, b = (float(v) for v in params)
    pt = patterns
    ux, wx = pt.x_values, pt.x_weight
    repeat = ux > 0
    # Terms of x alone, summed with the weight of each x.
    x_ll = (
        gammaln(r + ux) - gammaln(r) + gammaln(a + b) + gammaln(b + ux) - gammaln(b)
        - gammaln(a + b + ux)
    )  # fmt: skip
    x_common = digamma(a + b) - digamma(a + b + ux)
    inv_b = np.where(repeat, 1.0 / (b + np.maximum(ux, 1.0) - 1.0), 0.0)
    log_b = np.where(repeat, np.log(b + np.maximum(ux, 1.0) - 1.0), 0.0)
    # Per pattern.
    log_age = np.log(alpha + pt.age_values)[pt.age_index]
    log_recency = np.log(alpha + pt.recency_values)[pt.recency_index]
    inv_age = (1.0 / (alpha + pt.age_values))[pt.age_index]
    inv_recency = (1.0 / (alpha + pt.recency_values))[pt.recency_index]
    shape = r + pt.x
    a3 = -shape * log_age
    a4 = np.where(pt.x > 0, math.log(a) - log_b[pt.x_index] - shape * log_recency, -np.inf)
    mixture = np.logaddexp(a3, a4)
    w4 = np.exp(a4 - mixture)
    weight = pt.weight
    weighted_w4 = weight * w4
    # np.sum (pairwise, single-threaded), not a BLAS dot: the same bits whatever the threads.
    value = np.sum(wx * x_ll) + total * r * math.log(alpha) + np.sum(weight * mixture)
    d_r = (
        np.sum(wx * (digamma(r + ux) - digamma(r)))
        + total * math.log(alpha)
        - np.sum(weight * log_age)
        + np.sum(weighted_w4 * (log_age - log_recency))
    )
    d_alpha = total * r / alpha - np.sum(
        weight * shape * inv_age + weighted_w4 * shape * (inv_recency - inv_age)
    )
    d_a = np.sum(wx * x_common) + np.sum(weighted_w4) / a
    d_b = np.sum(wx * (x_common + digamma(b + ux) - digamma(b))) - np.sum(
        weighted_w4 * inv_b[pt.x_index]
    )
    if not np.isfinite(value):
        return math.inf, np.zeros(4)
    gradient = np.array([d_r, d_alpha, d_a, d_b]) * params
    return -float(value) / total, -gradient / total


def starting_points(x: np.ndarray, age: np.ndarray) -> list[np.ndarray]:
    """Starts of the fit (log-parameters), tried in turn until one converges.

    First a robust start: r = 1, alpha = 1 / the pooled repeat rate sum(x) / sum(T) (so the
    mean purchase rate r / alpha is at the data's own scale whatever the time unit), a = b = 1
    (a uniform prior on the dropout probability). Then lifetimes' start (every parameter
    e^0.1) and a start with slower, more heterogeneous buyers and rarer dropout.
    """
    rate = float(np.sum(x)) / max(float(np.sum(age)), 1e-12)
    alpha = 1.0 / max(rate, 1e-12)
    return [
        np.log(np.array([1.0, alpha, 1.0, 1.0])),
        np.full(4, 0.1),
        np.log(np.array([0.1, 0.1 * alpha, 0.5, 5.0])),
    ]


def fit_bgnbd(
    x: np.ndarray,
    t_x: np.ndarray,
    age: np.ndarray,
    min_repeat_customers: int = 1,
    max_iterations: int | None = None,
) -> BgNbdFit:
    """Maximum-likelihood fit of the BG/NBD model on a customer summary.

    L-BFGS-B from the starts of `starting_points` in turn until one converges to an interior
    maximum (crm_mining.clv.fitting: gradient below GRADIENT_TOLERANCE, no log-parameter on its
    bound, positive curvature), a converged start within PLATEAU_LOG_LIKELIHOOD of a better
    failing one preferred; not converged, the fit has no parameters and says why, except for a
    limit fit (LIMIT_PROBE), whose parameters are kept beside its reason. Too
    few repeat customers (fewer than min_repeat_customers, and always at least 1: without a
    repeat purchase the likelihood has no maximum) gives no fit, with the reason in `message`.
    max_iterations: per start (default MAX_ITERATIONS).
    """
    max_iterations = MAX_ITERATIONS if max_iterations is None else max_iterations
    x, t_x, age = as_arrays(x, t_x, age)
    check_summary(x, t_x, age)
    customers = len(x)
    repeat_customers = int(np.sum(x > 0))
    needed = max(1, min_repeat_customers)
    if customers == 0:
        return BgNbdFit(None, None, False, 0, 0, 0, "no customer with a purchase")
    if repeat_customers < needed:
        return BgNbdFit(
            None,
            None,
            False,
            customers,
            repeat_customers,
            0,
            f"{repeat_customers} customers with a repeat purchase day, fewer than the "
            f"{needed} needed (clv_min_repeat_customers): BG/NBD not fitted",
        )
    grouped = patterns(x, t_x, age)
    total = float(customers)
    found = maximise(
        lambda point: _negative_mean_log_likelihood(point, grouped, total),
        starting_points(x, age),
        LOG_PARAMETER_BOUND,
        GRADIENT_TOLERANCE,
        max_iterations,
        tie=PLATEAU_LOG_LIKELIHOOD / total,
    )
    params = BgNbdParams(*(float(v) for v in np.exp(found.log_params)))
    limit = None
    if found.flat_direction is not None:
        limit = _limit_note(found, grouped, total)
    if not found.is_converged and limit is None:
        message = (
            f"BG/NBD fit did not converge to a maximum after {found.iterations} iterations "
            f"({found.problem}; {_parameters_text(params)})"
        )
        return BgNbdFit(None, None, False, customers, repeat_customers, found.iterations, message)
    message = "converged"
    if limit is not None:
        message = (
            f"no interior maximum after {found.iterations} iterations: the likelihood rises or "
            f"stays level towards a limit of the model ({limit}); the predictions are that "
            f"limit's, the parameters one point of the ridge ({_parameters_text(params)})"
        )
    return BgNbdFit(
        params,
        found.mean_log_likelihood * total,
        found.is_converged,
        customers,
        repeat_customers,
        found.iterations,
        message,
    )


def _parameters_text(params: BgNbdParams) -> str:
    """The parameters for a message: r=0.243, alpha=4.41, a=0.793, b=2.43."""
    return f"r={params.r:.3g}, alpha={params.alpha:.3g}, a={params.a:.3g}, b={params.b:.3g}"


def _limit_note(found: Maximum, grouped: Patterns, total: float) -> str | None:
    """What limit of the model the fit's ridge runs to (e.g. "nobody drops out"), when
    the predictions of every pattern are the same LIMIT_PROBE further along it (see
    LIMIT_PROBE); None when they are not, or when the likelihood falls both ways."""
    log_params, direction = found.log_params, found.flat_direction
    # At the point itself: the optimiser's reported value may come from another evaluation.
    value = -_negative_mean_log_likelihood(log_params, grouped, total)[0]
    probes = []
    for sign in (1.0, -1.0):
        point = log_params + sign * LIMIT_PROBE * direction
        if np.all(np.abs(point) < LOG_PARAMETER_BOUND):
            probe_value = -_negative_mean_log_likelihood(point, grouped, total)[0]
            if probe_value >= value - LIMIT_LEVEL:
                probes.append((probe_value, sign, point))
    if not probes:
        return None
    _, sign, point = max(probes, key=lambda probe: probe[0])
    here = BgNbdParams(*(float(v) for v in np.exp(log_params)))
    there = BgNbdParams(*(float(v) for v in np.exp(point)))
    span = float(np.max(grouped.age)) if len(grouped.age) else 0.0
    for predict in (
        lambda p: probability_alive(p, grouped.x, grouped.t_x, grouped.age),
        lambda p: expected_purchases_of_patterns(p, span, grouped),
    ):
        near, far = predict(here), predict(there)
        if not (np.all(np.isfinite(near)) and np.all(np.isfinite(far))):
            return None
        if np.any(np.abs(far - near) > LIMIT_TOLERANCE * np.maximum(1.0, np.abs(near))):
            return None
    return _limit_meaning(here, sign * direction)


def _limit_meaning(params: BgNbdParams, direction: np.ndarray) -> str:
    """What the limit of a limit fit is, read from its parameters: nobody drops out (mean
    dropout probability a / (a + b) below LIMIT_TOLERANCE), every customer buys at the same rate
    (r above 1 / LIMIT_TOLERANCE: rates vary by under 3 %), or drops out with the same
    probability (a + b above 1 / LIMIT_TOLERANCE); else the direction of the ridge."""
    meaning = []
    if params.r > 1.0 / LIMIT_TOLERANCE:
        meaning.append("every customer buys at the same rate")
    if params.a / (params.a + params.b) < LIMIT_TOLERANCE:
        meaning.append("nobody drops out")
    elif params.a + params.b > 1.0 / LIMIT_TOLERANCE:
        meaning.append("every customer drops out with the same probability")
    if meaning:
        return " and ".join(meaning)
    steps = ", ".join(f"{v:.2f}" for v in direction)
    return f"along the log-parameters (r, alpha, a, b) in the direction ({steps})"


def _log_dropout_odds(
    params: BgNbdParams, x: np.ndarray, t_x: np.ndarray, age: np.ndarray
) -> np.ndarray:
    """ln of P(dropped out after the last purchase) / P(alive), given the history; -inf if x = 0."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    return np.where(
        x > 0,
        (r + x) * (np.log(alpha + age) - np.log(alpha + t_x))
        + math.log(a)
        - np.log(b + np.maximum(x, 1.0) - 1.0),
        -np.inf,
    )


def probability_alive(
    params: BgNbdParams, x: np.ndarray, t_x: np.ndarray, age: np.ndarray
) -> np.ndarray:
    """P(alive at T | x, t_x, T) = 1 / (1 + [x > 0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)).

    Always 1 when x = 0: in the BG/NBD a customer can only drop out right after a repeat
    purchase (Fader, Hardie & Lee, "Computing P(alive) using the BG/NBD model", note 021).
    """
    x, t_x, age = as_arrays(x, t_x, age)
    return expit(-_log_dropout_odds(params, x, t_x, age))


def _scaled_hyp2f1(
    a: np.ndarray, b: np.ndarray, c: np.ndarray, z: np.ndarray, log_scale: np.ndarray
) -> np.ndarray:
    """exp(log_scale) * 2F1(a, b; c; z) for 0 <= z < 1.

    2F1 can be negative (c < 0 when a + b < 1 and x = 0), so the value is not taken in log
    space; where it overflows, Euler's transformation 2F1(a, b; c; z) = (1 - z)^(c - a - b)
    2F1(c - a, c - b; c; z) is used with the powers and the scale summed in log space.
    """
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        direct = hyp2f1(a, b, c, z) * np.exp(log_scale)
        euler_hyp = hyp2f1(c - a, c - b, c, z)
        euler = np.sign(euler_hyp) * np.exp(
            np.log(np.abs(euler_hyp)) + (c - a - b) * np.log1p(-z) + log_scale
        )
    return np.where(np.isfinite(direct), direct, euler)


def expected_purchases_of_patterns(params: BgNbdParams, t: float, grouped: Patterns) -> np.ndarray:
    """E[Y(t) | x, t_x, T] of each pattern of `grouped` (see `expected_purchases`)."""
    if t <= 0 or len(grouped.x) == 0:
        return np.zeros(len(grouped.x))
    px, pt_x, page = grouped.x, grouped.t_x, grouped.age
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    z = t / (alpha + page + t)
    tail = _scaled_hyp2f1(
        r + px, b + px, a + b + px - 1.0, z,
        (r + px) * (np.log(alpha + page) - np.log(alpha + page + t)),
    )  # fmt: skip
    numerator = (a + b + px - 1.0) / (a - 1.0) * (1.0 - tail)
    return numerator / (1.0 + np.exp(_log_dropout_odds(params, px, pt_x, page)))


def expected_purchases(
    params: BgNbdParams, t: float, x: np.ndarray, t_x: np.ndarray, age: np.ndarray
) -> np.ndarray:
    """E[Y(t) | x, t_x, T]: expected repeat purchases in the next t time units (paper, eq. 10).

        (a+b+x-1)/(a-1) * [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z)]
        / (1 + [x > 0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)),   z = t/(alpha+T+t).

    Computed once per distinct (x, t_x, T) pattern.
    """
    grouped = patterns(x, t_x, age)
    return expected_purchases_of_patterns(params, t, grouped)[grouped.inverse]


def days_to_next_purchase(
    params: BgNbdParams,
    x: np.ndarray,
    t_x: np.ndarray,
    age: np.ndarray,
    horizon: float,
) -> np.ndarray:
    """Median time to the next purchase, where it falls within the horizon; NaN elsewhere.

    Alive, a customer's next purchase comes after an exponential time with their rate lambda,
    whose posterior is Gamma(r + x, alpha + T); dropping out happens only after a purchase. So
    P(next purchase within s) = P(alive) * (1 - ((alpha+T)/(alpha+T+s))^(r+x)), and the median
    s* solving P = 1/2 is

        s* = (alpha + T) * ((1 - 1/(2 P(alive)))^(-1/(r+x)) - 1),

    defined only when P(alive) > 1/2. NaN when P(alive) <= 1/2 or s* > horizon: the customer is
    more likely than not to make no purchase within the horizon.
    """
    x, t_x, age = as_arrays(x, t_x, age)
    alive = probability_alive(params, x, t_x, age)
    shape = params.r + x
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        remaining = 1.0 - 0.5 / alive
        s = (params.alpha + age) * np.expm1(-np.log(remaining) / shape)
    return np.where((alive > 0.5) & np.isfinite(s) & (s <= horizon), s, np.nan)
