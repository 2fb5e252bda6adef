{#- One row per input row that did not pass: rejected, or dropped as an exact duplicate. -#}
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

orders_not_kept as (
    select
        'orders' as input_name,
        source_row_number,
        {{ dbt.concat(["'order_id='", "coalesce(order_id, '')"]) }} as natural_key,
        row_status,
        rejection_reason
    from orders_validated
    where row_status <> 'kept'
),

order_lines_not_kept as (
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
    where row_status <> 'kept'
),

customers_not_kept as (
    select
        'customers' as input_name,
        source_row_number,
        {{ dbt.concat(["'customer_id='", "coalesce(customer_id, '')"]) }} as natural_key,
        row_status,
        rejection_reason
    from customers_validated
    where row_status <> 'kept'
),

products_not_kept as (
    select
        'products' as input_name,
        source_row_number,
        {{ dbt.concat(["'product_id='", "coalesce(product_id, '')"]) }} as natural_key,
        row_status,
        rejection_reason
    from products_validated
    where row_status <> 'kept'
),

reviews_not_kept as (
    select
        'reviews' as input_name,
        source_row_number,
        {{ dbt.concat(["'review_id='", "coalesce(review_id, '')"]) }} as natural_key,
        row_status,
        rejection_reason
    from reviews_validated
    where row_status <> 'kept'
),

rows_unioned as (
    select * from orders_not_kept
    union all
    select * from order_lines_not_kept
    union all
    select * from customers_not_kept
    union all
    select * from products_not_kept
    union all
    select * from reviews_not_kept
),

rows_explained as (
    select
        input_name,
        source_row_number,
        natural_key,
        row_status,
        coalesce(rejection_reason, 'duplicate: exact copy of an earlier row') as reason,
        case
            when row_status = 'duplicate' then '(whole row)'
            else {{ dbt.split_part('rejection_reason', "':'", 1) }}
        end as rejected_column
    from rows_unioned
)

select * from rows_explained
