"""drift: the column's current distribution against a reference profile's sketches.

Numeric and temporal columns: Kolmogorov-Smirnov on KLL sketches (``ks``, the default) or PSI
over the reference's quantile bins (``psi``). String columns: chi-square on frequent-items counts
(``chi_square``, the default) or PSI over category shares (``categorical_psi``). The reference is
the pinned profile of the dataset's table, a given profile id, or the merge of the newest ``runs``
stored profiles. The observed value is the statistic (KS distance, chi-square or PSI); for ``ks``
and ``chi_square`` the threshold is the significance level, for the PSI methods the PSI limit.
"""

from __future__ import annotations

from typing import Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy.engine import Connection

from agent.checks.base import ColumnCheckSpec, QueryCheck, QueryContext
from agent.checks.results import Outcome
from agent.profiling import references
from agent.profiling.config import SampleMethod, SampleShare, parse_sample
from agent.profiling.drift import (
    DEFAULT_ALPHA,
    DEFAULT_PSI_BINS,
    DEFAULT_PSI_THRESHOLD,
    DriftInputError,
    DriftResult,
    categorical_psi_drift,
    chi_square_drift,
    ks_drift,
    psi_drift,
)
from agent.profiling.reader import ProfilingError, describe_columns, select_columns, stream_batches
from agent.profiling.sampling import FULL, SamplePlan
from agent.sketches import ColumnSketch, SketchError
from agent.warehouses.readonly import begin_read_only, end_read_only

Method = Literal["auto", "ks", "psi", "chi_square", "categorical_psi"]
_NUMERIC_METHODS = {"ks", "psi"}
BATCH_ROWS = 50_000


class DriftReference(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    pinned: bool = Field(default=False, description="The profile pinned with dq-agent profile --pin.")
    profile: str | None = Field(default=None, description="A stored profile id (pr_...).")
    runs: int = Field(default=1, ge=1, le=100, description="Merge of the newest N stored profiles.")

    @model_validator(mode="after")
    def _one_kind(self) -> DriftReference:
        if self.pinned and self.profile is not None:
            raise ValueError("give pinned or profile, not both")
        return self


class DriftSpec(ColumnCheckSpec):
    type: Literal["drift"]
    method: Method = "auto"
    threshold: float | None = Field(
        default=None, gt=0.0,
        description="Significance level for ks / chi_square (0.05), PSI limit for psi (0.2).",
    )
    bins: int = Field(default=DEFAULT_PSI_BINS, ge=2, le=1000)
    reference: DriftReference = DriftReference()
    sample: SampleShare = Field(default=None, description="Read only this share of rows, e.g. '5%'.")
    sample_method: SampleMethod = "bernoulli"

    @field_validator("sample", mode="before")
    @classmethod
    def _sample(cls, value: Any) -> float | None:
        return parse_sample(value)

    @model_validator(mode="after")
    def _threshold_range(self) -> DriftSpec:
        if self.method in {"ks", "chi_square"} and self.threshold is not None and self.threshold >= 1:
            raise ValueError(f"threshold for {self.method} is a significance level: 0 < threshold < 1")
        return self


class DriftCheck(QueryCheck[DriftSpec]):
    spec_model = DriftSpec
    default_dimension = "accuracy"

    def run(self, connection: Connection, ctx: QueryContext, where: str | None) -> Outcome:
        schema, table = ctx.table.schema, ctx.table.name
        table_name = f"{schema}.{table}" if schema else table
        try:
            current = self._current_sketch(connection, schema, table, where)
            reference, described = self._reference(table_name)
            result = self._compare(reference, current)
        except (ProfilingError, SketchError, references.NoReferenceStore, LookupError) as exc:
            return Outcome.failed_with_error(str(exc))
        if result.method in {"ks", "chi_square"}:
            verdict = f"p-value {result.p_value:.3g} {'<' if result.drifted else '>='} {result.threshold:g}"
        else:
            verdict = f"PSI {result.statistic:.3g} {'>' if result.drifted else '<='} {result.threshold:g}"
        return Outcome(
            success=not result.drifted,
            observed_value=result.statistic,
            expected_max=result.threshold if result.method not in {"ks", "chi_square"} else None,
            element_count=current.count,
            missing_count=current.null_count,
            message=f"{result.method} drift against {described}: {verdict}",
            details={"method": result.method, "p_value": result.p_value, "threshold": result.threshold,
                     "drifted": result.drifted, "reference": described},
        )

    def _current_sketch(
        self, connection: Connection, schema: str | None, table: str, where: str | None
    ) -> ColumnSketch:
        [info] = describe_columns(connection, schema, table, [self.spec.column])
        plan = FULL
        if self.spec.sample is not None:
            plan = SamplePlan(self.spec.sample, None, self.spec.sample_method)
        source = sa.table(table, sa.column(info.name), schema=schema)
        statement = select_columns(source, [info], connection.dialect.name, plan, where=where)
        sketch = ColumnSketch(info.name, info.kind)
        begin_read_only(connection)
        try:
            for batch in stream_batches(connection, statement, [info], BATCH_ROWS):
                sketch.update(batch[info.name])
        finally:
            end_read_only(connection)
        return sketch

    def _reference(self, table_name: str) -> tuple[ColumnSketch, str]:
        store = references.current()
        spec = self.spec.reference
        if spec.profile is not None:
            found = store.get(spec.profile)
            profiles = [found] if found is not None else []
            what = f"profile {spec.profile}"
        elif spec.pinned:
            pinned = store.pinned(table=table_name)
            profiles = [pinned] if pinned is not None else []
            what = "the pinned profile"
        else:
            profiles = store.recent_for(table=table_name, limit=spec.runs)
            what = f"the last {spec.runs} profile(s)"
        usable = [p for p in profiles if self.spec.column in p.sketches]
        if not usable:
            raise LookupError(
                f"no reference for drift of {table_name}.{self.spec.column}: {what} not found with "
                "a sketch of this column; run `dq-agent profile` on the dataset first"
                + (" and pin one with --pin" if spec.pinned else "")
            )
        merged = ColumnSketch.from_bytes(usable[0].sketches[self.spec.column].to_bytes())
        for extra in usable[1:]:
            merged.merge(extra.sketches[self.spec.column])
        ids = ", ".join(p.profile.profile_id or "?" for p in usable)
        return merged, f"{what} ({ids})"

    def _compare(self, reference: ColumnSketch, current: ColumnSketch) -> DriftResult:
        method = self.spec.method
        numeric = current.kind != "string"
        if method == "auto":
            method = "ks" if numeric else "chi_square"
        if (method in _NUMERIC_METHODS) != numeric:
            raise ProfilingError(
                f"drift method {method} does not fit {current.kind} column {current.name!r}; use "
                + ("ks or psi" if numeric else "chi_square or categorical_psi")
            )
        if reference.kind != current.kind:
            raise ProfilingError(
                f"column {current.name!r} is {current.kind} now but {reference.kind} in the reference"
            )
        try:
            if method == "ks":
                assert reference.kll is not None and current.kll is not None
                return ks_drift(reference.kll, current.kll, self.spec.threshold or DEFAULT_ALPHA)
            if method == "psi":
                assert reference.kll is not None and current.kll is not None
                return psi_drift(reference.kll, current.kll, self.spec.bins,
                                 self.spec.threshold or DEFAULT_PSI_THRESHOLD)
            if method == "chi_square":
                return chi_square_drift(reference.frequent, current.frequent,
                                        self.spec.threshold or DEFAULT_ALPHA)
            return categorical_psi_drift(reference.frequent, current.frequent,
                                         self.spec.threshold or DEFAULT_PSI_THRESHOLD)
        except DriftInputError as exc:
            raise ProfilingError(str(exc)) from None
