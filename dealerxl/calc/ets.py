"""Exponential smoothing state space models (ETS), fitted by maximum likelihood and chosen per
series by AICc, for many series of equal length at once.

Source: Hyndman, Koehler, Ord & Snyder, *Forecasting with Exponential Smoothing: The State
Space Approach* (Springer, 2008), "Hyndman et al. (2008)" below. The family is the one that
matters for monthly sales:

=================  ==========================================================================
model              one-step forecast μₜ and state updates (εₜ the innovation)
=================  ==========================================================================
ETS(A,N,N)         μₜ = ℓₜ₋₁;  ℓₜ = ℓₜ₋₁ + αεₜ
ETS(A,A,N)/(A,Ad,N) μₜ = ℓₜ₋₁ + φbₜ₋₁;  ℓₜ = ℓₜ₋₁ + φbₜ₋₁ + αεₜ;  bₜ = φbₜ₋₁ + βεₜ
ETS(A,·,A)         μₜ = ℓₜ₋₁ + φbₜ₋₁ + sₜ₋ₘ; as above and sₜ = sₜ₋ₘ + γεₜ;  εₜ = yₜ − μₜ
ETS(M,·,N)/(M,·,A) μₜ as for (A,·,·), εₜ = (yₜ − μₜ)/μₜ, each update's αεₜ, βεₜ, γεₜ times μₜ
ETS(M,·,M)         μₜ = (ℓₜ₋₁ + φbₜ₋₁)sₜ₋ₘ;  εₜ = (yₜ − μₜ)/μₜ;  ℓₜ = (ℓₜ₋₁ + φbₜ₋₁)(1 + αεₜ);
                   bₜ = φbₜ₋₁ + β(ℓₜ₋₁ + φbₜ₋₁)εₜ;  sₜ = sₜ₋ₘ(1 + γεₜ)
=================  ==========================================================================

(Hyndman et al. 2008, Tables 2.2 and 2.3; no trend is b = 0, an undamped trend φ = 1.) The
parameters stay in the "usual" region of §5.1: 10⁻⁴ ≤ α ≤ 0.9999, 10⁻⁴ ≤ β ≤ α,
10⁻⁴ ≤ γ ≤ 1 − α, 0.8 ≤ φ ≤ 0.98, and multiplicative seasons only for series above zero.

Estimation (§5.2): the likelihood of n observations with the variance concentrated out is
L* = n·log(Σεₜ²) + 2·Σ log|r(xₜ₋₁)|, r = 1 for additive errors and μₜ for multiplicative
ones; −2·log-likelihood = L* + n·log(2πe/n). The smoothing parameters are found by a
Nelder–Mead search run for every series at once. The initial states x₀ = (ℓ₀, b₀, s₋ₘ₊₁…s₀)
need no search: in a linear (additive) model the errors are affine in x₀, so for given
smoothing parameters the best x₀ is a least-squares solution (the "concentrated" likelihood
of §5.2, with the seasonal states summing to 0); models with multiplicative errors take
Gauss–Newton steps on x₀ along the relative errors' derivatives, from that least-squares
solution (no or additive season) or from the heuristic of §2.6.1 (multiplicative season).

Selection (§7.2): AICc = −2·log L + 2k + 2k(k + 1)/(n − k − 1), k = number of smoothing
parameters + number of free initial states + 1 (the variance; seasonal states count m − 1).

Prediction intervals (§6): linear models have forecast variance
v_h = σ²[1 + Σⱼ₌₁ʰ⁻¹ cⱼ²], cⱼ = α + β(φ + … + φʲ) + γ·[j mod m = 0] (Table 6.1, class 1), so
the interval is ŷ ± z·√v_h; models with multiplicative errors have no closed form for every
h, so their intervals are the quantiles of simulated future paths (§6.1), with a fixed seed so
the same history always gives the same interval.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit, logit
from scipy.stats import norm

LOW, HIGH = 1e-4, 0.9999           # smoothing-parameter bounds (Hyndman et al. 2008, §5.1)
PHI_LOW, PHI_HIGH = 0.8, 0.98       # damping bounds
LEVELS = (0.8, 0.95)                # prediction-interval coverages
SIMULATED_PATHS = 1000              # future paths per series for multiplicative intervals
SIMULATION_SEED = 20080601
# Series fitted together: bounds memory to block × models × months × states floats.
BLOCK = 400
NELDER_MEAD_ITERATIONS = 200
NELDER_MEAD_TOLERANCE = 1e-4        # on −2·log L: far below any difference AICc can see
GAUSS_NEWTON_STEPS = 3
ALTERNATIONS = 2                    # rounds of (x₀ by Gauss–Newton, smoothing by Nelder–Mead)


@dataclass(frozen=True)
class Model:
    """One member of the ETS family: error, trend (N, A, Ad) and season (N, A, M)."""

    error: str
    trend: str
    season: str

    @property
    def name(self) -> str:
        return f"ETS({self.error},{self.trend},{self.season})"

    def parameter_count(self, season_length: int) -> int:
        """k of the AICc: smoothing parameters, free initial states and the variance."""
        smoothing = 1 + (self.trend != "N") + (self.trend == "Ad") + (self.season != "N")
        states = 1 + (self.trend != "N") + (season_length - 1 if self.season != "N" else 0)
        return smoothing + states + 1


ADDITIVE = tuple(Model("A", trend, season) for season in ("N", "A") for trend in ("N", "A", "Ad"))
# Multiplicative errors with no or an additive season: the same state recursion as the additive
# models (Hyndman et al. 2008, §2.5: the point forecasts agree for equal states and
# parameters), but errors relative to the level, so the spread grows with it.
RELATIVE = tuple(Model("M", trend, season) for season in ("N", "A") for trend in ("N", "A", "Ad"))
MULTIPLICATIVE = tuple(Model("M", trend, "M") for trend in ("N", "A", "Ad"))
# Hyndman et al.'s family without a multiplicative trend (§7.2) and without the additive-error,
# multiplicative-season models, whose variance is not finite.
MODELS = ADDITIVE + RELATIVE + MULTIPLICATIVE
NON_SEASONAL = tuple(m for m in MODELS if m.season == "N")


@dataclass
class Fit:
    """The selected model per series (one entry per row of the history)."""

    model: np.ndarray          # model name per series, "" where no model could be fitted
    alpha: np.ndarray
    beta: np.ndarray
    gamma: np.ndarray
    phi: np.ndarray
    sigma2: np.ndarray         # innovation variance (relative errors for multiplicative models)
    loglik: np.ndarray
    aicc: np.ndarray
    mean: np.ndarray           # point forecasts, series × horizon
    lower: dict                # coverage → lower bounds, series × horizon
    upper: dict


# ---------------------------------------------------------------------------------------------
# Parameters


def _smoothing(theta: np.ndarray, trend: np.ndarray, season: np.ndarray, damped: np.ndarray):
    """α, β, γ, φ per row from unconstrained values (4 columns), inside the usual region.

    β ≤ α and γ ≤ 1 − α are kept by scaling: β = 10⁻⁴ + (α − 10⁻⁴)·σ(θ₂) and so on, σ the
    logistic function. Rows without a trend get β = 0 (and φ = 1), without a season γ = 0.
    """
    unit = expit(theta)
    alpha = LOW + (HIGH - LOW) * unit[:, 0]
    beta = np.where(trend, LOW + (alpha - LOW) * unit[:, 1], 0.0)
    gamma = np.where(season, LOW + np.maximum(1 - alpha - LOW, 0.0) * unit[:, 2], 0.0)
    phi = np.where(damped, PHI_LOW + (PHI_HIGH - PHI_LOW) * unit[:, 3], 1.0)
    return alpha, beta, gamma, phi


def _theta(alpha, beta_share, gamma_share, phi) -> np.ndarray:
    """Unconstrained values of a starting point (β and γ as shares of their upper bound)."""
    return np.array([logit((alpha - LOW) / (HIGH - LOW)), logit(beta_share), logit(gamma_share),
                     logit((phi - PHI_LOW) / (PHI_HIGH - PHI_LOW))])


# Starting points tried before the search: α, β/α, γ/(1 − α), φ (Hyndman et al. 2008, §5.2.1,
# suggest small smoothing parameters for monthly data; a few larger ones guard against a
# local minimum far from them).
STARTS = np.array([_theta(a, b, g, 0.97) for a, b, g in
                   ((0.1, 0.1, 0.05), (0.3, 0.1, 0.1), (0.6, 0.05, 0.2), (0.02, 0.5, 0.3),
                    (0.2, 0.01, 0.5), (0.9, 0.01, 0.05), (0.8, 0.9, 0.1))])


# ---------------------------------------------------------------------------------------------
# Additive (linear) models: errors affine in the initial states


def _linear_errors(y, alpha, beta, gamma, phi, trend, season, m):
    """One-step errors for x₀ = 0 (path 0) and the change per unit of each initial state.

    Path 0 runs the model on y from zero states; path 1 + k runs it on zero data from the
    k-th unit initial state (level, trend, then seasonal j minus seasonal m − 1, which keeps
    the seasonal states summing to 0). The model being linear, the errors for any x₀ are
    E[…, 0] + Σₖ x₀ₖ E[…, 1 + k]. Returns E (rows × months × paths) and the final states.
    """
    rows, months = y.shape
    paths = 3 + (m - 1)
    level = np.zeros((rows, paths))
    slope = np.zeros((rows, paths))
    seasonal = np.zeros((m, rows, paths))  # season position first: each month reads one block
    level[:, 1] = 1.0
    slope[:, 2] = 1.0
    j = np.arange(m - 1)
    seasonal[j, :, 3 + j] = 1.0
    seasonal[m - 1, :, 3:] = -1.0
    errors = np.empty((months, rows, paths))
    a, b, g, f = alpha[:, None], beta[:, None], gamma[:, None], phi[:, None]
    observed = y.T
    for t in range(months):
        k = t % m
        damped = level + f * slope
        e = errors[t]
        np.add(damped, seasonal[k], out=e)
        np.negative(e, out=e)
        e[:, 0] += observed[t]
        level = damped + a * e
        slope = f * slope + b * e
        seasonal[k] += g * e
    errors = errors.transpose(1, 0, 2)
    # States that a row's model does not have are never set: their columns are zeroed, so
    # the least-squares step leaves them at 0.
    errors[:, :, 2] *= trend[:, None]
    errors[:, :, 3:] *= season[:, None, None]
    seasonal = seasonal.transpose(1, 2, 0)
    return errors, (level, slope, seasonal)


def _linear_fit(y, alpha, beta, gamma, phi, trend, season, m):
    """Sum of squared errors with the best initial states, those states and the final states."""
    errors, (level, slope, seasonal) = _linear_errors(y, alpha, beta, gamma, phi, trend, season, m)
    base, unit = errors[:, :, 0], errors[:, :, 1:]
    x0 = _least_squares(base, unit)
    residual = base + np.matmul(unit, x0[:, :, None])[:, :, 0]
    sse = (residual ** 2).sum(axis=1)
    final_level = level[:, 0] + (level[:, 1:] * x0).sum(axis=1)
    final_slope = slope[:, 0] + (slope[:, 1:] * x0).sum(axis=1)
    final_season = seasonal[:, 0] + np.matmul(seasonal[:, 1:].transpose(0, 2, 1), x0[:, :, None])[:, :, 0]
    return sse, (final_level, final_slope, final_season)


def _relative_fit(y, alpha, beta, gamma, phi, trend, season, m):
    """ETS(M,·,N) and (M,·,A): the criterion L* = n·log Σrₜ² + 2·Σ log μₜ, rₜ = (yₜ − μₜ)/μₜ,
    with x₀ from least squares then :data:`GAUSS_NEWTON_STEPS` Gauss–Newton steps on r (the
    errors eₜ = yₜ − μₜ stay affine in x₀, so drₜ/dx₀ = yₜ/μₜ² · deₜ/dx₀). Returns L*, Σr²
    and the final states; ∞ where a one-step forecast is not above zero."""
    errors, (level, slope, seasonal) = _linear_errors(y, alpha, beta, gamma, phi, trend, season, m)
    base, unit = errors[:, :, 0], errors[:, :, 1:]
    x0 = _least_squares(base, unit)
    n = y.shape[1]
    best_value = np.full(y.shape[0], np.inf)
    best_sse = np.full(y.shape[0], np.inf)
    best_x0 = x0.copy()
    for step in range(GAUSS_NEWTON_STEPS + 1):
        e = base + np.matmul(unit, x0[:, :, None])[:, :, 0]
        mu = y - e
        admissible = (mu > 0).all(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(admissible[:, None], e / mu, 0.0)
            sse = (r ** 2).sum(axis=1)
            value = np.where(admissible, n * np.log(np.maximum(sse, 1e-300))
                             + 2 * np.log(np.where(admissible[:, None], mu, 1.0)).sum(axis=1), np.inf)
        better = value < best_value
        best_value = np.where(better, value, best_value)
        best_sse = np.where(better, sse, best_sse)
        best_x0[better] = x0[better]
        if step == GAUSS_NEWTON_STEPS:
            break
        with np.errstate(divide="ignore", invalid="ignore"):
            weight = np.where(admissible[:, None], y / mu ** 2, 0.0)
            log_mu_gradient = -(unit / np.where(admissible[:, None], mu, 1.0)[:, :, None]).sum(axis=1)
        step_change = _gauss_newton_step(r, unit * weight[:, :, None], log_mu_gradient, sse / n)
        x0 = np.where(admissible[:, None], x0 + step_change, x0)
    final_level = level[:, 0] + (level[:, 1:] * best_x0).sum(axis=1)
    final_slope = slope[:, 0] + (slope[:, 1:] * best_x0).sum(axis=1)
    final_season = seasonal[:, 0] + np.matmul(seasonal[:, 1:].transpose(0, 2, 1), best_x0[:, :, None])[:, :, 0]
    return best_value, best_sse, (final_level, final_slope, final_season)


def _gauss_newton_step(residual, jacobian, log_mu_gradient, mean_square):
    """The step on x₀ for L* = n·log Σr² + 2·Σ log μ with the Hessian approximated by
    (2n/Σr²)·JᵀJ: Δ = −(JᵀJ)⁻¹(Jᵀr + (Σr²/n)·Σₜ ∂log μₜ/∂x₀) (a tiny ridge as in least squares)."""
    gram = np.matmul(jacobian.transpose(0, 2, 1), jacobian)
    gradient = (np.matmul(jacobian.transpose(0, 2, 1), residual[:, :, None])[:, :, 0]
                + mean_square[:, None] * log_mu_gradient)
    scale = np.maximum(np.trace(gram, axis1=1, axis2=2), 1e-12)
    gram = gram + (1e-10 * scale)[:, None, None] * np.eye(gram.shape[1])
    return -np.linalg.solve(gram, gradient[:, :, None])[:, :, 0]


def _least_squares(base, unit):
    """x minimising ‖base + unit·x‖² per row (a tiny ridge keeps all-zero columns at 0)."""
    gram = np.matmul(unit.transpose(0, 2, 1), unit)
    rhs = np.matmul(unit.transpose(0, 2, 1), base[:, :, None])[:, :, 0]
    scale = np.maximum(np.trace(gram, axis1=1, axis2=2), 1e-12)
    gram = gram + (1e-10 * scale)[:, None, None] * np.eye(gram.shape[1])
    return -np.linalg.solve(gram, rhs[:, :, None])[:, :, 0]


# ---------------------------------------------------------------------------------------------
# Multiplicative models: Gauss–Newton on the initial states


def _multiplicative_pass(y, alpha, beta, gamma, phi, state0, m, tangents: bool):
    """Run ETS(M,·,M) from ``state0`` = (ℓ₀, b₀, s₀ … s_{m−1}); with ``tangents`` also the
    derivative of every error with respect to every initial state (forward mode).

    Returns the relative errors, Σ log μₜ, the final states and the derivatives (or None).
    Rows whose forecast μ turns zero or negative get infinite errors (not admissible).
    """
    rows, months = y.shape
    level, slope = state0[:, 0].copy(), state0[:, 1].copy()
    seasonal = state0[:, 2:].copy()
    size = state0.shape[1]
    if tangents:
        d_level = np.zeros((rows, size))
        d_slope = np.zeros((rows, size))
        d_season = np.zeros((rows, size, m))
        d_level[:, 0] = 1.0
        d_slope[:, 1] = 1.0
        d_season[:, 2 + np.arange(m), np.arange(m)] = 1.0
        jacobian = np.empty((rows, months, size))
    errors = np.empty((rows, months))
    log_mu = np.zeros(rows)
    bad = np.zeros(rows, dtype=bool)
    a, b, g, f = alpha, beta, gamma, phi
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for t in range(months):
            k = t % m
            damped = level + f * slope
            s = seasonal[:, k]
            mu = damped * s
            bad |= ~(mu > 0)
            e = y[:, t] / mu - 1.0
            errors[:, t] = e
            log_mu += np.log(np.abs(mu))
            if tangents:
                d_damped = d_level + f[:, None] * d_slope
                d_mu = d_damped * s[:, None] + damped[:, None] * d_season[:, :, k]
                d_e = -(y[:, t] / mu ** 2)[:, None] * d_mu
                jacobian[:, t] = d_e
                d_level = d_damped * (1 + a * e)[:, None] + (damped * a)[:, None] * d_e
                d_slope = f[:, None] * d_slope + b[:, None] * (d_damped * e[:, None] + damped[:, None] * d_e)
                d_season[:, :, k] = d_season[:, :, k] * (1 + g * e)[:, None] + (s * g)[:, None] * d_e
            level = damped * (1 + a * e)
            slope = f * slope + b * damped * e
            seasonal[:, k] = s * (1 + g * e)
    errors[bad] = np.inf
    return errors, log_mu, (level, slope, seasonal), (jacobian if tangents else None)


def _multiplicative_criterion(errors, log_mu):
    """L* = n·log Σεₜ² + 2·Σ log μₜ (Hyndman et al. 2008, eq. 5.3 with r = μ)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        value = errors.shape[1] * np.log((errors ** 2).sum(axis=1)) + 2 * log_mu
    return np.where(np.isfinite(value), value, np.inf)


def _multiplicative_fit(y, alpha, beta, gamma, phi, start, trend, m):
    """Best of the heuristic start and :data:`GAUSS_NEWTON_STEPS` Gauss–Newton steps on x₀:
    the criterion L*, the sum of squared relative errors, the final states and x₀."""
    state = start.copy()
    best_value = np.full(y.shape[0], np.inf)
    best_sse = np.full(y.shape[0], np.inf)
    best_state = start.copy()
    best_final = None
    for step in range(GAUSS_NEWTON_STEPS + 1):
        last = step == GAUSS_NEWTON_STEPS
        errors, log_mu, final, jacobian = _multiplicative_pass(y, alpha, beta, gamma, phi, state, m, not last)
        value = _multiplicative_criterion(errors, log_mu)
        better = value < best_value
        best_value = np.where(better, value, best_value)
        with np.errstate(invalid="ignore", over="ignore"):
            best_sse = np.where(better, (errors ** 2).sum(axis=1), best_sse)
        best_state[better] = state[better]
        if best_final is None:
            best_final = [f.copy() for f in final]
        else:
            for kept, new in zip(best_final, final):
                kept[better] = new[better]
        if last:
            break
        jacobian[:, :, 1] *= trend[:, None]  # no trend state in ETS(M,N,M)
        finite = np.isfinite(errors).all(axis=1)
        e = np.where(finite[:, None], errors, 0.0)
        jac = np.where(finite[:, None, None], jacobian, 0.0)
        # ∂log μₜ/∂x₀ = −(μₜ/yₜ)·∂εₜ/∂x₀, as εₜ = yₜ/μₜ − 1.
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(finite[:, None] & (y != 0), 1.0 / (1.0 + e), 0.0)
        log_mu_gradient = -(jac * ratio[:, :, None]).sum(axis=1)
        step_change = _gauss_newton_step(e, jac, log_mu_gradient, (e ** 2).sum(axis=1) / y.shape[1])
        state = np.where(finite[:, None], state + step_change, state)
        # The seasonal states are defined up to a factor moved into level and trend: keep their mean at 1.
        factor = state[:, 2:].mean(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            state[:, 2:] /= np.where(factor > 0, factor, 1.0)[:, None]
            state[:, :2] *= np.where(factor > 0, factor, 1.0)[:, None]
    return best_value, best_sse, tuple(best_final), best_state


def heuristic_start(y: np.ndarray, m: int, multiplicative: bool):
    """Initial level, trend and seasonal states from the first two seasons (Hyndman et al. 2008, §2.6.1).

    Seasonal states: the first two seasons against their centred 2×m moving average
    (ratios when multiplicative, differences otherwise), normalised to average 1 (sum 0).
    Level and trend: a least-squares line through the seasonally adjusted first two seasons,
    ℓ₀ its value one month before the first and b₀ its slope.

    Example: a flat series with a pure pattern gives that pattern and level 100, trend 0.

    >>> y = np.array([[100 + p for p in [-30, -20, -10, 0, 10, 20, 30, 20, 10, 0, -10, -20] * 2]], float)
    >>> level, trend, season = heuristic_start(y, 12, multiplicative=False)
    >>> round(float(level[0]), 6), round(float(trend[0]), 6), season[0, :3].round(6).tolist()
    (100.0, 0.0, [-30.0, -20.0, -10.0])
    """
    head = y[:, :2 * m]
    weights = np.r_[0.5, np.ones(m - 1), 0.5] / m
    windows = np.lib.stride_tricks.sliding_window_view(head, m + 1, axis=1)
    moving = windows @ weights
    positions = np.arange(m // 2, m // 2 + moving.shape[1])
    centre = head[:, positions]
    with np.errstate(divide="ignore", invalid="ignore"):
        detrended = centre / moving if multiplicative else centre - moving
    seasons = np.empty((y.shape[0], m))
    seasons[:, positions % m] = detrended
    if multiplicative:
        seasons = seasons * m / seasons.sum(axis=1, keepdims=True)
        adjusted = head / np.tile(seasons, 2)
    else:
        seasons = seasons - seasons.mean(axis=1, keepdims=True)
        adjusted = head - np.tile(seasons, 2)
    t = np.arange(1, 2 * m + 1, dtype=float)
    centred = t - t.mean()
    slope = (adjusted - adjusted.mean(axis=1, keepdims=True)) @ centred / (centred @ centred)
    level = adjusted.mean(axis=1) - slope * t.mean()
    return level, slope, seasons


# ---------------------------------------------------------------------------------------------
# The search


def nelder_mead(objective, start: np.ndarray, step: float = 0.6, iterations: int = NELDER_MEAD_ITERATIONS,
                tolerance: float = NELDER_MEAD_TOLERANCE) -> tuple[np.ndarray, np.ndarray]:
    """Minimise ``objective(points, rows)`` for every row at once by Nelder–Mead.

    ``start``: rows × d starting points; ``objective`` takes points (r × d) and the indices of
    the rows they belong to and returns r values (∞ where not admissible). Each row has its
    own simplex (reflection 1, expansion 2, contraction ½, shrink ½: Nelder & Mead, Computer
    Journal 7, 1965); a row stops once its simplex's values differ by less than
    ``tolerance``. Returns the best point and value per row.

    Example: the minimum of (x − 3)² + (y + 1)² and of (x − 1)² + y² together.

    >>> centre = np.array([[3.0, -1.0], [1.0, 0.0]])
    >>> f = lambda p, rows: ((p - centre[rows]) ** 2).sum(axis=1)
    >>> best, value = nelder_mead(f, np.zeros((2, 2)), tolerance=1e-14, iterations=500)
    >>> (best.round(4) + 0.0).tolist()
    [[3.0, -1.0], [1.0, 0.0]]
    """
    rows, d = start.shape
    simplex = start[:, None, :] + np.concatenate([np.zeros((1, d)), step * np.eye(d)])[None]
    index = np.repeat(np.arange(rows), d + 1)
    values = objective(simplex.reshape(-1, d), index).reshape(rows, d + 1)
    active = np.arange(rows)
    for _ in range(iterations):
        if active.size == 0:
            break
        order = np.argsort(values[active], axis=1)
        simplex[active] = np.take_along_axis(simplex[active], order[:, :, None], axis=1)
        values[active] = np.take_along_axis(values[active], order, axis=1)
        with np.errstate(invalid="ignore"):  # ∞ − ∞ where no point is admissible yet: go on
            spread = values[active, -1] - values[active, 0]
        active = active[~(spread <= tolerance)]
        if active.size == 0:
            break
        s, v = simplex[active], values[active]
        centroid = s[:, :-1].mean(axis=1)
        worst = s[:, -1]
        reflected = 2 * centroid - worst
        f_reflected = objective(reflected, active)
        new_point, new_value = reflected.copy(), f_reflected.copy()
        expand = f_reflected < v[:, 0]
        if expand.any():
            expanded = 3 * centroid[expand] - 2 * worst[expand]
            f_expanded = objective(expanded, active[expand])
            take = f_expanded < f_reflected[expand]
            rows_e = np.flatnonzero(expand)[take]
            new_point[rows_e], new_value[rows_e] = expanded[take], f_expanded[take]
        contract = ~(f_reflected < v[:, -2])
        shrink = np.zeros(active.size, dtype=bool)
        if contract.any():
            outside = f_reflected[contract] < v[contract, -1]
            towards = np.where(outside[:, None], reflected[contract], worst[contract])
            contracted = 0.5 * (centroid[contract] + towards)
            f_contracted = objective(contracted, active[contract])
            limit = np.where(outside, f_reflected[contract], v[contract, -1])
            accepted = f_contracted <= limit
            rows_c = np.flatnonzero(contract)
            new_point[rows_c[accepted]] = contracted[accepted]
            new_value[rows_c[accepted]] = f_contracted[accepted]
            shrink[rows_c[~accepted]] = True
        keep = ~shrink
        simplex[active[keep], -1] = new_point[keep]
        values[active[keep], -1] = new_value[keep]
        if shrink.any():
            rows_s = active[shrink]
            best = simplex[rows_s, :1]
            shrunk = best + 0.5 * (simplex[rows_s, 1:] - best)
            simplex[rows_s, 1:] = shrunk
            values[rows_s, 1:] = objective(shrunk.reshape(-1, d), np.repeat(rows_s, d)).reshape(-1, d)
    best = np.argmin(values, axis=1)
    return simplex[np.arange(rows), best], values[np.arange(rows), best]


# ---------------------------------------------------------------------------------------------
# Fitting every model to a block of series


def _flags(models):
    trend = np.array([m.trend != "N" for m in models])
    damped = np.array([m.trend == "Ad" for m in models])
    season = np.array([m.season != "N" for m in models])
    return trend, damped, season


def _fit_family(y: np.ndarray, models, m: int):
    """Fit each of ``models`` (one error type, all seasonal or none) to every row of ``y``.

    Returns per row and model: −2·log L, k, the smoothing parameters, σ² and the final states.
    """
    series, n = y.shape
    count = len(models)
    data = np.repeat(y, count, axis=0)  # row r·count + i: series r, model i
    trend, damped, season = (np.tile(flag, series) for flag in _flags(models))
    rows = np.arange(series * count)
    if models[0].season == "M":
        value, sse, final, (alpha, beta, gamma, phi) = _search_multiplicative(data, trend, damped, season, m)
    else:
        value, sse, final, (alpha, beta, gamma, phi) = _search_linear(data, trend, damped, season, m,
                                                                      relative=models[0].error == "M")
    if models[0].error == "M":
        with np.errstate(divide="ignore", invalid="ignore"):
            log_mu = (value - n * np.log(np.maximum(sse, 1e-300))) / 2  # Σ log μₜ of the criterion
    else:
        log_mu = np.zeros(rows.size)
    with np.errstate(divide="ignore", invalid="ignore"):
        minus_two_loglik = n * np.log(2 * np.pi * np.e * np.maximum(sse, 1e-300) / n) + 2 * log_mu
    k = np.tile([model.parameter_count(m) for model in models], series)
    dof = np.maximum(n - (k - 1), 1)
    return {"value": minus_two_loglik.reshape(series, count), "k": k.reshape(series, count),
            "alpha": alpha.reshape(series, count), "beta": beta.reshape(series, count),
            "gamma": gamma.reshape(series, count), "phi": phi.reshape(series, count),
            "sigma2": (sse / dof).reshape(series, count),
            "final": tuple(f.reshape(series, count, *f.shape[1:]) for f in final)}


def _best_start(objective, rows: int) -> np.ndarray:
    """The starting point of :data:`STARTS` with the smallest criterion, per row."""
    index = np.arange(rows)
    trials = np.array([objective(np.broadcast_to(s, (rows, 4)), index) for s in STARTS])
    return STARTS[np.argmin(trials, axis=0)].copy()


def _search_linear(data, trend, damped, season, m, relative: bool):
    """Models with no or an additive season: Nelder–Mead on the smoothing parameters, x₀ by
    least squares inside (with Gauss–Newton steps on the relative errors when ``relative``)."""
    n = data.shape[1]

    def run(theta, rows):
        alpha, beta, gamma, phi = _smoothing(theta, trend[rows], season[rows], damped[rows])
        if relative:
            value, sse, final = _relative_fit(data[rows], alpha, beta, gamma, phi, trend[rows], season[rows], m)
            return value, sse, final, (alpha, beta, gamma, phi)
        sse, final = _linear_fit(data[rows], alpha, beta, gamma, phi, trend[rows], season[rows], m)
        return n * np.log(np.maximum(sse, 1e-300)), sse, final, (alpha, beta, gamma, phi)

    def objective(theta, rows):
        value = run(theta, rows)[0]
        return np.where(np.isfinite(value), value, np.inf)

    theta, _ = nelder_mead(objective, _best_start(objective, data.shape[0]))
    return run(theta, np.arange(data.shape[0]))


def _search_multiplicative(data, trend, damped, season, m):
    """Multiplicative models: x₀ and the smoothing parameters in turn.

    x₀ starts at the heuristic of §2.6.1; then, :data:`ALTERNATIONS` times, Gauss–Newton
    steps improve x₀ for the current smoothing parameters and Nelder–Mead improves the
    smoothing parameters for that x₀. Each step lowers L*, so the pair converges.
    """
    level, slope, seasons = heuristic_start(data, m, multiplicative=True)
    state = np.column_stack([level, slope * trend, seasons])

    def objective(theta, rows):
        alpha, beta, gamma, phi = _smoothing(theta, trend[rows], season[rows], damped[rows])
        errors, log_mu, _, _ = _multiplicative_pass(data[rows], alpha, beta, gamma, phi, state[rows], m, False)
        return _multiplicative_criterion(errors, log_mu)

    theta = _best_start(objective, data.shape[0])
    for _ in range(ALTERNATIONS):
        alpha, beta, gamma, phi = _smoothing(theta, trend, season, damped)
        state = _multiplicative_fit(data, alpha, beta, gamma, phi, state, trend, m)[3]
        theta, _ = nelder_mead(objective, theta)
    alpha, beta, gamma, phi = _smoothing(theta, trend, season, damped)
    value, sse, final, _ = _multiplicative_fit(data, alpha, beta, gamma, phi, state, trend, m)
    return value, sse, final, (alpha, beta, gamma, phi)


def _aicc(minus_two_loglik, k, n):
    with np.errstate(divide="ignore", invalid="ignore"):
        value = minus_two_loglik + 2 * k + 2 * k * (k + 1) / (n - k - 1)
    return np.where((n - k - 1 > 0) & np.isfinite(value), value, np.inf)


# ---------------------------------------------------------------------------------------------
# Forecasts and intervals


def _damped_sums(phi: np.ndarray, horizon: int) -> np.ndarray:
    """φ + φ² + … + φʰ for h = 1 … horizon (h itself when φ = 1), rows × horizon."""
    return np.cumsum(phi[:, None] ** np.arange(1, horizon + 1)[None, :], axis=1)


def _point_forecasts(level, slope, season, phi, multiplicative, n, m, horizon):
    steps = np.arange(1, horizon + 1)
    base = level[:, None] + _damped_sums(phi, horizon) * slope[:, None]
    seasonal = season[:, (n + steps - 1) % m]
    return np.where(multiplicative[:, None], base * seasonal, base + seasonal)


def _linear_variance(alpha, beta, gamma, phi, sigma2, m, horizon):
    """v_h = σ²[1 + Σⱼ₌₁ʰ⁻¹ cⱼ²], cⱼ = α + β(φ + … + φʲ) + γ·[j mod m = 0] (Hyndman et al. 2008, Table 6.1)."""
    j = np.arange(1, horizon)
    c = (alpha[:, None] + beta[:, None] * _damped_sums(phi, horizon - 1)
         + gamma[:, None] * (j % m == 0)[None, :]) if horizon > 1 else np.zeros((alpha.size, 0))
    return sigma2[:, None] * (1 + np.concatenate([np.zeros((alpha.size, 1)), np.cumsum(c ** 2, axis=1)], axis=1))


def _simulated_quantiles(level, slope, season, seasonal_product, alpha, beta, gamma, phi, sigma2, n, m, horizon,
                         probabilities):
    """Quantiles of ``SIMULATED_PATHS`` future paths of ETS(M,·,·) per series (rows × h per
    probability); ``seasonal_product`` marks the rows with a multiplicative season."""
    # The same standard normal draws for every series (common random numbers): a series'
    # interval does not depend on which other series are fitted with it.
    shocks = np.random.default_rng(SIMULATION_SEED).standard_normal((SIMULATED_PATHS, horizon))
    paths = SIMULATED_PATHS
    out = np.empty((len(probabilities), level.size, horizon))
    chunk = max(1, 2_000_000 // paths)
    for start in range(0, level.size, chunk):
        sl = slice(start, start + chunk)
        rows = level[sl].size
        lv = np.repeat(level[sl, None], paths, axis=1)
        sp = np.repeat(slope[sl, None], paths, axis=1)
        se = np.repeat(season[sl, None, :], paths, axis=1)
        a, b, g, f = (p[sl, None] for p in (alpha, beta, gamma, phi))
        product = seasonal_product[sl, None]
        sd = np.sqrt(np.maximum(sigma2[sl], 0.0))[:, None]
        values = np.empty((rows, paths, horizon))
        for h in range(horizon):
            k = (n + h) % m
            damped = lv + f * sp
            s = se[:, :, k]
            mu = np.where(product, damped * s, damped + s)
            e = np.maximum(shocks[None, :, h] * sd, -1.0)  # y ≥ 0
            values[:, :, h] = mu * (1 + e)
            # Table 2.3: each component moves by its smoothing parameter times the error in its own units.
            base_error = np.where(product, damped, mu) * e
            lv = damped + a * base_error
            sp = f * sp + b * base_error
            se[:, :, k] = np.where(product, s * (1 + g * e), s + g * mu * e)
        out[:, sl] = np.quantile(values, probabilities, axis=1)
    return out


# ---------------------------------------------------------------------------------------------
# Public entry point


def fit_forecast(history, horizon: int, season_length: int = 12, models=None, levels=LEVELS) -> Fit:
    """Fit the ETS family to every row of ``history`` (rows × months, no blanks), select each
    row's model by AICc and forecast ``horizon`` months with prediction intervals.

    ``models`` defaults to every model the row's length allows: the seasonal ones need two
    full seasons (2m months), every model at least k + 2 months for its AICc. Rows whose
    values are not all above zero get no multiplicative model. Rows where nothing fits get
    ``model`` "" and NaN forecasts (the caller falls back to a simpler method).

    Example: a pure seasonal pattern repeating exactly is continued exactly, with an
    interval of width 0 (the seasonal models reproduce it without error).

    >>> pattern = [-30, -20, -10, 0, 10, 20, 30, 20, 10, 0, -10, -20]
    >>> fit = fit_forecast([[100 + p for p in pattern] * 3], 3)
    >>> fit.mean[0].round(6).tolist(), (fit.upper[0.95] - fit.lower[0.95])[0].round(6).tolist()
    ([70.0, 80.0, 90.0], [0.0, 0.0, 0.0])

    Example (Hyndman et al. 2008, §2.3's simple exponential smoothing with α fitted): a series
    that only ever steps to a new level and stays is best followed at once (α → 0.9999).

    >>> fit = fit_forecast([[10.0] * 6 + [20.0] * 6], 2, models=[Model("A", "N", "N")])
    >>> fit.model[0], round(float(fit.alpha[0]), 4), fit.mean[0].round(3).tolist()
    ('ETS(A,N,N)', 0.9999, [20.0, 20.0])
    """
    y = np.asarray(history, dtype=float)
    y = y.reshape(1, -1) if y.ndim == 1 else y
    series, n = y.shape
    m = season_length
    chosen = tuple(models) if models is not None else MODELS
    allowed = tuple(model for model in chosen
                    if (model.season == "N" or n >= 2 * m) and n >= model.parameter_count(m) + 2)
    probabilities = sorted({p for level in levels for p in ((1 - level) / 2, (1 + level) / 2)})
    result = _empty_fit(series, horizon, levels)
    if not allowed or series == 0:
        return result
    for start in range(0, series, BLOCK):
        block = slice(start, start + BLOCK)
        _fit_block(y[block], horizon, m, allowed, levels, probabilities, result, block)
    return result


def _empty_fit(series, horizon, levels) -> Fit:
    nan = np.full(series, np.nan)
    return Fit(model=np.full(series, "", dtype=object), alpha=nan.copy(), beta=nan.copy(), gamma=nan.copy(),
               phi=nan.copy(), sigma2=nan.copy(), loglik=nan.copy(), aicc=np.full(series, np.inf),
               mean=np.full((series, horizon), np.nan), lower={level: np.full((series, horizon), np.nan)
                                                               for level in levels},
               upper={level: np.full((series, horizon), np.nan) for level in levels})


def _fit_block(y, horizon, m, allowed, levels, probabilities, result: Fit, block: slice) -> None:
    series, n = y.shape
    positive = (y > 0).all(axis=1)
    finite = np.isfinite(y).all(axis=1)
    # Fitted together: models of one error type and season type (a non-seasonal family needs
    # no seasonal states, which it then runs without: season length 1).
    families = [tuple(model for model in allowed if (model.error, model.season) == kind)
                for kind in (("A", "N"), ("A", "A"), ("M", "N"), ("M", "A"), ("M", "M"))]
    candidates = []
    for models in families:
        if not models:
            continue
        rows = np.flatnonzero(finite & (positive if models[0].error == "M" else True))
        if rows.size == 0:
            continue
        fitted = _fit_family(y[rows], models, m if models[0].season != "N" else 1)
        for i, model in enumerate(models):
            candidates.append((model, rows, {key: (value[:, i] if key != "final" else tuple(f[:, i] for f in value))
                                             for key, value in fitted.items()}))
    aicc = np.full((series, len(candidates)), np.inf)
    for c, (model, rows, fitted) in enumerate(candidates):
        aicc[rows, c] = _aicc(fitted["value"], fitted["k"], n)
    best = np.argmin(aicc, axis=1)
    fitted_any = np.isfinite(aicc[np.arange(series), best])
    out = {name: np.full(series, np.nan) for name in ("alpha", "beta", "gamma", "phi", "sigma2", "loglik")}
    level, slope = np.zeros(series), np.zeros(series)
    season = np.zeros((series, m))
    relative = np.zeros(series, dtype=bool)      # multiplicative errors
    multiplicative = np.zeros(series, dtype=bool)  # multiplicative season
    names = np.full(series, "", dtype=object)
    for c, (model, rows, fitted) in enumerate(candidates):
        pick = fitted_any[rows] & (best[rows] == c)
        if not pick.any():
            continue
        target = rows[pick]
        names[target] = model.name
        for name in ("alpha", "beta", "gamma", "phi", "sigma2"):
            out[name][target] = fitted[name][pick]
        out["loglik"][target] = -fitted["value"][pick] / 2
        final_level, final_slope, final_season = fitted["final"]
        level[target], slope[target], season[target] = final_level[pick], final_slope[pick], final_season[pick]
        if model.season == "N":
            season[target] = 0.0
        relative[target] = model.error == "M"
        multiplicative[target] = model.season == "M"
    mean = _point_forecasts(level, slope, season, out["phi"], multiplicative, n, m, horizon)
    lower = {level_: np.full((series, horizon), np.nan) for level_ in levels}
    upper = {level_: np.full((series, horizon), np.nan) for level_ in levels}
    linear = fitted_any & ~relative
    if linear.any():
        sd = np.sqrt(_linear_variance(out["alpha"][linear], out["beta"][linear], out["gamma"][linear],
                                      out["phi"][linear], out["sigma2"][linear], m, horizon))
        for level_ in levels:
            z = norm.ppf((1 + level_) / 2)
            lower[level_][linear] = mean[linear] - z * sd
            upper[level_][linear] = mean[linear] + z * sd
    mult = fitted_any & relative
    if mult.any():
        quantiles = _simulated_quantiles(level[mult], slope[mult], season[mult], multiplicative[mult],
                                         out["alpha"][mult], out["beta"][mult], out["gamma"][mult], out["phi"][mult],
                                         out["sigma2"][mult], n, m, horizon, probabilities)
        for level_ in levels:
            lower[level_][mult] = quantiles[probabilities.index((1 - level_) / 2)]
            upper[level_][mult] = quantiles[probabilities.index((1 + level_) / 2)]
    mean[~fitted_any] = np.nan
    result.model[block] = names
    for name in ("alpha", "beta", "gamma", "phi", "sigma2", "loglik"):
        getattr(result, name)[block] = out[name]
    result.aicc[block] = aicc[np.arange(series), best]
    result.mean[block] = mean
    for level_ in levels:
        result.lower[level_][block] = lower[level_]
        result.upper[level_][block] = upper[level_]
