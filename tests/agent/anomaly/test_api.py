"""Latest-point API, streaming scorer, config validation, calibration and feedback."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import BaseModel, ValidationError

from agent.anomaly import (
    AnomalyConfig,
    AnomalySetting,
    detect_latest,
    feedback_sensitivity,
    score_latest,
    score_stream,
    severity_from_score,
)

HOURS = np.datetime64("2024-01-01T00:00") + np.arange(24 * 30) * np.timedelta64(1, "h")


def seasonal_series(n_series: int, seed: int = 0) -> np.ndarray:
    t = np.arange(len(HOURS))
    rng = np.random.default_rng(seed)
    return 1000 + 200 * np.sin(2 * np.pi * t / 24)[None, :] + rng.normal(0, 5, (n_series, len(t)))


def test_detect_latest_flags_spike_only() -> None:
    x = seasonal_series(3)
    x[1, -1] += 150  # far off the season, inside the day's range
    x[2, -1] -= 400
    results = detect_latest(x, HOURS, AnomalyConfig(), metrics=["a", "b", "c"])
    assert [r.metric for r in results] == ["a", "b", "c"]
    assert not results[0].is_anomaly and results[0].severity == "none"
    assert results[2].is_anomaly and results[2].type == "drop"
    assert results[2].lower <= results[2].expected <= results[2].upper
    assert results[2].observed < results[2].lower
    assert 0 <= results[2].confidence <= 1


def test_direction_spike_ignores_drops() -> None:
    x = seasonal_series(1)
    x[0, -1] -= 400
    assert detect_latest(x, HOURS, AnomalyConfig())[0].is_anomaly
    assert not detect_latest(x, HOURS, AnomalyConfig(direction="spike"))[0].is_anomaly


def test_false_positive_feedback_lowers_sensitivity() -> None:
    assert feedback_sensitivity(0.5, 0) == 0.5
    assert feedback_sensitivity(0.5, 2) < feedback_sensitivity(0.5, 1) < 0.5
    x = seasonal_series(1)
    x[0, -1] += 320
    plain = detect_latest(x, HOURS, AnomalyConfig())[0]
    marked = detect_latest(x, HOURS, AnomalyConfig(), false_positives=5)[0]
    assert marked.score < plain.score


def test_training_mask_excludes_known_anomalies() -> None:
    x = np.random.default_rng(1).normal(100, 1, (1, 400))
    x[0, 300:399] = 130  # an incident in the history
    x[0, -1] = 130
    mask = np.zeros_like(x, dtype=bool)
    mask[0, 300:399] = True
    cfg = AnomalyConfig(seasonality="none")
    assert not score_latest(x, None, cfg).is_anomaly[0]
    assert score_latest(x, None, cfg, training_mask=mask).is_anomaly[0]


def test_vectorised_latest_equals_per_series() -> None:
    x = seasonal_series(6, seed=4)
    x[2, -1] += 300
    x[4, 100:110] = np.nan
    together = score_latest(x, HOURS)
    for i in range(len(x)):
        alone = score_latest(x[i : i + 1], HOURS)
        np.testing.assert_allclose(together.score[i], alone.score[0], rtol=1e-9)
        np.testing.assert_allclose(together.expected[i], alone.expected[0], rtol=1e-9)


def test_stream_flags_spike_and_not_noise() -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(50, 1, 1500)
    x[1200] = 80
    out = score_stream(x, None, config=AnomalyConfig(seasonality="none"))
    assert out.flag[1200]
    assert out.flag.sum() <= 2
    assert np.all((out.score >= 0) & (out.score <= 1))


def test_stream_is_causal() -> None:
    x = np.random.default_rng(3).normal(10, 1, 800)
    a = score_stream(x, None).score
    y = x.copy()
    y[600:] += 40
    b = score_stream(y, None).score
    np.testing.assert_array_equal(a[:600], b[:600])


def test_severity_levels() -> None:
    assert severity_from_score(0.1) == "none"
    assert severity_from_score(0.5) == "low"
    assert severity_from_score(0.8) == "medium"
    assert severity_from_score(0.95) == "high"
    assert severity_from_score(0.99) == "critical"


class Dataset(BaseModel):
    anomaly: AnomalySetting = None


def test_config_auto_shorthand_and_defaults() -> None:
    assert Dataset(anomaly="auto").anomaly == AnomalyConfig()  # type: ignore[arg-type]
    assert Dataset().anomaly is None
    cfg = AnomalyConfig.model_validate({"metrics": ["row_count"], "direction": "drop",
                                        "exclude": [{"start": "2024-01-02", "end": "2024-01-03"}]})
    mask = cfg.excluded(HOURS)
    assert mask.sum() == 25 and mask[24] and not mask[23]


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"sensitivty": 0.5}, "sensitivty"),
        ({"sensitivity": 0}, "sensitivity"),
        ({"direction": "up"}, "direction"),
        ({"seasonality": "monthly"}, "seasonality"),
        ({"min_history": 500, "training_window": 100}, "min_history"),
        ({"exclude": [{"start": "2024-01-03", "end": "2024-01-02"}]}, "before it starts"),
        ("sometimes", "'auto' or a mapping"),
    ],
)
def test_config_errors_name_the_problem(data: object, fragment: str) -> None:
    with pytest.raises(ValidationError) as err:
        Dataset(anomaly=data)  # type: ignore[arg-type]
    assert fragment in str(err.value)
