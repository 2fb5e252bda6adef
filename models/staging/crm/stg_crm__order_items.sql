with

source as (
    select * from {{ crm_input('order_items') }}
),

renamed as (
    select
        ---------- ids
        {{ crm_clean_text('order_id') }} as order_id,
        {{ crm_clean_text('product_id') }} as product_id,

        ---------- numerics
        {{ crm_parse_number(crm_clean_text('quantity'), crm_type_quantity()) }} as quantity,
        {{ crm_parse_number(crm_clean_text('unit_price'), crm_type_price()) }} as unit_price,

        ---------- raw text kept for validation and the audit
        {{ crm_clean_text('quantity') }} as quantity_raw,
        {{ crm_clean_text('unit_price') }} as unit_price_raw,
        source_row_number

    from source
)

select * from renamed
