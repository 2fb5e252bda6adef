{#-
    One row per customer of the 'calibration' snapshot: their purchase days in the holdout
    [cutoff_date, horizon_end_date) = [as_of_date - clv_horizon_days, as_of_date), which the
    CLV model refitted on the calibration summary must predict.
-#}
with

customer_orders as (
    select * from {{ ref('int_orders_summarized') }}
),

clv_snapshots as (
    select * from {{ ref('int_clv_snapshots_resolved') }}
),

clv_summaries as (
    select * from {{ ref('int_clv_summaries_snapshotted') }}
),

calibration_snapshot as (
    select
        cutoff_date,
        horizon_end_date
    from clv_snapshots
    where snapshot_name = 'calibration'
),

calibration_customers as (
    select customer_id
    from clv_summaries
    where snapshot_name = 'calibration'
),

orders_before_horizon_end as (
    {{ crm_customer_orders_summarized(
        'customer_orders',
        '(select horizon_end_date from calibration_snapshot)',
        relation_grain='order'
    ) }}
),

holdout_purchase_days as (
    select
        orders_before_horizon_end.customer_id,
        count(distinct orders_before_horizon_end.order_date) as holdout_purchase_days
    from orders_before_horizon_end
    cross join calibration_snapshot
    where orders_before_horizon_end.is_purchase_order = 1
        and orders_before_horizon_end.order_date >= calibration_snapshot.cutoff_date
    group by orders_before_horizon_end.customer_id
),

holdout_observed as (
    select
        calibration_customers.customer_id,
        coalesce(holdout_purchase_days.holdout_purchase_days, 0) as holdout_purchase_days
    from calibration_customers
    left join holdout_purchase_days
        on calibration_customers.customer_id = holdout_purchase_days.customer_id
)

select * from holdout_observed
