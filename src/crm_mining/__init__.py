"""Python side of the crm_mining dbt project: data generator, model helpers, benchmarks."""

__version__ = "0.1.0"

# dbt-duckdb runs Python models as threads of one process: two models importing scikit-learn
# for the first time at once can fail with a circular ImportError. Every Python model imports
# this package first, so import scikit-learn here, once, before any thread does.
try:  # pragma: no cover - the import itself is the point
    import sklearn.calibration
    import sklearn.cluster
    import sklearn.ensemble
    import sklearn.linear_model
    import sklearn.metrics  # noqa: F401
except ImportError:  # the data generator and benchmarks do not need it
    pass
