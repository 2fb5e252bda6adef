{#-
    One row per input order line (order_items in the normalized layout, transactions in the
    flat one) with its order fields, its row_status and, when rejected, the reason.
-#}
{%- set check_products = crm_input_is_present('products') -%}

with

order_items as (
    select * from {{ ref('stg_crm__order_items') }}
),

transactions as (
    select * from {{ ref('stg_crm__transactions') }}
),

orders_validated as (
    select * from {{ ref('int_orders_validated') }}
),

products_validated as (
    select * from {{ ref('int_products_validated') }}
),

analysis_date as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

kept_orders as (
    select
        order_id,
        customer_id,
        ordered_at,
        order_date,
        order_date_raw
    from orders_validated
    where row_status = 'kept'
),

rejected_orders as (
    select
        order_id,
        min(rejection_reason) as order_rejection_reason
    from orders_validated
    where row_status = 'rejected' and order_id is not null
    group by order_id
),

kept_products as (
    select product_id
    from products_validated
    where row_status = 'kept'
),

normalized_lines as (
    select
        'order_items' as input_name,
        order_items.source_row_number,
        order_items.order_id,
        kept_orders.customer_id,
        kept_orders.ordered_at,
        kept_orders.order_date,
        order_items.product_id,
        cast(null as {{ dbt.type_string() }}) as product_name,
        cast(null as {{ dbt.type_string() }}) as category,
        order_items.quantity,
        order_items.unit_price,
        kept_orders.order_date_raw,
        order_items.quantity_raw,
        order_items.unit_price_raw,
        case
            when order_items.order_id is null then 'order_id: missing'
            when kept_orders.order_id is not null then null
            when rejected_orders.order_id is not null
                then {{ dbt.concat([
                    "'order_id: its order is rejected ('",
                    "rejected_orders.order_rejection_reason",
                    "')'",
                ]) }}
            else 'order_id: not in orders'
        end as order_rejection_reason
    from order_items
    left join kept_orders
        on order_items.order_id = kept_orders.order_id
    left join rejected_orders
        on order_items.order_id = rejected_orders.order_id
),

flat_order_versions as (
    -- lines of one order must agree on the customer and the calendar date (their times may
    -- differ, e.g. an invoice keyed in across a minute boundary)
    select distinct
        order_id,
        customer_id,
        coalesce({{ dbt.cast('order_date', dbt.type_string()) }}, order_date_raw) as order_day
    from transactions
    where order_id is not null
),

flat_order_version_counts as (
    select
        order_id,
        count(*) as version_count
    from flat_order_versions
    group by order_id
),

flat_lines as (
    select
        'transactions' as input_name,
        transactions.source_row_number,
        transactions.order_id,
        transactions.customer_id,
        min(transactions.ordered_at) over (partition by transactions.order_id) as ordered_at,
        transactions.order_date,
        transactions.product_id,
        transactions.product_name,
        transactions.category,
        transactions.quantity,
        transactions.unit_price,
        transactions.order_date_raw,
        transactions.quantity_raw,
        transactions.unit_price_raw,
        {{ crm_reject_order(
            'transactions.order_id', 'transactions.order_date_raw', 'transactions.ordered_at',
            'transactions.order_date', 'analysis_date.as_of_date',
            'flat_order_version_counts.version_count'
        ) }} as order_rejection_reason
    from transactions
    cross join analysis_date
    left join flat_order_version_counts
        on transactions.order_id = flat_order_version_counts.order_id
),

lines_unioned as (
    select * from normalized_lines
    union all
    select * from flat_lines
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
        order_date_raw,
        quantity_raw,
        unit_price_raw,
        rejection_reason,
        copy_number,
        {{ crm_row_status('rejection_reason', 'copy_number') }} as row_status
    from lines_checked
)

select * from lines_classified
