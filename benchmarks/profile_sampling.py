"""Profile a 10-million-row, 10-column PostgreSQL table in full and with 1% sampling.

Prints both times, their ratio (target: the sampled profile takes at most a tenth of the full
one) and how far the sampled estimates are from the full profile, against the sketches' own error
(KLL normalised rank error at k=200, HLL relative error at lg_k=12, 2 standard deviations).

    python benchmarks/profile_sampling.py [--rows 10000000] [--sample 1%] [--keep]

Uses DQ_BENCH_PG_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test); the table is
created in schema dq_bench_profile and dropped afterwards unless --keep is given.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import datasketches as ds
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agent.config.models import DatasetConfig
from agent.profiling.config import ProfileConfig
from agent.profiling.profiler import ProfileRun, profile_dataset

URL = os.environ.get("DQ_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SCHEMA = "dq_bench_profile"
TABLE = "events"
RANK_ERROR = ds.kll_doubles_sketch.get_normalized_rank_error(200, False)
HLL_ERROR = abs(ds.hll_sketch.get_rel_err(True, False, 12, 2))
CREATE = f"""
CREATE TABLE {SCHEMA}.{TABLE} AS
SELECT i AS id,
       100 + 15 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS amount,
       mod(i * 7919, 1000) AS qty,
       round((random() * 500)::numeric, 2) AS price,
       'cat_' || mod(i * 31, 20) AS category,
       CASE WHEN mod(i, 20) = 0 THEN NULL
            ELSE (ARRAY['new','paid','shipped','returned','lost'])[1 + mod(i, 5)] END AS status,
       CASE WHEN mod(i, 10) = 3 THEN NULL ELSE random() END AS score,
       timestamp '2020-01-01' + mod(i, 1000000) * interval '1 minute' AS created,
       mod(i, 3) = 0 AS flag,
       'AB-' || lpad(mod(i, 100000)::text, 5, '0') AS code
FROM generate_series(1::bigint, {{rows}}) AS s(i)
"""


def prepare(engine: sa.Engine, rows: int) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
        exists = connection.exec_driver_sql(
            f"SELECT to_regclass('{SCHEMA}.{TABLE}') IS NOT NULL").scalar()
        if exists:
            count = connection.exec_driver_sql(f"SELECT count(*) FROM {SCHEMA}.{TABLE}").scalar()
            if count == rows:
                return
            connection.exec_driver_sql(f"DROP TABLE {SCHEMA}.{TABLE}")
    started = time.perf_counter()
    with engine.begin() as connection:
        connection.exec_driver_sql(CREATE.format(rows=rows))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(f"VACUUM ANALYZE {SCHEMA}.{TABLE}")
    print(f"created {rows:,} rows in {time.perf_counter() - started:.1f}s")


def timed(engine: sa.Engine, settings: ProfileConfig) -> tuple[ProfileRun, float]:
    dataset = DatasetConfig(table=f"{SCHEMA}.{TABLE}")
    started = time.perf_counter()
    with engine.connect() as connection:
        run = profile_dataset(connection, "bench", dataset, settings=settings)
    return run, time.perf_counter() - started


def compare(full: ProfileRun, sampled: ProfileRun, fraction: float) -> bool:
    """Sampled estimates against the full profile; True when all are within sketch error."""
    ok = True
    distinct_errors: dict[str, float] = {}
    rows_error = abs(sampled.profile.row_count - full.profile.row_count) / full.profile.row_count
    print(f"row_count: full {full.profile.row_count:,}, sampled {sampled.profile.row_count:,} "
          f"(relative error {rows_error:.4f}; 3 binomial standard deviations: "
          f"{3 * (1 - fraction) ** 0.5 / (full.profile.row_count * fraction) ** 0.5:.4f})")
    ok &= rows_error <= 3 * (1 - fraction) ** 0.5 / (full.profile.row_count * fraction) ** 0.5
    print(f"{'column':10} {'null ratio full/sampled':>26} {'distinct full':>14} "
          f"{'distinct sampled':>17} {'rel err':>8} {'worst quantile rank err':>24}")
    for column in full.profile.columns:
        estimate = sampled.profile.column(column.name)
        null_gap = abs(column.null_ratio - estimate.null_ratio)
        ok &= null_gap <= RANK_ERROR
        distinct_error = abs(estimate.unique_count - column.unique_count) / max(1, column.unique_count)
        distinct_errors[column.name] = distinct_error
        worst = 0.0
        full_kll = full.sketches[column.name].kll
        sample_kll = sampled.sketches[column.name].kll
        if full_kll is not None and sample_kll is not None and not full_kll.is_empty():
            for rank in (0.25, 0.5, 0.75, 0.95, 0.99):
                # How far ``rank`` is from the ranks the full data gives the sampled quantile
                # (an interval for repeated values: booleans, small integers).
                [value] = sample_kll.quantiles([rank])
                below = full_kll.sketch.get_rank(value, False)
                through = full_kll.sketch.get_rank(value, True)
                worst = max(worst, max(0.0, below - rank, rank - through))
            ok &= worst <= 2 * RANK_ERROR
        print(f"{column.name:10} {column.null_ratio:>12.4f} / {estimate.null_ratio:<11.4f} "
              f"{column.unique_count:>14,} {estimate.unique_count:>17,} {distinct_error:>8.4f} "
              f"{worst:>24.4f}")
    print(f"tolerances: null ratio {RANK_ERROR:.4f}, quantile rank {2 * RANK_ERROR:.4f} (KLL error "
          f"of both profiles); sample {fraction:.2%}")
    within = [name for name, error in distinct_errors.items() if error <= 2 * HLL_ERROR]
    print(f"distinct counts extrapolated from the sample (not a sketch bound): within "
          f"{2 * HLL_ERROR:.4f} for {len(within)} of {len(distinct_errors)} columns "
          f"({', '.join(within)})")
    return bool(ok)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--sample", default="1%")
    parser.add_argument("--method", default="bernoulli", choices=["bernoulli", "system"])
    parser.add_argument("--keep", action="store_true", help="keep the table for the next run")
    args = parser.parse_args()
    engine = sa.create_engine(URL)
    prepare(engine, args.rows)
    try:
        sampled_settings = ProfileConfig.model_validate({"sample": args.sample, "sample_method": args.method})
        sampled, sampled_seconds = timed(engine, sampled_settings)
        full, full_seconds = timed(engine, ProfileConfig())
        ratio = sampled_seconds / full_seconds
        print(f"full profile:    {full_seconds:8.2f}s  ({full.profile.row_count:,} rows, "
              f"{full.profile.row_count / full_seconds:,.0f} rows/s)")
        print(f"sampled profile: {sampled_seconds:8.2f}s  ({sampled_settings.sample:.2%} "
              f"{args.method}, {sampled.sketches['id'].count:,} rows read)")
        print(f"ratio sampled/full: {ratio:.4f} (target <= 0.1: {'met' if ratio <= 0.1 else 'MISSED'})")
        within = compare(full, sampled, sampled_settings.sample or 1.0)
        print(f"row count, null ratios and quantiles within sketch error: {'yes' if within else 'NO'}")
    finally:
        if not args.keep:
            with engine.begin() as connection:
                connection.exec_driver_sql(f"DROP SCHEMA {SCHEMA} CASCADE")
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
