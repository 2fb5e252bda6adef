"""Maximum likelihood over log-parameters, with the checks that say a maximum was found.

Shared by the BG/NBD and Gamma-Gamma fits: L-BFGS-B (bounded, analytic gradient) from each start
in turn until one converges, keeping the best. A result counts as converged when
- every |gradient| of the mean log-likelihood is below the tolerance,
- no log-parameter sits on its bound, and
- the Hessian of the mean negative log-likelihood (finite differences of the analytic
  gradient) is positive definite, its smallest eigenvalue above MIN_CURVATURE: an interior
  maximum, not a flat ridge along which the parameters drift to infinity (e.g. one customer,
  whose rate heterogeneity r -> infinity cannot be estimated).
A start that converged is kept over a better one that fails those checks when the caller's
`tie` says the data cannot tell the two apart (BG/NBD: PLATEAU_LOG_LIKELIHOOD).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from threadpoolctl import threadpool_limits

#: Smallest eigenvalue of the Hessian (mean negative log-likelihood, log-parameters) accepted
#: as an interior maximum; real fits have 1e-3 or more (CDNOW: 3e-3).
MIN_CURVATURE = 1e-6
HESSIAN_STEP = 1e-5

Objective = Callable[[np.ndarray], tuple[float, np.ndarray]]


@dataclass(frozen=True)
class Maximum:
    """The best point found and whether it is a converged interior maximum."""

    log_params: np.ndarray
    mean_log_likelihood: float
    iterations: int
    is_converged: bool
    #: Why it is not converged ('' when it is).
    problem: str
    #: When the curvature check alone failed: the unit eigenvector (log-parameters) of the
    #: Hessian's smallest eigenvalue, the direction in which the likelihood is flat.
    flat_direction: np.ndarray | None = None


def _hessian(objective: Objective, point: np.ndarray, gradient: np.ndarray) -> np.ndarray:
    """Symmetrised forward-difference Hessian of the objective, from its analytic gradient."""
    hessian = np.empty((len(point), len(point)))
    for i in range(len(point)):
        step = np.zeros(len(point))
        step[i] = HESSIAN_STEP
        hessian[i] = (objective(point + step)[1] - gradient) / HESSIAN_STEP
    return (hessian + hessian.T) / 2.0


def _problem(
    objective: Objective, point: np.ndarray, value: float, bound: float, gradient_tolerance: float
) -> tuple[str, np.ndarray | None, np.ndarray | None]:
    """('', the Hessian, None) for a converged interior maximum, else (what is wrong, None, the
    flat direction when the curvature check alone failed, else None)."""
    if not np.isfinite(value):
        return "the likelihood is not finite", None, None
    _, gradient = objective(point)
    if np.any(np.abs(point) >= bound - 1e-6):
        return "a parameter ran to its bound", None, None
    if np.any(np.abs(gradient) >= gradient_tolerance):
        return f"max |gradient| {float(np.max(np.abs(gradient))):.2g}", None, None
    hessian = _hessian(objective, point, gradient)
    eigenvalues, eigenvectors = np.linalg.eigh(hessian)
    smallest = float(eigenvalues[0])
    if not smallest > MIN_CURVATURE:
        problem = f"the likelihood is flat in some direction (curvature {smallest:.2g})"
        return problem, None, eigenvectors[:, 0]
    return "", hessian, None


def _newton_polish(
    objective: Objective, point: np.ndarray, value: float, hessian: np.ndarray, bound: float
) -> tuple[np.ndarray, float]:
    """One Newton step from a converged maximum, kept when it lowers the largest |gradient|.

    Near the maximum the log-likelihood is flat to the last bits of a double, so its value no
    longer tells better points apart; the gradient does. The optimiser stops at |gradient| ~
    1e-8, the step takes it to ~1e-12: the parameters are then pinned to many more digits, and
    agree with other implementations (lifetimes) that far, not just to the optimiser's stop."""
    _, gradient = objective(point)
    candidate = point - np.linalg.solve(hessian, gradient)
    if np.any(np.abs(candidate) >= bound - 1e-6):
        return point, value
    candidate_value, candidate_gradient = objective(candidate)
    if np.isfinite(candidate_value) and np.max(np.abs(candidate_gradient)) < np.max(
        np.abs(gradient)
    ):
        return candidate, float(candidate_value)
    return point, value


def maximise(
    objective: Objective,
    starts: Sequence[np.ndarray],
    bound: float,
    gradient_tolerance: float,
    max_iterations: int,
    tie: float = 0.0,
) -> Maximum:
    """Minimise objective (minus the mean log-likelihood and its gradient) from each start in
    turn until a converged interior maximum is found; the best point otherwise. tie: a start
    that converged to an interior maximum is kept over the best point when that one fails the
    checks and is better by at most tie (mean log-likelihood): the data cannot tell them apart."""
    best = None
    problem, hessian, flat = "", None, None
    interior = None  # the best converged start that another, failing the checks, beat
    bounds = [(-bound, bound)] * len(starts[0])
    for start in starts:
        with threadpool_limits(limits=1):  # L-BFGS-B's BLAS calls: a few parameters, no threads
            result = minimize(
                objective,
                start,
                jac=True,
                method="L-BFGS-B",
                bounds=bounds,
                options={"maxiter": max_iterations, "ftol": 1e-15, "gtol": 1e-10},
            )
        if best is not None and not result.fun < best.fun:
            if result.fun <= best.fun + tie and (interior is None or result.fun < interior[0].fun):
                found, found_hessian, _ = _problem(
                    objective, result.x, float(result.fun), bound, gradient_tolerance
                )
                if not found:
                    interior = (result, found_hessian)
            continue
        best = result
        problem, hessian, flat = _problem(
            objective, best.x, float(best.fun), bound, gradient_tolerance
        )
        if not problem:
            break
    if problem and interior is not None and interior[0].fun <= best.fun + tie:
        (best, hessian), problem, flat = interior, "", None
    assert best is not None
    point, value = best.x, float(best.fun)
    if hessian is not None:
        with threadpool_limits(limits=1):
            point, value = _newton_polish(objective, point, value, hessian, bound)
    return Maximum(point, -value, int(best.nit), not problem, problem, flat)
