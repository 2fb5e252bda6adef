with

source as (
    select * from {{ crm_input('transactions') }}
),

renamed as (
    select
        ---------- ids
        {{ crm_clean_text('order_id') }} as order_id,
        {{ crm_clean_text('customer_id') }} as customer_id,
        {{ crm_clean_text('product_id') }} as product_id,

        ---------- strings
        {{ crm_clean_text('product_name') }} as product_name,
        {{ crm_clean_text('category') }} as category,

        ---------- numerics
        {{ crm_parse_number(crm_clean_text('quantity'), crm_type_quantity()) }} as quantity,
        {{ crm_parse_number(crm_clean_text('unit_price'), crm_type_price()) }} as unit_price,

        ---------- dates
        {{ crm_parse_timestamp(crm_clean_text('order_date')) }}
            as ordered_at,
        cast(
            {{ crm_parse_timestamp(crm_clean_text('order_date')) }}
            as date
        ) as order_date,

        ---------- raw text kept for validation and the audit
        {{ crm_clean_text('order_date') }} as order_date_raw,
        {{ crm_clean_text('quantity') }} as quantity_raw,
        {{ crm_clean_text('unit_price') }} as unit_price_raw,
        source_row_number

    from source
)

select * from renamed
