"""Verdicts on the latest point of many series at once (what the agent runs after each check)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import ModuleType

import numpy as np

from agent.anomaly import seasonal
from agent.anomaly.calibration import directional, feedback_sensitivity, z_threshold
from agent.anomaly.config import AnomalyConfig
from agent.anomaly.ensemble import DETECTORS, SEASON_BLIND, Scored, combine, members
from agent.anomaly.likelihood import MIN_LONG, SHORT_WINDOW, latest_likelihood
from agent.anomaly.nanstats import valid_count
from agent.anomaly.params import DetectorParams
from agent.anomaly.periodicity import calendar_periods, detect_period, sampling_interval_seconds
from agent.anomaly.result import AnomalyResult, AnomalyType, DetectorOutput, severity_from_score
from agent.anomaly.verdict import likelihood_verdict

SEASONAL_MEMBERS = frozenset({"seasonal", "holt_winters"})


def _as_2d(values: np.ndarray) -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2:
        raise ValueError(f"values must be 1-D or 2-D (n_series, n_points), got shape {arr.shape}")
    return arr


DetectDev = Callable[[np.ndarray, np.ndarray, DetectorParams], tuple[DetectorOutput, np.ndarray]]


def _run_member(module: ModuleType, history: np.ndarray, current: np.ndarray,
                params: DetectorParams, with_deviations: bool
                ) -> tuple[DetectorOutput, np.ndarray | None]:
    """A detector on the given rows, with the history's deviations (S, T) when asked for and
    the detector offers them."""
    detect_dev: DetectDev | None = getattr(module, "detect_with_deviations", None)
    if with_deviations and detect_dev is not None:
        return detect_dev(history, current, params)
    return module.detect(history, current, params), None


def series_periods(history: np.ndarray, timestamps: np.ndarray | None,
                   config: AnomalyConfig) -> np.ndarray:
    """Season length (points) of each row of ``history``; 0 where none is found."""
    step = sampling_interval_seconds(timestamps)
    if step is None:
        candidates = [] if config.seasonality == "none" else list(
            range(2, min(history.shape[1] // 2, 400) + 1))
    else:
        candidates = calendar_periods(step, config.seasonality)
    return detect_period(history[:, -config.training_window :], candidates)


def score_latest(
    values: np.ndarray,
    timestamps: np.ndarray | Sequence[object] | None = None,
    config: AnomalyConfig | None = None,
    training_mask: np.ndarray | None = None,
    sensitivity: np.ndarray | float | None = None,
) -> Scored:
    """Score the last column of ``values`` (n_series, n_points) from the columns before it.

    ``training_mask`` (same shape, True = leave out) removes known anomalies and user-marked
    false positives from training; ``sensitivity`` overrides the config per series (after
    false-positive feedback). Every field of the result has shape (n_series,).
    """
    cfg = config or AnomalyConfig()
    x = _as_2d(values)
    if x.shape[1] < 2:
        raise ValueError("values need at least two points per series (history and latest)")
    train = x if training_mask is None else np.where(np.asarray(training_mask, bool), np.nan, x)
    ts = None if timestamps is None else np.asarray(timestamps, dtype="datetime64[ns]")
    if ts is not None and cfg.exclude:
        train = np.where(cfg.excluded(ts)[None, :], np.nan, train)
    history = train[:, :-1][:, -cfg.training_window :]
    current = x[:, -1]
    n_series = x.shape[0]
    names = members(cfg.method)
    periods = (series_periods(history, ts, cfg) if SEASONAL_MEMBERS & set(names)
               else np.zeros(n_series, dtype=np.int64))
    parts: dict[str, DetectorOutput] = {}
    deviations: dict[str, np.ndarray] = {}
    with_deviations = history.shape[1] >= MIN_LONG + SHORT_WINDOW
    # seasonal models first: where the seasonal baseline has a verdict, the point ensemble
    # ignores the season-blind models, so without the likelihood (whose record of deviations
    # uses every model) those are only computed for the other rows
    for name in sorted(names, key=lambda n: n not in SEASONAL_MEMBERS):
        module = DETECTORS[name]
        if name in SEASONAL_MEMBERS:
            groups = [(int(p), periods == p) for p in np.unique(periods)]
        elif name in SEASON_BLIND and seasonal.NAME in parts and not with_deviations:
            groups = [(0, np.isnan(parts[seasonal.NAME].z))]
        else:
            groups = [(0, np.ones(n_series, dtype=bool))]
        outs = []
        for period, rows in groups:
            if not rows.any() or (name == seasonal.NAME and period == 0):
                continue  # (the seasonal baseline abstains without a season)
            params = DetectorParams(cfg.training_window, cfg.min_history, period)
            every = bool(rows.all())
            outs.append((rows, *_run_member(module, history if every else history[rows],
                                           current if every else current[rows], params,
                                           with_deviations)))
        parts[name], dev = _merge(outs, n_series, history.shape)
        if dev is not None:
            deviations[name] = dev
    sens = cfg.sensitivity if sensitivity is None else sensitivity
    z_thr = z_threshold(sens)
    scored = combine(parts, z_thr, cfg.direction)
    history_share = np.minimum(1.0, valid_count(history) / cfg.training_window)
    confidence = scored.confidence * (0.5 + 0.5 * np.sqrt(history_share))
    if deviations:
        lz = latest_likelihood(
            [deviations[n] for n in deviations],
            [np.abs(directional(parts[n].z, cfg.direction)) for n in deviations],
            cfg.direction)
        scored = likelihood_verdict(scored, lz, z_thr)
    return Scored(scored.expected, scored.lower, scored.upper, scored.score, confidence,
                  scored.z, scored.kind)


def _merge(outs: list[tuple[np.ndarray, DetectorOutput, np.ndarray | None]], n_series: int,
           shape: tuple[int, ...]) -> tuple[DetectorOutput, np.ndarray | None]:
    """One output (all rows; NaN where no group ran) from a detector's outputs on disjoint
    groups of rows."""
    if len(outs) == 1 and outs[0][0].all():
        return outs[0][1], outs[0][2]
    fields = {k: np.full(n_series, np.nan) for k in ("expected", "scale", "z")}
    kind = np.zeros(n_series, dtype=np.int8)
    with_dev = bool(outs) and outs[0][2] is not None
    dev = np.full(shape, np.nan, dtype=np.float32) if with_dev else None
    for rows, out, part_dev in outs:
        for k in fields:
            fields[k][rows] = getattr(out, k)
        kind[rows] = out.kind
        if dev is not None and part_dev is not None:
            dev[rows] = part_dev
    return DetectorOutput(fields["expected"], fields["scale"], fields["z"], kind), dev


def detect_latest(
    values: np.ndarray,
    timestamps: np.ndarray | Sequence[object] | None,
    config: AnomalyConfig | None = None,
    metrics: Sequence[str] | None = None,
    training_mask: np.ndarray | None = None,
    false_positives: Sequence[int] | int = 0,
) -> list[AnomalyResult]:
    """One :class:`AnomalyResult` per series (row of ``values``) for its latest point.

    ``metrics`` names the rows (default ``series_<i>``); ``false_positives`` counts the alerts a
    user marked as false on each series, each of which lowers that series' sensitivity.
    """
    cfg = config or AnomalyConfig()
    x = _as_2d(values)
    names = list(metrics) if metrics is not None else [f"series_{i}" for i in range(len(x))]
    if len(names) != len(x):
        raise ValueError(f"{len(names)} metric names for {len(x)} series")
    marks = np.broadcast_to(np.asarray(false_positives, dtype=np.int64), (len(x),))
    sens = np.array([feedback_sensitivity(cfg.sensitivity, int(m)) for m in marks])
    scored = score_latest(x, timestamps, cfg, training_mask, sens)
    method = "ensemble" if cfg.method == "auto" else cfg.method
    results = []
    for i, name in enumerate(names):
        score = float(scored.score[i])
        results.append(AnomalyResult(
            metric=name,
            observed=float(x[i, -1]),
            expected=float(scored.expected[i]),
            lower=float(scored.lower[i]),
            upper=float(scored.upper[i]),
            score=score,
            confidence=float(scored.confidence[i]),
            severity=severity_from_score(score),
            type=AnomalyType(int(scored.kind[i])).label,
            method=method,
            is_anomaly=bool(scored.is_anomaly[i]),
        ))
    return results
