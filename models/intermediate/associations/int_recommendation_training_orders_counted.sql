{#-
    One row: the number of baskets the offline evaluation learns from (every purchase order but
    the hidden ones), read by the training rules and the training popularity.
-#}
with

orders as (
    select * from {{ ref('int_orders_summarized') }}
),

holdout_orders as (
    select * from {{ ref('int_recommendation_holdout_orders') }}
),

purchase_orders_counted as (
    select count(*) as purchase_order_count
    from orders
    where is_purchase_order
),

holdout_orders_counted as (
    select count(*) as holdout_order_count
    from holdout_orders
),

training_orders_counted as (
    select
        purchase_orders_counted.purchase_order_count,
        holdout_orders_counted.holdout_order_count,
        purchase_orders_counted.purchase_order_count
        - holdout_orders_counted.holdout_order_count as total_orders
    from purchase_orders_counted
    cross join holdout_orders_counted
)

select * from training_orders_counted
