"""Quality score of a dataset: one score per dimension and a weighted overall score, in [0, 1].

The formula, applied to the results of one run:

* Every check belongs to one dimension (its type's ``default_dimension``, or ``dimension:`` in
  its config). Checks that errored say nothing about the data and are left out.
* A check's score is ``1 - unexpected_ratio`` when it reports one (row-level "map" checks such as
  not_null or regex: the share of rows that meet the expectation), otherwise 1 when it passed and
  0 when it did not.
* A dimension's score is the mean of its checks' scores weighted by severity (critical 3,
  warning 2, info 1). A dimension without scored checks has no score (it is not exported).
* The overall score is the mean of the dimension scores weighted by ``quality.weights`` (default
  1 for every dimension); dimensions without a score do not count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, field_validator

from agent.checks.base import DIMENSIONS
from agent.checks.results import CheckResult, Severity, Status

if TYPE_CHECKING:
    from agent.snapshot import ResultsSnapshot

SEVERITY_WEIGHTS: dict[str, float] = {
    Severity.CRITICAL.value: 3.0, Severity.WARNING.value: 2.0, Severity.INFO.value: 1.0,
}
SCORE_FAMILY = "dq_dataset_quality_score"
DIMENSION_FAMILY = "dq_dataset_quality_dimension_score"


class QualityConfig(BaseModel):
    """``quality:`` of a dataset: the weight of each dimension in the overall score."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    weights: dict[str, float] = Field(
        default_factory=dict,
        description=f"Weight per dimension ({', '.join(DIMENSIONS)}); unnamed ones weigh 1.",
    )

    @field_validator("weights")
    @classmethod
    def _known_dimensions(cls, weights: dict[str, float]) -> dict[str, float]:
        for name, weight in weights.items():
            if name not in DIMENSIONS:
                raise ValueError(
                    f"unknown quality dimension {name!r}; use one of {', '.join(DIMENSIONS)}"
                )
            if weight < 0:
                raise ValueError(f"the weight of {name} must be >= 0, not {weight}")
        if weights and not any(weights.get(d, 1.0) > 0 for d in DIMENSIONS):
            raise ValueError("at least one dimension needs a positive weight")
        return weights

    def weight(self, dimension: str) -> float:
        return self.weights.get(dimension, 1.0)


@dataclass(frozen=True)
class QualityScore:
    overall: float | None
    dimensions: dict[str, float]

    def to_json(self) -> dict[str, object]:
        return {"overall": self.overall, "dimensions": dict(self.dimensions)}


def check_score(result: CheckResult) -> float | None:
    """One check's contribution in [0, 1], or None when it errored."""
    if result.status == Status.ERROR:
        return None
    ratio = result.outcome.unexpected_ratio
    if ratio is not None:
        return min(1.0, max(0.0, 1.0 - float(ratio)))
    return 1.0 if result.status == Status.PASS else 0.0


def quality_score(
    results: Iterable[CheckResult], config: QualityConfig | None = None
) -> QualityScore:
    """Dimension scores and the weighted overall score of one run's ``results``."""
    config = config or QualityConfig()
    sums: dict[str, float] = {}
    weights: dict[str, float] = {}
    for result in results:
        score = check_score(result)
        if score is None:
            continue
        weight = SEVERITY_WEIGHTS.get(result.severity, SEVERITY_WEIGHTS["warning"])
        dimension = result.dimension or "validity"
        sums[dimension] = sums.get(dimension, 0.0) + weight * score
        weights[dimension] = weights.get(dimension, 0.0) + weight
    dimensions = {d: sums[d] / weights[d] for d in sorted(sums) if weights[d] > 0}
    total = sum(config.weight(d) for d in dimensions)
    overall = (
        sum(config.weight(d) * score for d, score in dimensions.items()) / total
        if total > 0 else None
    )
    return QualityScore(overall=overall, dimensions=dimensions)


def publish_quality(
    snapshot: ResultsSnapshot, warehouse: str, dataset: str, score: QualityScore
) -> None:
    """Replace the dataset's quality gauges with ``score``."""
    snapshot.clear_published(SCORE_FAMILY, dataset)
    snapshot.clear_published(DIMENSION_FAMILY, dataset)
    labels = {"warehouse": warehouse, "dataset": dataset}
    if score.overall is not None:
        snapshot.publish(SCORE_FAMILY, dataset, labels, score.overall)
    for dimension, value in score.dimensions.items():
        snapshot.publish(DIMENSION_FAMILY, dataset, {**labels, "dimension": dimension}, value)
