"""The shape of a data contract file (close to the Open Data Contract Standard's fields)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


class ContractModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ContractField(ContractModel):
    """One column of the dataset and what is promised about it."""

    name: str = Field(min_length=1)
    type: str | None = Field(
        default=None, description="Logical type: string, integer, number, decimal, float, "
        "boolean, timestamp, date, time, binary, json (None: any type)."
    )
    required: bool = Field(default=False, description="Values must be present (NOT NULL).")
    unique: bool = False
    enum: list[str | int | float | bool] | None = Field(default=None, min_length=1)
    minimum: float | None = None
    maximum: float | None = None
    pii: bool = Field(default=False, description="Personal data: masked in failing-row samples.")
    max_null_rate: float | None = Field(
        default=None, ge=0.0, le=1.0,
        description="Largest share of NULLs allowed (default from quality.completeness).",
    )
    description: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> ContractField:
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError(f"minimum ({self.minimum:g}) is greater than maximum ({self.maximum:g})")
        return self


class Freshness(ContractModel):
    column: str = Field(min_length=1, description="Timestamp field of the newest row.")
    max_delay_minutes: float = Field(gt=0)


class Completeness(ContractModel):
    required_max_null_rate: float = Field(
        default=0.0, ge=0.0, le=1.0, description="NULL share allowed in required fields."
    )
    optional_max_null_rate: float | None = Field(
        default=None, ge=0.0, le=1.0,
        description="NULL share allowed in optional fields (None: not checked).",
    )


class Volume(ContractModel):
    min_daily_records: int | None = Field(default=None, ge=0)
    max_daily_records: int | None = Field(default=None, ge=0)
    column: str | None = Field(
        default=None, description="Timestamp field counting a day's rows (default: freshness's)."
    )

    @model_validator(mode="after")
    def _bounds(self) -> Volume:
        low, high = self.min_daily_records, self.max_daily_records
        if low is None and high is None:
            raise ValueError("give min_daily_records, max_daily_records or both")
        if low is not None and high is not None and low > high:
            raise ValueError(f"min_daily_records ({low}) is greater than max_daily_records ({high})")
        return self


class Quality(ContractModel):
    freshness: Freshness | None = None
    completeness: Completeness = Field(default_factory=Completeness)
    uniqueness: list[str | list[str]] = Field(
        default_factory=list, description="Fields, or combinations of fields, that are unique."
    )
    volume: Volume | None = None


class Contract(ContractModel):
    dataset: str = Field(min_length=1, description="The dataset's name in the agent.")
    table: str | None = Field(default=None, description="table or schema.table (default: dataset)")
    version: str = Field(min_length=1)
    owner: str = ""
    team: str = ""
    tier: str = ""
    criticality: str = ""
    description: str | None = None
    warehouse: str | None = None
    schedule: str | None = Field(default=None, description="interval or cron (default 5m)")
    where: str | None = None
    schema_: list[ContractField] = Field(alias="schema", min_length=1)
    quality: Quality = Field(default_factory=Quality)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def field_names(self) -> list[str]:
        return [item.name for item in self.schema_]

    def pii_fields(self) -> list[str]:
        return [item.name for item in self.schema_ if item.pii]
