"""The NBD model (Ehrenberg; Gamma-Poisson purchases, nobody ever drops out), fitted by plain
maximum likelihood: the limit of the BG/NBD as the dropout probability goes to 0 (a -> 0 or
b -> infinity), written from its own formulas, independently of crm_mining.clv.bgnbd.

Each customer buys by a Poisson process of rate lambda ~ Gamma(r, alpha); over an age T with x
repeat purchases, L = G(r + x) / G(r) alpha^r / (alpha + T)^(r + x) (the factor T^x / x! does
not depend on the parameters). The posterior rate is Gamma(r + x, alpha + T), so the expected
purchases in the next t are (r + x) / (alpha + T) t, and P(alive) is 1.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize
from scipy.special import gammaln


def fit_nbd(x: np.ndarray, age: np.ndarray) -> tuple[float, float]:
    """(r, alpha) maximising the NBD log-likelihood of the repeat purchases x over ages T."""
    x, age = np.asarray(x, dtype=float), np.asarray(age, dtype=float)

    def negative(log_params: np.ndarray) -> float:
        r, alpha = np.exp(log_params)
        ll = gammaln(r + x) - gammaln(r) + r * np.log(alpha) - (r + x) * np.log(alpha + age)
        return -float(np.sum(ll))

    start = np.log([1.0, max(float(np.sum(age)) / max(float(np.sum(x)), 1.0), 1.0)])
    result = minimize(negative, start, method="Nelder-Mead",
                      options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000})  # fmt: skip
    r, alpha = np.exp(result.x)
    return float(r), float(alpha)


def expected_purchases(r: float, alpha: float, t: float, x: np.ndarray, age: np.ndarray):
    """E[purchases in the next t | x, T] under the NBD: (r + x) / (alpha + T) * t."""
    return (r + np.asarray(x, dtype=float)) / (alpha + np.asarray(age, dtype=float)) * t
