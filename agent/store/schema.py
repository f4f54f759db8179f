"""Tables of the history store (SQLAlchemy Core). Changes go through migrations.py only."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

schema_version = sa.Table(
    "dq_schema_version", metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("applied_at", sa.Float, nullable=False),
)

validation_rules = sa.Table(
    "dq_validation_rules", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("rule_id", sa.String(255), nullable=False),
    sa.Column("dataset", sa.String(255), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("definition", sa.Text, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.UniqueConstraint("rule_id", "version", name="uq_rule_version"),
)

validation_runs = sa.Table(
    "dq_validation_runs", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("run_id", sa.String(64), nullable=False, unique=True),
    sa.Column("dataset", sa.String(255), nullable=False),
    sa.Column("warehouse", sa.String(255), nullable=False),
    sa.Column("rule_id", sa.String(255), nullable=True),
    sa.Column("started_at", sa.Float, nullable=False),
    sa.Column("duration_seconds", sa.Float, nullable=False),
    sa.Column("overall_result", sa.String(16), nullable=False),
    sa.Column("row_count", sa.BigInteger, nullable=True),
    sa.Column("results", sa.Text, nullable=False),
    sa.Index("ix_runs_dataset_started", "dataset", "started_at"),
    sa.Index("ix_runs_started", "started_at"),
)

metric_points = sa.Table(
    "dq_metric_points", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("dataset", sa.String(255), nullable=False),
    sa.Column("check_name", sa.String(255), nullable=False),
    sa.Column("metric", sa.String(128), nullable=False),
    sa.Column("ts", sa.Float, nullable=False),
    sa.Column("value", sa.Float, nullable=False),
    sa.Index("ix_points_series_ts", "dataset", "check_name", "metric", "ts"),
    sa.Index("ix_points_ts", "ts"),
)

anomaly_detections = sa.Table(
    "dq_anomaly_detections", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("dataset", sa.String(255), nullable=False),
    sa.Column("metric", sa.String(255), nullable=False),
    sa.Column("ts", sa.Float, nullable=False),
    sa.Column("observed", sa.Float, nullable=False),
    sa.Column("expected", sa.Float, nullable=False),
    sa.Column("lower", sa.Float, nullable=False),
    sa.Column("upper", sa.Float, nullable=False),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("confidence", sa.Float, nullable=False),
    sa.Column("severity", sa.String(16), nullable=False),
    sa.Column("type", sa.String(16), nullable=False),
    sa.Column("method", sa.String(64), nullable=False),
    sa.Column("is_anomaly", sa.Boolean, nullable=False),
    sa.Index("ix_anomaly_series_ts", "dataset", "metric", "ts"),
)

anomaly_feedback = sa.Table(
    "dq_anomaly_feedback", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("dataset", sa.String(255), nullable=False),
    sa.Column("metric", sa.String(255), nullable=False),
    sa.Column("ts", sa.Float, nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Index("ix_feedback_series", "dataset", "metric"),
)

profiles = sa.Table(
    "dq_profiles", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("profile_id", sa.String(64), nullable=False, unique=True),
    sa.Column("dataset", sa.String(255), nullable=False),
    sa.Column("table_name", sa.String(512), nullable=False),
    sa.Column("ts", sa.Float, nullable=False),
    sa.Column("row_count", sa.BigInteger, nullable=False),
    sa.Column("sampled", sa.Boolean, nullable=False),
    sa.Column("method", sa.String(32), nullable=False),
    sa.Column("watermark", sa.Text, nullable=True),
    sa.Column("pinned", sa.Boolean, nullable=False, default=False),
    sa.Column("document", sa.Text, nullable=False),
    sa.Index("ix_profiles_dataset_ts", "dataset", "ts"),
    sa.Index("ix_profiles_table_ts", "table_name", "ts"),
)

profile_sketches = sa.Table(
    "dq_profile_sketches", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("profile_id", sa.String(64), nullable=False),
    sa.Column("column_name", sa.String(255), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("sketch", sa.LargeBinary, nullable=False),
    sa.UniqueConstraint("profile_id", "column_name", name="uq_profile_column"),
)
