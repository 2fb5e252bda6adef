{#-
    One row per order_items row (normalized layout) with its order's customer and date when the
    order is kept, and why not otherwise: a line of an order dated on or after as_of_date has
    the order's reason (it is out of the analysis window, as its order is), a line of an order
    rejected for another reason 'its order is rejected (...)'. Ephemeral: read by
    int_order_lines_validated only.
-#}
{{ config(materialized='ephemeral') }}

with

order_items as (
    select * from {{ ref('stg_crm__order_items') }}
),

orders_validated as (
    select * from {{ ref('int_orders_validated') }}
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

-- an order id is either kept (its other rows exact duplicates) or has no kept row; a rule
-- broken by one of its rows wins over a date after as_of_date on another
rejected_orders as (
    select
        order_id,
        coalesce(
            min(case when row_status = 'rejected' then rejection_reason end),
            min(rejection_reason)
        ) as order_rejection_reason
    from orders_validated
    where row_status in ('rejected', 'after_as_of_date') and order_id is not null
    group by order_id
),

items_matched as (
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
            when
                rejected_orders.order_rejection_reason
                = {{ crm_after_as_of_date_reason('order_date') }}
                then rejected_orders.order_rejection_reason
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
)

select * from items_matched
