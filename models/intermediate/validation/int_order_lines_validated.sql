{#-
    One row per input order line (order_items in the normalized layout, transactions in the
    flat one) with its order fields, its row_status and, when rejected, the reason. The raw
    texts decide duplicates but are not kept: a rejection reason quotes the text it could not
    read, and the staging views hold every raw value by source_row_number (writing them again
    here, 10 M lines of text, was a quarter of this model's write).
-#}
{%- set check_products = crm_input_is_present('products') -%}

with

order_items_matched as (
    select * from {{ ref('int_order_items_matched') }}
),

transactions_matched as (
    select * from {{ ref('int_transactions_matched') }}
),

products_validated as (
    select * from {{ ref('int_products_validated') }}
),

kept_products as (
    select product_id
    from products_validated
    where row_status = 'kept'
),

lines_unioned as (
    select * from order_items_matched
    union all
    select * from transactions_matched
),

lines_checked as (
    select
        lines_unioned.*,
        coalesce(
            lines_unioned.order_rejection_reason,
            {{ crm_reject_line(
                'lines_unioned.product_id', 'lines_unioned.quantity_raw', 'lines_unioned.quantity',
                'lines_unioned.unit_price_raw', 'lines_unioned.unit_price'
            ) }},
            case
                when {{ check_products | lower }} and kept_products.product_id is null
                    then 'product_id: not in products'
            end
        ) as rejection_reason,
        row_number() over (
            partition by
                lines_unioned.input_name,
                lines_unioned.order_id,
                lines_unioned.customer_id,
                lines_unioned.order_date_raw,
                lines_unioned.product_id,
                lines_unioned.product_name,
                lines_unioned.category,
                lines_unioned.quantity_raw,
                lines_unioned.unit_price_raw
            order by lines_unioned.source_row_number
        ) as copy_number
    from lines_unioned
    left join kept_products
        on lines_unioned.product_id = kept_products.product_id
),

lines_classified as (
    select
        input_name,
        source_row_number,
        order_id,
        customer_id,
        ordered_at,
        order_date,
        product_id,
        product_name,
        category,
        quantity,
        unit_price,
        rejection_reason,
        copy_number,
        {{ crm_row_status('rejection_reason', 'copy_number') }} as row_status
    from lines_checked
)

select * from lines_classified
