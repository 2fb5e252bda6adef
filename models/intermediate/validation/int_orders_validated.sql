with

orders as (
    select * from {{ ref('stg_crm__orders') }}
),

analysis_date as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

order_version_counts as (
    {{ crm_order_version_counts('orders', 'order_date_raw') }}
),

orders_checked as (
    select
        orders.order_id,
        orders.customer_id,
        orders.ordered_at,
        orders.order_date,
        orders.order_date_raw,
        orders.source_row_number,
        {{ crm_reject_order(
            'orders.order_id', 'orders.order_date_raw', 'orders.ordered_at',
            'orders.order_date', 'analysis_date.as_of_date', 'order_version_counts.version_count'
        ) }} as rejection_reason,
        row_number() over (
            partition by orders.order_id, orders.customer_id, orders.order_date_raw
            order by orders.source_row_number
        ) as copy_number
    from orders
    cross join analysis_date
    left join order_version_counts
        on orders.order_id = order_version_counts.order_id
),

orders_classified as (
    select
        *,
        {{ crm_row_status('rejection_reason', 'copy_number') }} as row_status
    from orders_checked
)

select * from orders_classified
