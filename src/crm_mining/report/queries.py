"""Every query of the report, in one place: marts read by name, aggregated in SQL.

The report reads only the public marts (models/marts/**/_*__models.yml). Each query aggregates
on the warehouse, so what reaches Python (and the HTML) stays small whatever the data size:
one row per month, per RFM cell, per segment, per decile, per rule shown, never per customer
or order. `sql(name)` fills a template of `SQL` with the mart names below: a renamed mart is a
one-line change there, a renamed column a change in this module only.
"""

from __future__ import annotations

# Mart names (models/marts/**): the only place the report names them.
RECONCILIATION = "audit_input_reconciliation"
REJECTED_ROWS = "audit_rejected_rows"
ORDERS = "fct_orders"
CUSTOMERS = "dim_customers"
PRODUCTS = "dim_products"
RFM = "fct_customer_rfm"
PERSONAS = "dim_segment_personas"
CUSTOMER_SEGMENTS = "fct_customer_segments"
SEGMENT_METRICS = "fct_segmentation_model_metrics"
CHURN_SCORES = "fct_customer_churn_scores"
CHURN_METRICS = "fct_churn_model_metrics"
CHURN_IMPORTANCE = "fct_churn_feature_importance"
CHURN_CALIBRATION = "fct_churn_calibration"
CLV = "fct_customer_lifetime_value"
CLV_METRICS = "fct_clv_model_metrics"
ITEM_RULES = "fct_item_pair_associations"
RECOMMENDATION_EVALUATION = "fct_recommendation_evaluation"
REVIEWS = "fct_review_sentiment"
PRODUCT_SENTIMENT = "fct_product_sentiment"

#: Placeholder of each mart in the templates ({orders}, {rfm}, ...).
MART_NAMES: dict[str, str] = {
    name.lower(): value for name, value in dict(globals()).items() if name.isupper()
}
MARTS: list[str] = list(MART_NAMES.values())

#: Orders of enumerations shown (others follow, by name).
INPUT_ORDER = ["orders", "order_items", "transactions", "customers", "products", "reviews"]
RISK_BANDS = ["high", "medium", "low"]
VALUE_TIERS = ["high", "medium", "low"]
SENTIMENT_LABELS = ["positive", "neutral", "negative"]
#: The recommendation methods of fct_recommendation_evaluation, simplest first.
RECOMMENDATION_METHODS = ["popularity", "association_rules", "item_cf", "blend", "buy_again"]


def _position(column: str, values: list[str]) -> str:
    """Sort key of a column along a fixed list of values (others last)."""
    listed = ", ".join(f"'{value}'" for value in values)
    return f"coalesce(list_position([{listed}], {column}), {len(values) + 1})"


SQL: dict[str, str] = {
    # Data: rows read / kept / duplicate / rejected / after as_of_date per input, in contract
    # order.
    "reconciliation": f"""
        select input_name, rows_read, rows_kept, rows_duplicate, rows_rejected,
            rows_after_as_of_date
        from {{reconciliation}}
        order by {_position("input_name", INPUT_ORDER)}, input_name""",
    # Rows not kept per input, status and column at fault.
    "rows_left_out": f"""
        select input_name, row_status, rejected_column, count(*) as row_count
        from {{rejected_rows}}
        group by input_name, row_status, rejected_column
        order by {_position("input_name", INPUT_ORDER)}, input_name, row_count desc,
            row_status, rejected_column""",
    # The most frequent rejection reasons, with the key of one row as an example.
    "rejection_reasons": """
        select input_name, reason, count(*) as row_count, min(natural_key) as example_key
        from {rejected_rows} where row_status = 'rejected'
        group by input_name, reason
        order by row_count desc, input_name, reason
        limit 10""",
    # One row: orders, purchase and guest orders, date range, revenue.
    "order_overview": """
        select count(*) as order_count,
            count(*) filter (where is_purchase_order) as purchase_order_count,
            count(*) filter (where is_guest_order) as guest_order_count,
            min(order_date) as first_order_date, max(order_date) as last_order_date,
            cast(sum(net_revenue) as double) as net_revenue
        from {orders}""",
    # One row: customers known (file, orders, reviews) and customers with a purchase.
    "customer_overview": """
        select count(*) as customer_count,
            count(*) filter (where has_purchase) as purchasing_customer_count
        from {customers}""",
    # Orders, customers with a purchase order and net revenue per calendar month (a customer
    # whose only orders of the month are returns or cancellations is not counted).
    "revenue_by_month": """
        select cast(date_trunc('month', order_date) as date) as month,
            count(*) as order_count,
            count(distinct customer_id) filter (where is_purchase_order)
                as purchasing_customer_count,
            cast(sum(net_revenue) as double) as net_revenue
        from {orders} group by 1 order by 1""",
    # RFM: customers and net spend per cell of the recency x frequency score grid.
    "rfm_grid": """
        select r_score, f_score, count(*) as customer_count,
            cast(sum(monetary) as double) as monetary
        from {rfm} group by r_score, f_score order by r_score, f_score""",
    # The number of score bins the mart was built with (the var rfm_bins, which the mart does
    # not carry): its largest score, as the customer with the largest net revenue scores
    # rfm_bins on M unless others tie with them (docs: rfm_score_formula).
    "rfm_bins": """
        select greatest(max(r_score), max(f_score), max(m_score)) as rfm_bins from {rfm}""",
    # Customers, spend and typical recency / frequency per named RFM segment.
    "rfm_segments": """
        select rfm_segment, count(*) as customer_count,
            cast(sum(monetary) as double) as monetary,
            avg(recency_days) as avg_recency_days, avg(frequency) as avg_frequency
        from {rfm} group by rfm_segment order by customer_count desc, rfm_segment""",
    # Customers and spend per value tier, high first.
    "value_tiers": f"""
        select value_tier, count(*) as customer_count, cast(sum(monetary) as double) as monetary
        from {{rfm}} group by value_tier
        order by {_position("value_tier", VALUE_TIERS)}, value_tier""",
    # Segments: one row per behavioural segment with its persona and profile.
    "personas": "select * from {personas} order by segment_id",
    # One row per number of clusters tried, the chosen one flagged.
    "k_selection": "select * from {segment_metrics} order by k",
    # Churn: the single row of model metrics.
    "churn_metrics": "select * from {churn_metrics}",
    # Customers and mean churn probability per risk band, high first.
    "risk_bands": f"""
        select churn_risk_band, count(*) as customer_count,
            avg(churn_probability) as avg_churn_probability
        from {{churn_scores}} group by churn_risk_band
        order by {_position("churn_risk_band", RISK_BANDS)}, churn_risk_band""",
    # Customers per 5-point bin of churn probability and risk band.
    "churn_probability_bins": f"""
        select least(floor(churn_probability * 20), 19) / 20 as bin_start,
            least(floor(churn_probability * 20), 19) / 20 + 0.05 as bin_end,
            churn_risk_band, count(*) as customer_count
        from {{churn_scores}} group by 1, 2, 3
        order by 1, {_position("churn_risk_band", RISK_BANDS)}""",
    # Predicted vs observed churn per decile of predicted probability (validation split).
    "calibration": """
        select decile, customer_count, predicted_churn_rate, observed_churn_rate
        from {churn_calibration} order by decile""",
    # The most important features of the churn model.
    "feature_importance": """
        select feature_name, feature_label, importance, importance_std, importance_rank
        from {churn_importance} order by importance_rank, feature_name limit 12""",
    # What drives the scores of the high-risk customers: main driver, by customers.
    "high_risk_drivers": """
        with importance as (
            select feature_name, min(feature_label) as feature_label
            from {churn_importance} group by feature_name
        )
        select coalesce(importance.feature_label, scores.main_driver,
                '(no driver above 0.5 pts)') as driver,
            count(*) as customer_count
        from {churn_scores} as scores
        left join importance on scores.main_driver = importance.feature_name
        where scores.churn_risk_band = 'high'
        group by 1 order by customer_count desc, driver limit 8""",
    # Lifetime value: customers and predicted CLV per CLV tier, most valuable first.
    "clv_by_tier": """
        select clv_tier, count(*) as customer_count,
            cast(sum(predicted_clv) as double) as total_predicted_clv,
            cast(avg(predicted_clv) as double) as avg_predicted_clv
        from {clv} group by clv_tier order by avg_predicted_clv desc nulls last, clv_tier""",
    # Customers and predicted CLV per behavioural segment.
    "clv_by_segment": """
        select coalesce(segments.persona_name, '(no segment)') as persona_name,
            min(segments.segment_id) as segment_id, count(*) as customer_count,
            cast(avg(clv.predicted_clv) as double) as avg_predicted_clv
        from {clv} as clv
        left join {customer_segments} as segments on clv.customer_id = segments.customer_id
        group by 1 order by segment_id nulls last, persona_name""",
    # The CLV model metrics (every column).
    "clv_metrics": "select * from {clv_metrics}",
    # Associations: rules kept, distinct pairs and products in them.
    "rule_counts": """
        select count(*) as rule_count,
            count(distinct least(antecedent_product_id, consequent_product_id) || '|'
                || greatest(antecedent_product_id, consequent_product_id)) as pair_count,
            count(distinct antecedent_product_id) as product_count
        from {item_rules}""",
    # Hit rate and recall of each recommendation method, per target (new products, repeat
    # purchases), the chosen method marked.
    "recommendation_evaluation": f"""
        select recommendation_target, method, top_n, evaluated_customer_count, hit_rate,
            recall, is_chosen
        from {{recommendation_evaluation}}
        order by {_position("recommendation_target", ["new_products", "repeat_purchases"])},
            recommendation_target,
            {_position("method", RECOMMENDATION_METHODS)}, method""",
    # Sentiment: reviews per sentiment label.
    "sentiment_labels": f"""
        select sentiment_label, count(*) as review_count
        from {{reviews}} group by sentiment_label
        order by {_position("sentiment_label", [*SENTIMENT_LABELS, "no_text"])},
            sentiment_label""",
    # Scored reviews per month and label (reviews without a date or a text left out).
    "sentiment_by_month": f"""
        select cast(date_trunc('month', review_date) as date) as month, sentiment_label,
            count(*) as review_count
        from {{reviews}}
        where review_date is not null
            and sentiment_label in ('positive', 'neutral', 'negative')
        group by 1, 2 order by 1, {_position("sentiment_label", SENTIMENT_LABELS)}""",
}


def sql(name: str) -> str:
    """The query `name` of SQL, on the marts of MART_NAMES."""
    return SQL[name].format(**MART_NAMES)


def as_of_date(mart: str) -> str:
    """The analysis date as a mart carries it (every row holds the same date)."""
    return f"select max(as_of_date) from {mart}"


def histogram(mart: str, column: str, bins: int = 20, upper: float | None = None) -> str:
    """Customers per bin of `column`: `bins` equal bins from 0 to `upper` (default: the 99th
    percentile; larger values fall in the last bin), each with its start and end."""
    bound = f"{float(upper)}" if upper is not None else f"quantile_cont({column}, 0.99)"
    return f"""
        with bounds as (
            select cast({bound} as double) as upper_bound from {mart} where {column} is not null
        ),
        binned as (
            select
                case when bounds.upper_bound <= 0 then 0
                    else least(greatest(floor(v.{column} / bounds.upper_bound * {bins}), 0),
                        {bins - 1}) end as bin,
                bounds.upper_bound
            from {mart} as v cross join bounds
            where v.{column} is not null
        )
        select cast(bin as integer) as bin, bin * upper_bound / {bins} as bin_start,
            (bin + 1) * upper_bound / {bins} as bin_end, count(*) as customer_count
        from binned group by bin, upper_bound order by bin"""


def clv_summary(columns: list[str]) -> str:
    """One row of totals over the CLV mart, for whichever documented columns it has."""
    parts = ["count(*) as customer_count"]
    if "predicted_clv" in columns:
        parts += [
            "cast(sum(predicted_clv) as double) as total_predicted_clv",
            "cast(avg(predicted_clv) as double) as avg_predicted_clv",
        ]
    if "expected_purchases" in columns:
        parts.append("cast(sum(expected_purchases) as double) as total_expected_purchases")
    if "p_alive" in columns:
        parts.append("cast(avg(p_alive) as double) as avg_p_alive")
    return f"select {', '.join(parts)} from {CLV}"


def _pairs(order_by: str) -> str:
    """One row per unordered product pair (its direction of higher confidence), ranked."""
    return f"""
        with rules as (
            select antecedent_product_id,
                coalesce(antecedent_product_name, antecedent_product_id)
                    as antecedent_product_name,
                consequent_product_id,
                coalesce(consequent_product_name, consequent_product_id)
                    as consequent_product_name,
                pair_order_count, support, confidence, lift,
                row_number() over (
                    partition by least(antecedent_product_id, consequent_product_id),
                        greatest(antecedent_product_id, consequent_product_id)
                    order by confidence desc, antecedent_product_id
                ) as direction_rank
            from {ITEM_RULES}
        )
        select row_number() over (
                order by {order_by}, antecedent_product_id, consequent_product_id
            ) as pair_rank,
            * exclude (direction_rank)
        from rules where direction_rank = 1"""


PAIR_ORDER = {"lift": "lift desc, support desc", "support": "support desc, lift desc"}


def top_pairs(metric: str, limit: int = 10) -> str:
    """The strongest product pairs by `metric` ('lift' or 'support'), each as its rule of
    higher confidence; ties by the other metric, then ids."""
    return f"""
        select * from ({_pairs(PAIR_ORDER[metric])})
        where pair_rank <= {int(limit)} order by pair_rank"""


def pair_matrix(pairs: int = 30, products: int = 16) -> str:
    """Lift of every kept rule among the products of the `pairs` strongest pairs by lift
    (at most `products` of them, in order of first appearance). Labels are product names,
    with the id added where two chosen products share a name."""
    return f"""
        with pairs as (
            select * from ({_pairs(PAIR_ORDER["lift"])}) where pair_rank <= {int(pairs)}
        ),
        appearances as (
            select antecedent_product_id as product_id,
                antecedent_product_name as product_name, pair_rank
            from pairs
            union all
            select consequent_product_id, consequent_product_name, pair_rank from pairs
        ),
        chosen as (
            select product_id, min(product_name) as product_name, min(pair_rank) as first_rank
            from appearances group by product_id
            order by first_rank, product_id limit {int(products)}
        ),
        labelled as (
            select product_id, first_rank,
                case when count(*) over (partition by product_name) > 1
                    then product_name || ' (' || product_id || ')'
                    else product_name end as product_label
            from chosen
        )
        select antecedents.product_label as antecedent_label,
            antecedents.first_rank as antecedent_rank,
            consequents.product_label as consequent_label,
            consequents.first_rank as consequent_rank,
            rules.lift, rules.confidence, rules.support
        from {ITEM_RULES} as rules
        inner join labelled as antecedents on rules.antecedent_product_id = antecedents.product_id
        inner join labelled as consequents on rules.consequent_product_id = consequents.product_id
        order by antecedent_rank, consequent_rank"""


def _product_sentiment(with_names: bool) -> str:
    """fct_product_sentiment with a product_name (from dim_products when it exists)."""
    if not with_names:
        return f"select *, product_id as product_name from {PRODUCT_SENTIMENT}"
    return f"""
        select sentiment.*, coalesce(products.product_name, sentiment.product_id) as product_name
        from {PRODUCT_SENTIMENT} as sentiment
        left join {PRODUCTS} as products on sentiment.product_id = products.product_id"""


def disagreeing_products(with_names: bool, limit: int = 10) -> str:
    """Products whose review texts most often contradict their stars."""
    return f"""
        select product_id, product_name, review_count, compared_review_count,
            rating_disagreement_count, share_rating_disagreement, avg_rating, avg_compound
        from ({_product_sentiment(with_names)})
        where rating_disagreement_count > 0
        order by rating_disagreement_count desc, share_rating_disagreement desc, product_id
        limit {int(limit)}"""


def stars_vs_text(with_names: bool, limit: int = 400) -> str:
    """Average stars and average text sentiment of the most reviewed products."""
    return f"""
        select product_id, product_name, review_count, avg_rating, avg_compound,
            coalesce(share_rating_disagreement, 0) as share_rating_disagreement
        from ({_product_sentiment(with_names)})
        where avg_rating is not null and avg_compound is not null
        order by review_count desc, product_id
        limit {int(limit)}"""
