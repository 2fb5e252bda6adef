"""Import rules of the crm_mining package that dbt's Python models depend on.

- scikit-learn is imported by crm_mining._sklearn only: dbt-duckdb runs Python models as threads
  of one process, and two threads importing scikit-learn submodules at once can die with a
  deadlock/circular ImportError; one module holding every sklearn import serialises them.
- The sentiment model and the frame conversions never load scikit-learn (its 0.8 s import would be a
  large share of an incremental sentiment rebuild), and the sentiment model never loads pandas
  (0.6 s; it returns Arrow on DuckDB).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
PACKAGE_DIR = PROJECT_DIR / "src" / "crm_mining"
SENTIMENT_MODEL = PROJECT_DIR / "python_models" / "sentiment" / "int_review_texts_scored.py"


def sklearn_imports(path: Path) -> list[int]:
    """Line numbers of the import statements of a module that name scikit-learn."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module or ""]
        else:
            continue
        if any(name == "sklearn" or name.startswith("sklearn.") for name in names):
            lines.append(node.lineno)
    return lines


def test_only_the_sklearn_module_imports_scikit_learn() -> None:
    offenders = {
        str(path.relative_to(PACKAGE_DIR)): lines
        for path in sorted(PACKAGE_DIR.rglob("*.py"))
        if path.name != "_sklearn.py" and (lines := sklearn_imports(path))
    }
    assert offenders == {}, "import scikit-learn names from crm_mining._sklearn instead"
    assert sklearn_imports(PACKAGE_DIR / "_sklearn.py"), "the sklearn module lost its imports"


@pytest.mark.parametrize("module", ["crm_mining.sentiment", "crm_mining.frames"])
def test_models_without_machine_learning_do_not_load_scikit_learn(module: str) -> None:
    code = f"import sys, {module}; print(sorted(m for m in sys.modules if m.startswith('sklearn')))"
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip() == "[]"


def test_the_sentiment_model_does_not_load_pandas() -> None:
    """Loading the model file runs its imports (crm_mining.frames, crm_mining.sentiment) as dbt
    does before calling model(); pandas must not be among the modules loaded."""
    code = (
        f"import runpy, sys; runpy.run_path({str(SENTIMENT_MODEL)!r}); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'pandas'))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip() == "[]"


def test_helpers_imported_by_concurrent_threads_load_once() -> None:
    """Two model threads importing the churn and segmentation helpers at the same moment both
    get complete modules (with sklearn imported piecemeal this failed about 1 run in 6)."""
    code = """
import threading
barrier = threading.Barrier(2)
errors = []
def load(name):
    barrier.wait()
    try:
        __import__(name)
    except Exception as error:
        errors.append(repr(error))
threads = [threading.Thread(target=load, args=(name,))
           for name in ("crm_mining.churn", "crm_mining.segmentation")]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
import crm_mining.churn, crm_mining.segmentation
assert crm_mining.segmentation.fitting.KMeans is crm_mining._sklearn.KMeans
print(errors)
"""
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip() == "[]"
