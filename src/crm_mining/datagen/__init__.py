"""Deterministic, streaming generator of CRM input data with planted truth.

Command line (same arguments give byte-identical files)::

    python -m crm_mining.datagen --customers N --seed S --format csv|parquet --out DIR
        [--truth-dir DIR (default DIR/truth)] [--start 2023-01-01] [--end 2024-12-31]
        [--no-messy] [--no-reviews] [--chunk-size 20000] [--verbose]
    python -m crm_mining.datagen --sample-seeds seeds     # the bundled sample (dbt seeds)

Python: ``generate(out_dir, customers, seed, fmt="csv", ...) -> GenerationSummary`` and
``customers_for_lines(n_lines)``.

Output: the project's normalized input layout, one file per entity (``<name>.csv`` with a header
and RFC-4180 quoting, or ``<name>.parquet``), every column text, ids with their leading zeros:

- ``orders``: order_id (``O`` + 9 digits), customer_id (8 digits, null = guest order),
  order_date (``YYYY-MM-DD HH:MM:SS``).
- ``order_items``: order_id, product_id (``P`` + 5 digits), quantity (integer, negative =
  returned), unit_price (2 decimals).
- ``customers``: customer_id, signup_date (``YYYY-MM-DD``), country (2 letters).
- ``products``: product_id, product_name, category, list_price.
- ``reviews``: review_id (``R`` + 9 digits), customer_id, product_id, review_date, rating (1..5 or
  null), review_text (may be empty or null).

In CSV a null is an empty unquoted field and an empty text is ``""`` (readers that treat quoted
empty strings as null, such as DuckDB's ``read_csv`` default, see both as null).

Planted truth (in the truth directory, same format, plus ``manifest.json`` with the rows per file,
exact duplicate lines, invalid rows per kind, guest orders, return lines, the parameters and the
generator version): ``customer_archetypes`` (customer_id, archetype), ``customer_churn``
(customer_id, archetype, churned_at or null when still active at --end), ``bundles`` (bundle_id,
product_id; head product first), ``follow_ups`` (follow_up_id, first_product_id,
later_product_id), ``reviews_truth`` (review_id, intended_sentiment, text_kind) and
``planted_invalid_rows`` (file, natural_key, kind, column). Customers who never ordered are in no
truth file.

Archetypes (share of ordering customers; per-customer noise on every parameter; figures measured
on 50k customers, default window)
    ``high_value_regular`` 15 %: an order every ~19 days (gamma gaps, shape 3), 1 + Poisson(3.2)
    lines, Electronics-heavy mix (62 % of picks): ~21 orders, ~85 lines, ~9,400 spent, baskets
    ~450; churn hazard 3 % per order falling to 0.8 %; 1.7 % of lines returned.
    ``bargain_grocery`` 35 %: an order every ~16 days (shape 2.5), 1 + Poisson(1.1) lines,
    Groceries 92 % of picks, quantities 1 + Poisson(1): ~22 orders, ~45 lines, ~640 spent,
    baskets ~29; hazard 3 % falling to 1.5 %; 1.2 % returned.
    ``occasional_fashion`` 30 %: an order every ~95 days (shape 2), 1 + Poisson(0.9) lines,
    Fashion 78 %: ~4 orders, ~95 per basket; hazard 15 % falling to 10 %; 10 % returned.
    ``one_time_lapsed`` 20 %: signs up in the first 35 % of the window, one order, a second one
    (~40 days later) with probability ~0.4, then always churns; Home-heavy mix (65 %), ~1.4
    orders, ~90 spent; 2.5 % returned.
    Other archetypes sign up uniformly in the first 70 % of the window; the first order comes
    0-7 days after signup. Category preferences are Dirichlet(mix * 40) per customer.

Churn: after each order a customer churns with the hazard above (times a lognormal(0, 0.3)
per-customer factor); churned_at is a day between that order and the next one it would have
placed; a churned customer places no further purchase order (a pending return may still come).

Products: 400 in 8 categories (Electronics 75, Groceries 110, Fashion 60, Home 50, Beauty 30,
Sports 35, Books 20, Toys 20), Zipf(0.5) popularity within a category in random id order,
lognormal list prices per category; unit_price = list price times 1.0 (55 %), 0.95 (15 %),
0.9 (15 %), 0.85 (10 %) or 0.8 (5 %). Each customer has 4 favourite products (popularity^1.6,
so mostly best sellers) picked for 35 % / 50 % / 20 % / 10 % of lines by archetype.

Bundles: 6 (2 triples, 4 pairs). A head takes a small share of its category's picks (about
0.1-0.15 % of orders); partners are never picked on their own. Each partner is added to an order
holding the head with probability 0.7; if not, with probability 0.4 to the customer's next order.
Bundle pairs are the top-lift pairs by a wide margin (on 3,000 customers, >= 6x the best other
pair with at least 2 orders).

Follow-ups: 1 (``F1``: Instant Camera, then Instant Film 20-Pack; two products after the 400,
never picked otherwise). 4 % of the customers with two purchase orders or more buy the first
product in one of their orders but the last, and with probability 0.8 the later product in one of
their later orders: bought by the same customers, never in the same basket, so basket rules never
pair them while item-to-item collaborative filtering over whole histories does. Own random
stream, added after everything else: the rest of the data is the same with or without them.

Reviews (not with --no-reviews): 25 % of ordering customers review; a reviewer reviews each
distinct product bought with probability 0.2 (at least one), 1 + Gamma(2, 4) days after the first
purchase, capped at --end. Rating = latent satisfaction (customer + product + noise, -1.2 when the
line was returned) cut into 1..5 (about 7 / 7 / 14 / 26 / 44 %); intended sentiment: positive for
4-5, neutral for 3, negative for 1-2; rating null in 2 %. Text kinds: blank (empty string) 1.5 %,
null 1.5 %, emoji (emoji-only or emoji-rich) 3 %, html (entities such as ``&amp;``) 3 %,
non_english (Spanish, German, French) 4 %, long (3-9 KB of repeated sentences, paragraphs split by
blank lines) 0.02 % with at least 3 per dataset, normal (template + product name) the rest.
Texts always match the intended sentiment.

Messiness (not with --no-messy; rates measured on 50k customers):
    guest orders 3 % of all orders (customer_id null, 1 + Poisson(1) lines, any category);
    returns: ~2 % of purchase lines (rate per archetype above) come back 3 + Gamma(2, 5) days
    later (dropped if after --end) in a return order of the same customer holding only negative
    lines (same product and unit_price, 1..quantity units), one return order per purchase order;
    exact duplicate order_items lines: 0.5 % of lines written twice in a row;
    invalid lines: 0.2 % of purchase and guest lines (at most one per order), evenly
    ``quantity_not_a_number`` (``three``), ``quantity_zero`` (``0``), ``unit_price_missing``
    (null), ``unit_price_zero`` (``0``), ``unit_price_negative`` (``-`` price),
    ``unknown_product`` (``P99999``);
    invalid orders: 0.1 % of purchase and guest orders without returns, evenly
    ``order_date_impossible`` (``<start year>-02-30 10:00:00``) and ``order_date_missing``
    (null); their lines are listed as ``order_rejected`` (column order_id). In all ~0.3 % of
    order_items lines are invalid.
    Customers: 5 % of the customers file registered but never ordered. Countries: DE 24 %,
    FR 16 %, GB 14 %, ES 11 %, IT 10 %, NL 7 %, PL 6 %, SE, BE, US 4 % each.

Scale: ~31.2 order_items lines per requested customer (``customers_for_lines``); customers are
simulated in chunks of 20,000 (vectorised numpy, streamed with pyarrow writers), so memory is
bounded whatever N. The random streams are per chunk: the chunk size is part of the data's
identity. --no-reviews leaves orders unchanged; --no-messy keeps the customers and their
purchases (ids shift as guest and return orders disappear).
"""

from crm_mining.datagen.core import (
    DATA_COLUMNS,
    TRUTH_COLUMNS,
    GenerationSummary,
    customers_for_lines,
    generate,
    write_sample_seeds,
)
from crm_mining.datagen.params import GENERATOR_VERSION

__all__ = [
    "DATA_COLUMNS",
    "GENERATOR_VERSION",
    "TRUTH_COLUMNS",
    "GenerationSummary",
    "customers_for_lines",
    "generate",
    "write_sample_seeds",
]
