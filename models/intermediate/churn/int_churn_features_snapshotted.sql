{#-
    One row per snapshot and customer with a purchase before the snapshot's cutoff date: the
    churn features, computed only from the kept order lines (and reviews) dated strictly before
    the cutoff.
-#}

with

order_lines as (
    select * from {{ ref('int_order_lines_cleaned') }}
),

churn_snapshots as (
    select * from {{ ref('int_churn_snapshots_resolved') }}
),

churn_reviews as (
    select * from {{ ref('int_churn_reviews_snapshotted') }}
),

training_rfm as (
    {{ crm_customer_rfm_features(
        'order_lines',
        "(select cutoff_date from churn_snapshots where snapshot_name = 'training')"
    ) }}
),

scoring_rfm as (
    {{ crm_customer_rfm_features(
        'order_lines',
        "(select cutoff_date from churn_snapshots where snapshot_name = 'scoring')"
    ) }}
),

rfm_snapshotted as (
    select
        'training' as snapshot_name,
        *
    from training_rfm
    union all
    select
        'scoring' as snapshot_name,
        *
    from scoring_rfm
),

lines_before_cutoff as (
    select
        churn_snapshots.snapshot_name,
        order_lines.customer_id,
        order_lines.order_id,
        order_lines.order_date,
        order_lines.quantity,
        order_lines.line_amount,
        {{ dbt.datediff('order_lines.order_date', 'churn_snapshots.cutoff_date', 'day') }}
            as days_before_cutoff
    from order_lines
    inner join churn_snapshots
        on order_lines.order_date < churn_snapshots.cutoff_date
    where order_lines.customer_id is not null
),

orders_before_cutoff as (
    select
        snapshot_name,
        customer_id,
        order_id,
        min(order_date) as order_date,
        min(days_before_cutoff) as days_before_cutoff,
        max(case when quantity > 0 then 1 else 0 end) as is_purchase_order,
        sum(case when quantity > 0 then line_amount else 0 end) as purchase_amount,
        sum(case when quantity > 0 then quantity else 0 end) as purchased_quantity,
        sum(case when quantity < 0 then -quantity else 0 end) as returned_quantity
    from lines_before_cutoff
    group by snapshot_name, customer_id, order_id
),

activity_summarized as (
    select
        snapshot_name,
        customer_id,
        sum(
            case
                when is_purchase_order = 1 and days_before_cutoff <= 30 then 1
                else 0
            end
        ) as count_purchases_30d,
        sum(
            case when days_before_cutoff <= 30 then purchase_amount else 0 end
        ) as spend_30d,
        sum(
            case
                when is_purchase_order = 1 and days_before_cutoff <= 90 then 1
                else 0
            end
        ) as count_purchases_90d,
        sum(
            case when days_before_cutoff <= 90 then purchase_amount else 0 end
        ) as spend_90d,
        sum(
            case
                when is_purchase_order = 1 and days_before_cutoff <= 180 then 1
                else 0
            end
        ) as count_purchases_180d,
        sum(
            case when days_before_cutoff <= 180 then purchase_amount else 0 end
        ) as spend_180d,
        sum(purchased_quantity) as purchased_quantity,
        sum(returned_quantity) as returned_quantity
    from orders_before_cutoff
    group by snapshot_name, customer_id
),

purchase_days as (
    select distinct
        snapshot_name,
        customer_id,
        order_date
    from orders_before_cutoff
    where is_purchase_order = 1
),

purchase_gaps as (
    select
        snapshot_name,
        customer_id,
        {{ dbt.datediff(
            'lag(order_date) over (partition by snapshot_name, customer_id order by order_date)',
            'order_date',
            'day'
        ) }} as gap_days
    from purchase_days
),

gaps_summarized as (
    select
        snapshot_name,
        customer_id,
        count(gap_days) as count_purchase_gaps,
        avg(cast(gap_days as {{ crm_type_double() }})) as avg_gap_days,
        stddev_samp(cast(gap_days as {{ crm_type_double() }})) as stddev_gap_days,
        max(gap_days) as max_gap_days
    from purchase_gaps
    group by snapshot_name, customer_id
),

features_joined as (
    select
        ---------- ids
        rfm_snapshotted.snapshot_name,
        rfm_snapshotted.customer_id,

        ---------- numerics: RFM (crm_customer_rfm_features)
        rfm_snapshotted.recency_days,
        rfm_snapshotted.frequency,
        cast(rfm_snapshotted.monetary as {{ crm_type_double() }}) as monetary,
        rfm_snapshotted.avg_order_value,
        rfm_snapshotted.tenure_days,
        cast(30 * rfm_snapshotted.frequency as {{ crm_type_double() }})
        / rfm_snapshotted.tenure_days as purchases_per_30d,

        ---------- numerics: recent activity
        activity_summarized.count_purchases_30d,
        cast(activity_summarized.spend_30d as {{ crm_type_double() }}) as spend_30d,
        activity_summarized.count_purchases_90d,
        cast(activity_summarized.spend_90d as {{ crm_type_double() }}) as spend_90d,
        activity_summarized.count_purchases_180d,
        cast(activity_summarized.spend_180d as {{ crm_type_double() }}) as spend_180d,

        ---------- numerics: purchase rhythm (null with fewer than 2 purchase days)
        gaps_summarized.count_purchase_gaps,
        gaps_summarized.avg_gap_days,
        gaps_summarized.stddev_gap_days,
        gaps_summarized.max_gap_days,
        rfm_snapshotted.recency_days
        / nullif(gaps_summarized.avg_gap_days, 0) as recency_gap_ratio,

        ---------- numerics: returns
        least(
            1.0,
            cast(activity_summarized.returned_quantity as {{ crm_type_double() }})
            / activity_summarized.purchased_quantity
        ) as return_rate,

        ---------- numerics: reviews (null average and share without a scored review)
        coalesce(churn_reviews.count_reviews, 0) as count_reviews,
        churn_reviews.avg_review_compound,
        churn_reviews.share_negative_reviews,
        churn_reviews.avg_review_rating,

        ---------- dates
        rfm_snapshotted.cutoff_date,
        rfm_snapshotted.first_order_date,
        rfm_snapshotted.last_order_date

    from rfm_snapshotted
    inner join activity_summarized
        on rfm_snapshotted.snapshot_name = activity_summarized.snapshot_name
            and rfm_snapshotted.customer_id = activity_summarized.customer_id
    left join gaps_summarized
        on rfm_snapshotted.snapshot_name = gaps_summarized.snapshot_name
            and rfm_snapshotted.customer_id = gaps_summarized.customer_id
    left join churn_reviews
        on rfm_snapshotted.snapshot_name = churn_reviews.snapshot_name
            and rfm_snapshotted.customer_id = churn_reviews.customer_id
)

select * from features_joined
