{#-
    One row per customer who gets recommendations: every customer with a purchase order, and
    every kept customer of the customers input who has none yet (a signup: popular products
    only). Their number, ordered like customer_id (the heavy recommendation steps join and
    group integers), and whether the offline evaluation hides their last order.
-#}
with

orders as (
    select * from {{ ref('fct_orders') }}
),

customers_validated as (
    select * from {{ ref('int_customers_validated') }}
),

holdout_orders as (
    select * from {{ ref('int_recommendation_holdout_orders') }}
),

buyers as (
    select distinct
        customer_id,
        1 as is_buyer
    from orders
    where is_purchase_order and customer_id is not null
),

customer_file_rows as (
    select
        customer_id,
        0 as is_buyer
    from customers_validated
    where row_status = 'kept'
),

customer_sources as (
    select * from buyers
    union all
    select * from customer_file_rows
),

customers as (
    select
        customer_id,
        max(is_buyer) = 1 as has_purchase
    from customer_sources
    group by customer_id
),

customers_numbered as (
    select
        customers.customer_id,
        row_number() over (order by customers.customer_id) as customer_number,
        customers.has_purchase,
        holdout_orders.customer_id is not null as is_holdout_customer
    from customers
    left join holdout_orders
        on customers.customer_id = holdout_orders.customer_id
)

select * from customers_numbered
