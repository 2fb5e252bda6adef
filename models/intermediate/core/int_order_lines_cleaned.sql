{{ config(materialized='view') }}

with

order_lines_validated as (
    select * from {{ ref('int_order_lines_validated') }}
),

kept_lines as (
    select
        ---------- ids
        {{ dbt.concat(['input_name', "':'", dbt.cast('source_row_number', dbt.type_string())]) }}
            as order_line_id,
        order_id,
        customer_id,
        product_id,

        ---------- strings
        product_name,
        category,
        input_name,

        ---------- numerics
        quantity,
        unit_price,
        quantity * unit_price as line_amount,

        ---------- booleans
        quantity < 0 as is_return,
        customer_id is null as is_guest_order,

        ---------- dates
        ordered_at,
        order_date

    from order_lines_validated
    where row_status = 'kept'
)

select * from kept_lines
