"""Drift statistics, on raw samples and on binned counts.

The reference of a model is kept as a compact profile (bin edges and counts), so
production data is compared bin against bin. Each statistic exists in both forms;
the raw-sample forms are checked against SciPy in the tests, and the binned forms
equal the raw ones when the samples fall on the bin points.

Test choice (the rule Evidently popularised): a numeric feature gets the
Kolmogorov-Smirnov test while the current window is small (<= 1,000 values) and the
Wasserstein distance normalized by the reference's standard deviation above that;
a categorical one gets Pearson's chi-square, then the Jensen-Shannon distance.
PSI is computed for every feature.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

SMALL_SAMPLE = 1000
P_VALUE = 0.05  # KS and chi-square: drift when p < 0.05
WASSERSTEIN_LIMIT = 0.1  # in reference standard deviations
JENSEN_SHANNON_LIMIT = 0.1
PSI_LIMIT = 0.2  # the industry's "significant shift"
_EPS = 1e-4


# -- raw samples ------------------------------------------------------------------------
def ks_statistic(a: Sequence[float], b: Sequence[float]) -> float:
    """Two-sample Kolmogorov-Smirnov statistic: the largest gap between the ECDFs."""
    x, y = np.sort(np.asarray(a, float)), np.sort(np.asarray(b, float))
    grid = np.concatenate([x, y])
    cdf_x = np.searchsorted(x, grid, side="right") / len(x)
    cdf_y = np.searchsorted(y, grid, side="right") / len(y)
    return float(np.max(np.abs(cdf_x - cdf_y)))


def ks_p_value(statistic: float, n: int, m: int) -> float:
    """Asymptotic p-value of the two-sample KS statistic (Kolmogorov distribution)."""
    from scipy.stats import kstwo

    en = n * m / (n + m)
    return float(kstwo.sf(statistic, round(en)))


def wasserstein(a: Sequence[float], b: Sequence[float]) -> float:
    """First Wasserstein (earth mover's) distance between two 1-D samples."""
    x, y = np.sort(np.asarray(a, float)), np.sort(np.asarray(b, float))
    grid = np.sort(np.concatenate([x, y]))
    deltas = np.diff(grid)
    cdf_x = np.searchsorted(x, grid[:-1], side="right") / len(x)
    cdf_y = np.searchsorted(y, grid[:-1], side="right") / len(y)
    return float(np.sum(np.abs(cdf_x - cdf_y) * deltas))


def psi(expected: Sequence[float], actual: Sequence[float]) -> float:
    """Population stability index of two histograms (counts or proportions)."""
    e = _proportions(expected)
    a = _proportions(actual)
    return float(np.sum((a - e) * np.log(a / e)))


def chi_square(expected: Sequence[float], observed: Sequence[float]) -> tuple[float, float]:
    """Pearson's chi-square of observed counts against the expected distribution.

    Returns (statistic, p-value). Categories never seen in the reference get a
    small expected share instead of a division by zero.
    """
    from scipy.stats import chi2

    obs = np.asarray(observed, float)
    exp = _proportions(expected) * obs.sum()
    stat = float(np.sum((obs - exp) ** 2 / exp))
    dof = max(len(obs) - 1, 1)
    return stat, float(chi2.sf(stat, dof))


def jensen_shannon(p: Sequence[float], q: Sequence[float]) -> float:
    """Jensen-Shannon distance (base 2, in [0, 1]) between two histograms."""
    pp = np.asarray(p, float) / np.sum(p)
    qq = np.asarray(q, float) / np.sum(q)
    m = (pp + qq) / 2

    def kl(u: np.ndarray, v: np.ndarray) -> float:
        mask = u > 0
        return float(np.sum(u[mask] * np.log2(u[mask] / v[mask])))

    return math.sqrt(max((kl(pp, m) + kl(qq, m)) / 2, 0.0))


def _proportions(counts: Sequence[float]) -> np.ndarray:
    arr = np.asarray(counts, float)
    total = arr.sum()
    share = arr / total if total > 0 else np.full(len(arr), 1 / len(arr))
    return np.clip(share, _EPS, None)


# -- binned counts ------------------------------------------------------------------------
def ks_binned(ref: Sequence[float], cur: Sequence[float]) -> float:
    """KS statistic of two histograms over the same ordered bins."""
    r = np.cumsum(ref) / np.sum(ref)
    c = np.cumsum(cur) / np.sum(cur)
    return float(np.max(np.abs(r - c)))


def wasserstein_binned(points: Sequence[float], ref: Sequence[float],
                       cur: Sequence[float]) -> float:
    """Wasserstein distance of two histograms whose bins sit at ``points`` (ascending)."""
    pts = np.asarray(points, float)
    r = np.cumsum(ref) / np.sum(ref)
    c = np.cumsum(cur) / np.sum(cur)
    return float(np.sum(np.abs(r - c)[:-1] * np.diff(pts)))


@dataclass(frozen=True)
class DriftResult:
    """The verdict for one feature (or the prediction) in one window."""

    feature: str
    kind: str  # numeric | categorical
    test: str  # ks | wasserstein | chi_square | jensen_shannon
    statistic: float
    p_value: float | None
    psi: float
    drift: bool
    n_reference: int
    n_current: int


def compare_numeric(feature: str, points: Sequence[float], ref: Sequence[float],
                    cur: Sequence[float], ref_std: float) -> DriftResult:
    """Numeric drift of binned counts (bins at ``points``, ascending)."""
    n, m = int(np.sum(ref)), int(np.sum(cur))
    index = psi(ref, cur)
    if m <= SMALL_SAMPLE:
        stat = ks_binned(ref, cur)
        p = ks_p_value(stat, n, m)
        return DriftResult(feature, "numeric", "ks", stat, p, index, p < P_VALUE, n, m)
    dist = wasserstein_binned(points, ref, cur) / (ref_std if ref_std > 0 else 1.0)
    return DriftResult(feature, "numeric", "wasserstein", dist, None, index,
                       dist > WASSERSTEIN_LIMIT, n, m)


def compare_categorical(feature: str, ref: Sequence[float],
                        cur: Sequence[float]) -> DriftResult:
    n, m = int(np.sum(ref)), int(np.sum(cur))
    index = psi(ref, cur)
    if m <= SMALL_SAMPLE:
        stat, p = chi_square(ref, cur)
        return DriftResult(feature, "categorical", "chi_square", stat, p, index,
                           p < P_VALUE, n, m)
    dist = jensen_shannon(ref, cur)
    return DriftResult(feature, "categorical", "jensen_shannon", dist, None, index,
                       dist > JENSEN_SHANNON_LIMIT, n, m)
