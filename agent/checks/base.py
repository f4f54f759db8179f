"""Base classes of every check type.

A check type is one module under ``agent/checks/builtin``: a ``CheckSpec`` subclass (its YAML
shape) and a ``Check`` subclass naming that spec. Subclassing registers the type; nothing else
needs editing. Aggregate checks declare SQLAlchemy Core expressions, which the planner fuses with
every other check of the dataset into one SELECT; query checks run their own statement.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql.elements import ColumnElement

from agent.checks.results import CheckResult, Outcome, Severity

if TYPE_CHECKING:
    from agent.checks.failing_rows import FailingRowSamples

DIMENSIONS: tuple[str, ...] = (
    "completeness", "validity", "uniqueness", "timeliness", "consistency", "accuracy",
)


class CheckSpec(BaseModel):
    """Fields common to every check in the YAML config."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: str
    name: str | None = Field(
        default=None, description="Unique name within the dataset; defaults to type[_column]."
    )
    severity: Severity = Severity.WARNING
    description: str | None = None
    dimension: str | None = Field(
        default=None, description=f"Quality dimension, one of {', '.join(DIMENSIONS)}."
    )
    alert_after: int = Field(
        default=1, ge=1,
        description="Alert (DataQualityCheckFailed) only after this many consecutive failed "
        "runs; exported as dq_check_alert_threshold.",
    )

    def warehouse_references(self) -> dict[tuple[str, ...], str]:
        """Warehouses the check names, by key path within the check (validated on load)."""
        return {}


class ColumnCheckSpec(CheckSpec):
    column: str = Field(min_length=1)


class MostlySpec(ColumnCheckSpec):
    mostly: float = Field(
        default=1.0, ge=0.0, le=1.0,
        description="Fraction of non-null values that must meet the expectation.",
    )


@dataclass(frozen=True)
class QueryContext:
    """What a check needs to build its expressions against one dataset."""

    table: sa.TableClause
    dialect: Dialect
    now: datetime
    previous: Mapping[str, CheckResult] = field(default_factory=dict)
    """The last computed (not errored) result of each check of the dataset, by check name;
    filled only for datasets with a check whose ``uses_history`` is set."""
    where: str | None = None
    """The dataset's row filter (SQL), for expressions that read the table again in a subquery."""
    failing_row_samples: FailingRowSamples | None = None
    """The dataset's failing-row sample settings, for checks running their own statement that
    sample their failing rows themselves (None: no samples)."""

    def col(self, name: str) -> ColumnElement[Any]:
        return self.table.c[name]

    @property
    def dialect_name(self) -> str:
        return self.dialect.name


@dataclass(frozen=True)
class SideQuery:
    """A scalar an aggregate check needs from outside the dataset's scan (another table, maybe
    in another configured warehouse); the runner runs it and adds the value to ``evaluate``'s."""

    statement: sa.Select[Any]
    warehouse: str | None = None  # a configured warehouse's name; None: the dataset's own


SpecT = TypeVar("SpecT", bound=CheckSpec)

_REGISTRY: dict[str, type[Check[Any]]] = {}


class Check(ABC, Generic[SpecT]):
    """A configured check. Concrete subclasses set ``spec_model`` and register themselves."""

    spec_model: ClassVar[type[CheckSpec]]
    default_dimension: ClassVar[str] = "validity"
    uses_history: ClassVar[bool] = False  # evaluation reads QueryContext.previous

    def __init__(self, spec: SpecT) -> None:
        self.spec = spec

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        spec_model = cls.__dict__.get("spec_model")
        if spec_model is None:
            return  # an abstract intermediate class
        type_name = check_type_of(spec_model)
        if type_name in _REGISTRY and _REGISTRY[type_name] is not cls:
            raise TypeError(f"check type {type_name!r} is registered twice")
        _REGISTRY[type_name] = cls

    @property
    def check_type(self) -> str:
        return self.spec.type

    @property
    def column(self) -> str:
        return str(getattr(self.spec, "column", "") or "")

    @property
    def name(self) -> str:
        if self.spec.name:
            return self.spec.name
        return f"{self.check_type}_{self.column}" if self.column else self.check_type

    @property
    def dimension(self) -> str:
        return self.spec.dimension or self.default_dimension

    def columns(self) -> set[str]:
        """Columns of the dataset the check reads."""
        return {self.column} if self.column else set()

    def failing_rows(self, ctx: QueryContext, where: str | None) -> ColumnElement[bool] | None:
        """True for a row of the dataset that fails the check, for failing-row samples; None
        when the check has no row-level verdict. ``where`` is the dataset's filter, for
        predicates that read the table again (duplicates)."""
        return None

    def failing_rows_first(
        self, ctx: QueryContext, where: str | None
    ) -> ColumnElement[bool] | None:
        """A cheaper predicate a sample tries before :meth:`failing_rows`: every row it selects
        fails the check, but it may select fewer of them; the sample falls back to
        :meth:`failing_rows` when it finds fewer rows than it asks for. None: no such shortcut."""
        return None


class AggregateCheck(Check[SpecT]):
    """A check computed from aggregate expressions over the dataset's rows (fusable)."""

    samplable: ClassVar[bool] = False
    """Whether the verdict stays meaningful on a uniform sample of the rows (a dataset's
    ``sample:``): counts and shares do; extremes, distinct counts and duplicates do not, and
    checks that are not samplable always read every row."""
    extrapolated: ClassVar[frozenset[str]] = frozenset()
    """Metrics that are counts or sums over rows: on a sample they are scaled up to the table
    before :meth:`evaluate`; the others (shares, means) are kept as measured."""

    @abstractmethod
    def metrics(self, ctx: QueryContext) -> dict[str, ColumnElement[Any]]:
        """Named aggregate expressions; identical ones across checks are computed once."""

    @abstractmethod
    def evaluate(self, values: Mapping[str, Any], ctx: QueryContext) -> Outcome:
        """The verdict from the values of :meth:`metrics` (and of :meth:`side_queries`), keyed
        by the same names."""

    def side_queries(self, ctx: QueryContext) -> dict[str, SideQuery]:
        """Named scalars from statements of their own (none by default)."""
        return {}


class QueryCheck(Check[SpecT]):
    """A check that needs a statement of its own (it cannot be fused)."""

    @abstractmethod
    def run(self, connection: Connection, ctx: QueryContext, where: str | None) -> Outcome:
        """Run on ``connection`` (already read-only where the dialect allows) and judge."""


def check_type_of(spec_model: type[CheckSpec]) -> str:
    """The ``type`` literal a spec model accepts."""
    annotation = spec_model.model_fields["type"].annotation
    args: tuple[Any, ...] = tuple(getattr(annotation, "__args__", ()))
    if len(args) != 1 or not isinstance(args[0], str):
        raise TypeError(f"{spec_model.__name__}.type must be a single Literal['name']")
    return args[0]


def registered_checks() -> dict[str, type[Check[Any]]]:
    return dict(_REGISTRY)


def build_check(spec: CheckSpec) -> Check[Any]:
    try:
        return _REGISTRY[spec.type](spec)
    except KeyError:
        known = ", ".join(sorted(_REGISTRY))
        raise ValueError(f"unknown check type {spec.type!r}; known types: {known}") from None
