{#-
    The customer universe of customer 360: one row per customer of a kept row of the customers
    input, of a kept order or of a kept review (guest orders and rejected customer rows add
    nobody), with the profile the customers input gives and the number of orders.
-#}
with

customers_validated as (
    select * from {{ ref('int_customers_validated') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

customers_sentiment as (
    select * from {{ ref('int_customers_sentiment_aggregated') }}
),

customer_file_rows as (
    select
        customer_id,
        signup_date,
        country
    from customers_validated
    where row_status = 'kept'
),

orders_per_customer as (
    select
        customer_id,
        count(*) as order_count
    from orders
    where customer_id is not null
    group by customer_id
),

known_customer_ids as (
    select customer_id from customer_file_rows
    union
    select customer_id from orders_per_customer
    union
    select customer_id from customers_sentiment
),

customers_identified as (
    select
        known_customer_ids.customer_id,
        customer_file_rows.customer_id is not null as is_in_customer_file,
        customer_file_rows.signup_date,
        customer_file_rows.country,
        coalesce(orders_per_customer.order_count, 0) as order_count
    from known_customer_ids
    left join customer_file_rows
        on known_customer_ids.customer_id = customer_file_rows.customer_id
    left join orders_per_customer
        on known_customer_ids.customer_id = orders_per_customer.customer_id
)

select * from customers_identified
