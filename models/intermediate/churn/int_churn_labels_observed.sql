{#-
    One row per customer of the training snapshot: did they make a purchase in the horizon
    [cutoff_date, as_of_date)? Reads only the order lines dated inside that window.
-#}
with

order_lines as (
    select * from {{ ref('int_order_lines_cleaned') }}
),

churn_snapshots as (
    select * from {{ ref('int_churn_snapshots_resolved') }}
),

churn_features as (
    select * from {{ ref('int_churn_features_snapshotted') }}
),

training_snapshot as (
    select
        cutoff_date,
        horizon_end_date
    from churn_snapshots
    where snapshot_name = 'training'
),

training_customers as (
    select customer_id
    from churn_features
    where snapshot_name = 'training'
),

purchases_in_horizon as (
    select
        order_lines.customer_id,
        count(distinct order_lines.order_id) as count_purchases_in_horizon
    from order_lines
    cross join training_snapshot
    where order_lines.customer_id is not null
        and order_lines.quantity > 0
        and order_lines.order_date >= training_snapshot.cutoff_date
        and order_lines.order_date < training_snapshot.horizon_end_date
    group by order_lines.customer_id
),

labels_observed as (
    select
        training_customers.customer_id,
        coalesce(purchases_in_horizon.count_purchases_in_horizon, 0)
            as count_purchases_in_horizon,
        purchases_in_horizon.customer_id is null as is_churned
    from training_customers
    left join purchases_in_horizon
        on training_customers.customer_id = purchases_in_horizon.customer_id
)

select * from labels_observed
