"""The command line's start-up: what every ``dq-agent`` invocation pays before doing anything."""

from __future__ import annotations

import subprocess
import sys
import textwrap

HEAVY_ON_USE = ("scipy",)
"""Libraries only some check types and the drift tests need; imported when they run."""


def test_start_up_and_every_check_type_load_without_scipy() -> None:
    """Building the parser loads the config models and so every check type; none of that may
    import SciPy (about a second of start-up), which the statistical tests import on use."""
    probe = textwrap.dedent(f"""
        import pkgutil
        import sys
        import agent.checks.builtin as builtin
        from agent.cli import build_parser
        build_parser()
        modules = ["agent.checks.builtin." + m.name for m in pkgutil.iter_modules(builtin.__path__)]
        assert modules and all(name in sys.modules for name in modules), "check types not loaded"
        loaded = [name for name in {HEAVY_ON_USE!r} if name in sys.modules]
        print(",".join(loaded))
    """)
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


def test_a_statistical_check_still_imports_scipy_when_it_runs() -> None:
    """The lazy import is really there: the drift test's p-value comes from SciPy."""
    probe = textwrap.dedent("""
        import sys
        import datasketches as ds
        from agent.profiling.drift import ks_drift
        reference, current = ds.kll_doubles_sketch(200), ds.kll_doubles_sketch(200)
        for i in range(5000):
            reference.update(float(i))
            current.update(float(i) + 2500.0)
        result = ks_drift(reference, current)
        assert result.drifted and result.p_value < 1e-6, result
        print("scipy" in sys.modules)
    """)
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"
