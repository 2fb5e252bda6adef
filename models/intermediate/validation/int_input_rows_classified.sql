{#-
    One row per input row, every input unioned: its status, business key and, when it was not
    kept, the reason and the column at fault (the date column of a row after as_of_date). A
    view: readers take the columns they need.
-#}
{{ config(materialized='view') }}

with

orders_validated as (
    select * from {{ ref('int_orders_validated') }}
),

order_lines_validated as (
    select * from {{ ref('int_order_lines_validated') }}
),

customers_validated as (
    select * from {{ ref('int_customers_validated') }}
),

products_validated as (
    select * from {{ ref('int_products_validated') }}
),

reviews_validated as (
    select * from {{ ref('int_reviews_validated') }}
),

orders_classified as (
    select
        'orders' as input_name,
        source_row_number,
        {{ dbt.concat(["'order_id='", "coalesce(order_id, '')"]) }} as natural_key,
        row_status,
        rejection_reason
    from orders_validated
),

order_lines_classified as (
    select
        input_name,
        source_row_number,
        {{ dbt.concat([
            "'order_id='", "coalesce(order_id, '')",
            "'|product_id='", "coalesce(product_id, '')",
        ]) }} as natural_key,
        row_status,
        rejection_reason
    from order_lines_validated
),

customers_classified as (
    select
        'customers' as input_name,
        source_row_number,
        {{ dbt.concat(["'customer_id='", "coalesce(customer_id, '')"]) }} as natural_key,
        row_status,
        rejection_reason
    from customers_validated
),

products_classified as (
    select
        'products' as input_name,
        source_row_number,
        {{ dbt.concat(["'product_id='", "coalesce(product_id, '')"]) }} as natural_key,
        row_status,
        rejection_reason
    from products_validated
),

reviews_classified as (
    select
        'reviews' as input_name,
        source_row_number,
        {{ dbt.concat(["'review_id='", "coalesce(review_id, '')"]) }} as natural_key,
        row_status,
        rejection_reason
    from reviews_validated
),

rows_unioned as (
    select * from orders_classified
    union all
    select * from order_lines_classified
    union all
    select * from customers_classified
    union all
    select * from products_classified
    union all
    select * from reviews_classified
),

rows_explained as (
    select
        input_name,
        source_row_number,
        natural_key,
        row_status,
        case
            when row_status = 'duplicate' then 'duplicate: exact copy of an earlier row'
            else rejection_reason
        end as reason,
        case
            when row_status = 'duplicate' then '(whole row)'
            when row_status in ('rejected', 'after_as_of_date')
                then {{ dbt.split_part('rejection_reason', "':'", 1) }}
        end as rejected_column
    from rows_unioned
)

select * from rows_explained
