{#-
    One row per input order line (order_items in the normalized layout, transactions in the
    flat one) with its order fields, its row_status and, when rejected, the reason. The raw
    texts decide duplicates but are not kept: a rejection reason quotes the text it could not
    read, and the staging views hold every raw value by source_row_number (writing them again
    here, 10 M lines of text, was a quarter of this model's write).
-#}
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

products_status as (
    select
        product_id,
        max(case when row_status = 'kept' then 1 else 0 end) = 1 as has_kept_row,
        min(case when row_status = 'rejected' then rejection_reason end) as product_rejection
    from products_validated
    group by product_id
),

catalog_presence as (
    -- a products input without a single row (absent, or a header only) checks no line
    select count(*) > 0 as has_products
    from products_validated
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
                when catalog_presence.has_products and products_status.product_id is null
                    then 'product_id: not in products'
                when catalog_presence.has_products and not products_status.has_kept_row
                    then {{ dbt.concat([
                        "'product_id: its product is rejected ('",
                        'products_status.product_rejection',
                        "')'",
                    ]) }}
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
    cross join catalog_presence
    left join products_status
        on lines_unioned.product_id = products_status.product_id
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
