{#-
    One row per customer of the training snapshot: did they make a purchase in the horizon
    [cutoff_date, as_of_date)? Reads only the orders dated inside that window.
-#}
with

customer_orders as (
    select * from {{ ref('int_orders_summarized') }}
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
        customer_orders.customer_id,
        count(*) as count_purchases_in_horizon
    from customer_orders
    cross join training_snapshot
    where customer_orders.customer_id is not null
        and customer_orders.is_purchase_order
        and customer_orders.order_date >= training_snapshot.cutoff_date
        and customer_orders.order_date < training_snapshot.horizon_end_date
    group by customer_orders.customer_id
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
