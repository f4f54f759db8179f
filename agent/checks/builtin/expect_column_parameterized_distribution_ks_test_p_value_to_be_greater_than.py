"""expect_column_parameterized_distribution_ks_test_p_value_to_be_greater_than: the one-sample
Kolmogorov-Smirnov test does not reject that the column's non-null values follow ``distribution``
with ``params`` (p-value >= ``p_value``).

``distribution`` is one of norm, beta, gamma, uniform, chi2, expon; ``params`` either SciPy's
positional arguments (a list) or a mapping, read as Great Expectations reads it: norm
(mean, std_dev), beta (alpha, beta, loc, scale), gamma (alpha, loc, scale), uniform (min, max:
SciPy's loc and scale, so the range is [min, min + max]), chi2 (df, loc, scale), expon (loc,
scale); loc defaults to 0, scale to 1. The test needs the values: one query of its own.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator
from sqlalchemy.engine import Connection

from agent.checks.base import QueryContext
from agent.checks.builtin.ge_base import GEColumnSpec, GEQueryCheck
from agent.checks.builtin.samples import column_floats
from agent.checks.results import Outcome

# distribution -> the mapping keys of its positional arguments (loc and scale may be left out)
ARGUMENTS: dict[str, tuple[str, ...]] = {
    "norm": ("mean", "std_dev"),
    "beta": ("alpha", "beta", "loc", "scale"),
    "gamma": ("alpha", "loc", "scale"),
    "uniform": ("min", "max"),
    "chi2": ("df", "loc", "scale"),
    "expon": ("loc", "scale"),
}
DEFAULTS = {"loc": 0.0, "scale": 1.0}


class ExpectParameterizedKsSpec(GEColumnSpec):
    type: Literal["expect_column_parameterized_distribution_ks_test_p_value_to_be_greater_than"]
    distribution: Literal["norm", "beta", "gamma", "uniform", "chi2", "expon"]
    params: dict[str, float] | list[float]
    p_value: float = Field(default=0.05, gt=0, lt=1)

    @model_validator(mode="after")
    def _arguments(self) -> ExpectParameterizedKsSpec:
        self.arguments()
        return self

    def arguments(self) -> tuple[float, ...]:
        """SciPy's positional arguments of the distribution; ValueError names what is missing."""
        names = ARGUMENTS[self.distribution]
        if isinstance(self.params, list):
            from scipy import stats  # SciPy is imported on use: it takes a second to import
            dist = getattr(stats, self.distribution)
            least = dist.numargs if self.distribution != "uniform" else 2
            if not least <= len(self.params) <= dist.numargs + 2:
                raise ValueError(f"params for {self.distribution} take {least} to "
                                 f"{dist.numargs + 2} positional values ({', '.join(names)})")
            return tuple(self.params)
        unknown = sorted(set(self.params) - set(names))
        missing = [name for name in names if name not in self.params and name not in DEFAULTS]
        if unknown or missing:
            raise ValueError(f"params for {self.distribution} are {', '.join(names)}"
                             f"{'; unknown: ' + ', '.join(unknown) if unknown else ''}"
                             f"{'; missing: ' + ', '.join(missing) if missing else ''}")
        values = tuple(float(self.params.get(name, DEFAULTS.get(name, 0.0))) for name in names)
        for name, value in zip(names, values, strict=True):
            if name in ("std_dev", "scale", "alpha", "beta", "df", "max") and value <= 0:
                raise ValueError(f"params.{name} must be positive")
        return values


class ExpectParameterizedKs(GEQueryCheck[ExpectParameterizedKsSpec]):
    spec_model = ExpectParameterizedKsSpec
    default_dimension = "accuracy"

    def judge(self, connection: Connection, ctx: QueryContext, where: str | None) -> Outcome:
        values, rows = column_floats(connection, ctx, self.column, where)
        if not len(values):
            return Outcome.failed_with_error(f"column {self.column!r} has no non-null values to test")
        arguments = self.spec.arguments()
        from scipy import stats  # SciPy is imported on use: it takes a second to import
        result = stats.kstest(values, self.spec.distribution, args=arguments)
        p_value = float(result.pvalue)
        success = p_value >= self.spec.p_value
        return Outcome(
            success=success, observed_value=p_value, expected_min=self.spec.p_value,
            element_count=rows, missing_count=rows - len(values),
            message=None if success else (
                f"KS p-value {p_value:.3g} is below {self.spec.p_value}: the values do not "
                f"follow {self.spec.distribution}{arguments}"),
            details={"details": {"expected_params": list(arguments),
                                 "observed_ks_result": [float(result.statistic), p_value]}},
        )
