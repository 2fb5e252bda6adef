"""Python side of the crm_mining dbt project: data generator, model helpers, benchmarks.

scikit-learn is imported by crm_mining._sklearn only (see there why), not here: the sentiment
model, the publisher, the generator and the benchmarks do not pay for it.
"""

__version__ = "0.1.0"
