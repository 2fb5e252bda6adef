{#-
    One row per customer with a purchase order: a number ordered like customer_id (the heavy
    recommendation steps join and group integers) and whether the offline evaluation hides
    their last order.
-#}
with

orders as (
    select * from {{ ref('fct_orders') }}
),

holdout_orders as (
    select * from {{ ref('int_recommendation_holdout_orders') }}
),

customers as (
    select distinct customer_id
    from orders
    where is_purchase_order and customer_id is not null
),

customers_numbered as (
    select
        customers.customer_id,
        row_number() over (order by customers.customer_id) as customer_number,
        holdout_orders.customer_id is not null as is_holdout_customer
    from customers
    left join holdout_orders
        on customers.customer_id = holdout_orders.customer_id
)

select * from customers_numbered
