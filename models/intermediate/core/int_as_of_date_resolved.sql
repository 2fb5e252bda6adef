{#- The analysis date: the var as_of_date, else the day after the last castable order date. -#}
with

orders as (
    select * from {{ ref('stg_crm__orders') }}
),

transactions as (
    select * from {{ ref('stg_crm__transactions') }}
),

order_dates as (
    select order_date from orders
    union all
    select order_date from transactions
),

last_order_date as (
    select max(order_date) as last_order_date from order_dates
),

resolved as (
    select
        {% if var('as_of_date', none) is not none -%}
            cast({{ crm_sql_string(var('as_of_date')) }} as date) as as_of_date,
            true as is_as_of_date_from_var,
        {%- else -%}
            cast({{ dbt.dateadd('day', 1, 'last_order_date') }} as date) as as_of_date,
            false as is_as_of_date_from_var,
        {%- endif %}
        last_order_date
    from last_order_date
)

select * from resolved
