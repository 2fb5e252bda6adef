{#-
    One row per snapshot and customer with a purchase before the snapshot's cutoff date: the
    churn features, one summary per concept (RFM, recent windows, returns, purchase gaps,
    reviews), each one row per snapshot and customer and computed only from what is dated
    strictly before the cutoff, then joined once.
-#}
{%- set window_days = [30, 90, 180] -%}

with

churn_rfm as (
    select * from {{ ref('int_churn_rfm_snapshotted') }}
),

churn_orders as (
    select * from {{ ref('int_churn_orders_snapshotted') }}
),

churn_gaps as (
    select * from {{ ref('int_churn_gaps_snapshotted') }}
),

churn_reviews as (
    select * from {{ ref('int_churn_reviews_snapshotted') }}
),

windows_summarized as (
    select
        snapshot_name,
        customer_id,
        {% for days in window_days -%}
            sum(case when is_purchase_order and days_before_cutoff <= {{ days }} then 1 else 0 end)
                as count_purchases_{{ days }}d,
            sum(case when days_before_cutoff <= {{ days }} then purchase_amount else 0 end)
                as spend_{{ days }}d
            {%- if not loop.last %},{% endif %}
        {% endfor -%}
    from churn_orders
    group by snapshot_name, customer_id
),

returns_summarized as (
    select
        snapshot_name,
        customer_id,
        least(
            1.0,
            cast(sum(returned_quantity) as {{ crm_type_double() }})
            / nullif(sum(purchased_quantity), 0)
        ) as share_units_returned
    from churn_orders
    group by snapshot_name, customer_id
),

features_joined as (
    select
        ---------- ids
        churn_rfm.snapshot_name,
        churn_rfm.customer_id,

        ---------- numerics: RFM (crm_customer_rfm_features)
        churn_rfm.recency_days,
        churn_rfm.frequency,
        cast(churn_rfm.monetary as {{ crm_type_double() }}) as monetary,
        churn_rfm.avg_order_value,
        churn_rfm.tenure_days,
        cast(30 * churn_rfm.frequency as {{ crm_type_double() }})
        / churn_rfm.tenure_days as purchases_per_30d,

        ---------- numerics: recent windows
        {% for days in window_days -%}
            windows_summarized.count_purchases_{{ days }}d,
            cast(windows_summarized.spend_{{ days }}d as {{ crm_type_double() }})
                as spend_{{ days }}d,
        {% endfor %}

        ---------- numerics: purchase rhythm (null with fewer than 2 purchase days)
        churn_gaps.count_purchase_gaps,
        churn_gaps.avg_gap_days,
        churn_gaps.stddev_gap_days,
        churn_gaps.max_gap_days,
        churn_rfm.recency_days
        / nullif(churn_gaps.avg_gap_days, 0) as recency_gap_ratio,

        ---------- numerics: returns and reviews (review averages null without a review)
        returns_summarized.share_units_returned,
        coalesce(churn_reviews.count_reviews, 0) as count_reviews,
        churn_reviews.avg_review_compound,
        churn_reviews.share_negative_reviews,
        churn_reviews.avg_review_rating,

        ---------- dates
        churn_rfm.cutoff_date,
        churn_rfm.first_order_date,
        churn_rfm.last_order_date

    from churn_rfm
    inner join windows_summarized
        on churn_rfm.snapshot_name = windows_summarized.snapshot_name
            and churn_rfm.customer_id = windows_summarized.customer_id
    inner join returns_summarized
        on churn_rfm.snapshot_name = returns_summarized.snapshot_name
            and churn_rfm.customer_id = returns_summarized.customer_id
    left join churn_gaps
        on churn_rfm.snapshot_name = churn_gaps.snapshot_name
            and churn_rfm.customer_id = churn_gaps.customer_id
    left join churn_reviews
        on churn_rfm.snapshot_name = churn_reviews.snapshot_name
            and churn_rfm.customer_id = churn_reviews.customer_id
)

select * from features_joined
