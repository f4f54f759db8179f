"""Anomaly detection on metric history, vectorised over many series.

API used by the agent (history store -> exporter)::

    from agent.anomaly import AnomalyConfig, AnomalyResult, detect_latest

    results: list[AnomalyResult] = detect_latest(
        values,            # float64 (n_series, n_points), oldest first, NaN = missing;
                           # the LAST column is the point being judged
        timestamps,        # (n_points,) datetime64 or ISO strings shared by the rows, or None
        config,            # AnomalyConfig (``anomaly:`` of the dataset), None = defaults
        metrics=names,     # one name per row (AnomalyResult.metric)
        training_mask=m,   # optional bool (n_series, n_points): True = leave out of training
                           # (known anomalies, points a user marked as false positives)
        false_positives=k, # int or one per row: false alarms marked by users on the series;
                           # each lowers that series' sensitivity (calibration.feedback_sensitivity)
    )

Each :class:`AnomalyResult` carries metric, observed, expected, lower, upper (the band of
values the model accepts), score in [0, 1] (0.5 = alert threshold), confidence in [0, 1],
severity (none/low/medium/high/critical from the score), type (none/spike/drop/level_shift/
drift), method and is_anomaly. It maps onto dq_anomaly_score, dq_anomaly_expected_value,
dq_anomaly_lower_bound, dq_anomaly_upper_bound and dq_anomaly_detected.

:func:`score_latest` is the array form (no per-series objects) and :func:`score_stream`
judges every point of one series from the points before it (``dq-agent anomaly score``).

Both decide the same way (``verdict``): the score is the anomaly likelihood of
``likelihood`` (is the recent average deviation of the ensemble's models unusual for this
series' own record of deviations?), the point ensemble judging alone until that record is long
enough, and a point EXTREME_FACTOR times beyond the alert deviation alerting on its own. The
differences, both from what each path has at hand:

- the stream scores every point causally and keeps LONG_WINDOW (4000) points of deviations;
  the latest path sees only ``training_window`` points (720 by default; the likelihood needs
  MIN_LONG + SHORT_WINDOW of them, else the point ensemble judges), takes the window models'
  deviations of the history in-sample (novelty's from the running extremes, Holt-Winters' are
  its one-step-ahead errors, as in the stream) and samples every LATEST_STRIDE-th short-term
  window;
- the stream raises an alert at the onset of an anomalous run and holds off HOLD_OFF points;
  the latest path reports ``is_anomaly`` for every anomalous point (dq_anomaly_detected stays
  1 during the run; alert rules fire once on it).

On NAB (``benchmarks/nab_benchmark.py --agent-path``) the latest path, with the same
constants, scores below the stream (see the benchmark's output); the stream is the reference.
Detectors, one module each, all vectorised over rows: ``zscore``, ``robust_zscore``
(median/MAD), ``iqr`` (Tukey fences), ``novelty`` (beyond the window's extremes), ``seasonal``
(seasonal median/MAD; season length from the sampling interval and autocorrelation, see
``periodicity``), ``holt_winters`` (level, damped trend, season) and ``cusum`` (level shifts).
``ensemble`` combines the point verdicts: a point anomaly must be far from every model that
has an opinion (CUSUM is available as a method of its own).
"""

from agent.anomaly.calibration import ALERT_THRESHOLD, feedback_sensitivity
from agent.anomaly.config import AnomalyConfig, AnomalySetting, TimeRange
from agent.anomaly.latest import detect_latest, score_latest
from agent.anomaly.result import AnomalyResult, AnomalyType, severity_from_score
from agent.anomaly.streaming import read_series_csv, score_stream

__all__ = [
    "ALERT_THRESHOLD",
    "AnomalyConfig",
    "AnomalyResult",
    "AnomalySetting",
    "AnomalyType",
    "TimeRange",
    "detect_latest",
    "feedback_sensitivity",
    "read_series_csv",
    "score_latest",
    "score_stream",
    "severity_from_score",
]
