"""Median and 95th percentile of timing samples, the same way in every benchmark."""

from __future__ import annotations

import statistics
from collections.abc import Sequence


def median(samples: Sequence[float]) -> float:
    """NaN for no samples: a row of the table stays printable."""
    return statistics.median(samples) if samples else float("nan")


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The sample at `fraction` of the sorted samples (nearest rank); NaN for no samples."""
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def p95(samples: Sequence[float]) -> float:
    return percentile(samples, 0.95)
