{{ config(materialized='view') }}
-- the input guard runs first: a build whose input fails it stops before any analysis
-- depends_on: {{ ref('int_input_rejections_checked') }}

with

order_lines_validated as (
    select * from {{ ref('int_order_lines_validated') }}
),

kept_lines_priced as (
    select
        *,
        {{ crm_line_amount('quantity', 'unit_price') }} as line_amount
    from order_lines_validated
    where row_status = 'kept'
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

        ---------- numerics: exact decimals; amounts that several models need, computed once
        quantity,
        unit_price,
        line_amount,
        case when quantity > 0 then quantity else 0 end as purchased_quantity,
        case when quantity < 0 then -quantity else 0 end as returned_quantity,
        case when quantity > 0 then line_amount else 0 end as purchase_amount,
        case when quantity < 0 then -line_amount else 0 end as return_amount,

        ---------- booleans
        quantity < 0 as is_return,
        customer_id is null as is_guest_order,

        ---------- dates
        ordered_at,
        order_date

    from kept_lines_priced
)

select * from kept_lines
