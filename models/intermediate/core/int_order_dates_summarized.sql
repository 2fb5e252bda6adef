{#-
    Exactly one row: what the order dates of the input (orders or transactions, before any
    rejection) say about the analysis date: the last readable date and the one before it, the
    rows dated on the last, and the rows whose date cannot be read. Ephemeral: read by
    int_as_of_date_resolved only, whose post-hook checks these figures.
-#}
{{ config(materialized='ephemeral') }}

with

orders as (
    select * from {{ ref('stg_crm__orders') }}
),

transactions as (
    select * from {{ ref('stg_crm__transactions') }}
),

order_dates as (
    select
        order_date,
        order_date_raw
    from orders
    union all
    select
        order_date,
        order_date_raw
    from transactions
),

order_days as (
    select
        order_date,
        count(*) as row_count,
        count(case when order_date is null and order_date_raw is not null then 1 end)
            as unreadable_count,
        min(case when order_date is null then order_date_raw end) as example_unreadable
    from order_dates
    group by order_date
),

days_summarized as (
    select
        max(order_date) as last_order_date,
        cast(coalesce(sum(row_count), 0) as {{ dbt.type_bigint() }}) as count_order_rows,
        cast(coalesce(sum(unreadable_count), 0) as {{ dbt.type_bigint() }})
            as count_unreadable_order_dates,
        min(example_unreadable) as example_unreadable_order_date
    from order_days
),

last_days_summarized as (
    select
        max(
            case
                when order_days.order_date < days_summarized.last_order_date
                    then order_days.order_date
            end
        ) as previous_order_date,
        cast(sum(
            case
                when order_days.order_date = days_summarized.last_order_date
                    then order_days.row_count
                else 0
            end
        ) as {{ dbt.type_bigint() }}) as count_last_order_date_rows
    from order_days
    cross join days_summarized
),

order_dates_summarized as (
    select
        days_summarized.last_order_date,
        last_days_summarized.previous_order_date,
        {{ dbt.datediff(
            'last_days_summarized.previous_order_date', 'days_summarized.last_order_date', 'day'
        ) }} as days_after_previous_order_date,
        coalesce(last_days_summarized.count_last_order_date_rows, 0)
            as count_last_order_date_rows,
        days_summarized.count_order_rows,
        days_summarized.count_unreadable_order_dates,
        days_summarized.example_unreadable_order_date
    from days_summarized
    cross join last_days_summarized
)

select * from order_dates_summarized
