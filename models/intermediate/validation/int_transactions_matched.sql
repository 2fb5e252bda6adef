{#-
    One row per transactions row (flat layout) with its order's fields and, when the order is
    unusable, why. Ephemeral: read by int_order_lines_validated only.
-#}
{{ config(materialized='ephemeral') }}

with

transactions as (
    select * from {{ ref('stg_crm__transactions') }}
),

analysis_date as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

-- lines of one order must agree on the customer and the calendar date (their times may
-- differ, e.g. an invoice keyed in across a minute boundary)
order_version_counts as (
    {{ crm_order_version_counts(
        'transactions',
        "coalesce(" ~ dbt.cast('order_date', dbt.type_string()) ~ ", order_date_raw)"
    ) }}
),

transactions_matched as (
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
            'order_version_counts.version_count'
        ) }} as order_rejection_reason
    from transactions
    cross join analysis_date
    left join order_version_counts
        on transactions.order_id = order_version_counts.order_id
)

select * from transactions_matched
