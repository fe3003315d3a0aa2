"""Drift statistics against SciPy (and PSI by hand) on known samples."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps
from scipy.spatial.distance import jensenshannon

from mlops_jupyter.monitoring import stats

rng = np.random.default_rng(0)
SAME_A, SAME_B = rng.normal(0, 1, 800), rng.normal(0, 1, 700)
SHIFTED = rng.normal(0.5, 1, 700)


@pytest.mark.parametrize("a,b", [(SAME_A, SAME_B), (SAME_A, SHIFTED), ([1, 2, 2, 3], [2, 3, 3])])
def test_ks_statistic_equals_scipy(a, b):
    assert stats.ks_statistic(a, b) == pytest.approx(sps.ks_2samp(a, b).statistic, abs=1e-12)


def test_ks_p_value_matches_scipy_asymptotic():
    stat = stats.ks_statistic(SAME_A, SHIFTED)
    expected = sps.ks_2samp(SAME_A, SHIFTED, method="asymp").pvalue
    assert stats.ks_p_value(stat, len(SAME_A), len(SHIFTED)) == pytest.approx(expected, rel=0.05)


@pytest.mark.parametrize("a,b", [(SAME_A, SAME_B), (SAME_A, SHIFTED), ([0, 1, 3], [5, 6, 8])])
def test_wasserstein_equals_scipy(a, b):
    assert stats.wasserstein(a, b) == pytest.approx(sps.wasserstein_distance(a, b), rel=1e-9)


def test_binned_forms_equal_raw_forms_on_bin_points():
    points = [1.0, 2.0, 4.0, 7.0]
    ref_counts, cur_counts = [10, 5, 3, 2], [2, 3, 5, 10]
    ref = np.repeat(points, ref_counts)
    cur = np.repeat(points, cur_counts)
    assert stats.ks_binned(ref_counts, cur_counts) == pytest.approx(sps.ks_2samp(ref, cur).statistic)
    assert stats.wasserstein_binned(points, ref_counts, cur_counts) == pytest.approx(
        sps.wasserstein_distance(ref, cur))


def test_chi_square_equals_scipy():
    expected, observed = [50, 30, 20], [40, 35, 25]
    stat, p = stats.chi_square(expected, observed)
    ref = sps.chisquare(observed, np.array(expected) / 100 * sum(observed))
    assert stat == pytest.approx(ref.statistic) and p == pytest.approx(ref.pvalue)


def test_jensen_shannon_equals_scipy():
    p, q = [0.1, 0.4, 0.5], [0.3, 0.3, 0.4]
    assert stats.jensen_shannon(p, q) == pytest.approx(jensenshannon(p, q, base=2))
    assert stats.jensen_shannon([5, 5], [5, 5]) == 0.0


def test_psi_by_hand():
    e, a = [0.25, 0.25, 0.5], [0.2, 0.3, 0.5]
    by_hand = sum((ai - ei) * math.log(ai / ei) for ei, ai in zip(e, a, strict=True))
    assert stats.psi(e, a) == pytest.approx(by_hand)
    assert stats.psi([10, 0], [0, 10]) > stats.PSI_LIMIT  # empty bins are smoothed, not inf


def test_verdicts_no_drift_below_and_shift_above():
    points = np.linspace(-2, 2, 11)
    ref = np.histogram(SAME_A, bins=11)[0]
    same = stats.compare_numeric("x", points, ref, ref, 1.0)
    assert not same.drift and same.test == "ks"
    shifted = np.roll(ref, 3)
    compare = stats.compare_numeric("x", points, ref, shifted, 1.0)
    assert compare.drift and compare.psi > stats.PSI_LIMIT
    big = stats.compare_numeric("x", points, ref, ref * 100, 1.0)
    assert big.test == "wasserstein" and not big.drift
    cats = stats.compare_categorical("c", [50, 30, 20], [48, 33, 19])
    assert cats.test == "chi_square" and not cats.drift
    moved = stats.compare_categorical("c", [50, 30, 20], [2000, 100, 900])
    assert moved.test == "jensen_shannon" and moved.drift
