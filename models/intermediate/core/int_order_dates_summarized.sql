{#-
    Exactly one row: what the order dates of the input (orders or transactions, before any
    rejection) say about the analysis date: the last readable date and the one before it, the
    rows dated on the last, the first date from min_order_date on and the one after it, the
    rows dated on the first, and the rows whose date cannot be read. Ephemeral: read by
    int_as_of_date_resolved only, whose post-hook checks these figures.
-#}
{{ config(materialized='ephemeral') }}
{%- set min_order_date = crm_date_var('min_order_date') %}
{%- set is_from_min_order_date = 'order_date is not null' if min_order_date is none
    else 'order_date >= cast(' ~ crm_sql_string(min_order_date) ~ ' as date)' %}

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

first_days as (
    select
        order_date,
        row_count
    from order_days
    where {{ is_from_min_order_date }}
),

first_days_ranked as (
    select
        order_date,
        row_count,
        row_number() over (order by order_date) as day_rank
    from first_days
),

first_days_summarized as (
    select
        max(case when day_rank = 1 then order_date end) as first_order_date,
        max(case when day_rank = 2 then order_date end) as next_order_date,
        cast(
            coalesce(max(case when day_rank = 1 then row_count end), 0)
            as {{ dbt.type_bigint() }}
        ) as count_first_order_date_rows
    from first_days_ranked
    where day_rank <= 2
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
        first_days_summarized.first_order_date,
        first_days_summarized.next_order_date,
        {{ dbt.datediff(
            'first_days_summarized.first_order_date',
            'first_days_summarized.next_order_date',
            'day'
        ) }} as days_before_next_order_date,
        first_days_summarized.count_first_order_date_rows,
        days_summarized.count_order_rows,
        days_summarized.count_unreadable_order_dates,
        days_summarized.example_unreadable_order_date
    from days_summarized
    cross join last_days_summarized
    cross join first_days_summarized
)

select * from order_dates_summarized
