{#-
    One row per customer who gets recommendations: every customer with a purchase order, and
    every kept customer of the customers input who has none yet (a signup: popular products
    only). Their number, ordered like customer_id (the heavy recommendation steps join and
    group integers), and whether the offline evaluation hides their last order.
-#}
with

orders as (
    select * from {{ ref('int_orders_summarized') }}
),

customers_validated as (
    select * from {{ ref('int_customers_validated') }}
),

holdout_orders as (
    select * from {{ ref('int_recommendation_holdout_orders') }}
),

buyers as (
    select customer_id
    from orders
    where is_purchase_order and customer_id is not null
),

customer_file_rows as (
    select customer_id
    from customers_validated
    where row_status = 'kept'
),

customers as (
    select customer_id from buyers
    union
    select customer_id from customer_file_rows
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
