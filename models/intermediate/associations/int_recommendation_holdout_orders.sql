{#-
    One row per customer with at least one purchase order: their last one (latest ordered_at,
    ties: largest order_id), hidden by the offline evaluation of the recommendations.
-#}
with

orders as (
    select * from {{ ref('fct_orders') }}
),

customer_orders as (
    select
        customer_id,
        order_id,
        ordered_at
    from orders
    where is_purchase_order and customer_id is not null
),

customer_orders_ranked as (
    select
        customer_id,
        order_id,
        ordered_at,
        row_number() over (
            partition by customer_id order by ordered_at desc, order_id desc
        ) as order_recency_rank
    from customer_orders
),

holdout_orders as (
    select
        customer_id,
        order_id,
        ordered_at
    from customer_orders_ranked
    where order_recency_rank = 1
)

select * from holdout_orders
