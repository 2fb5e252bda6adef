with

source as (
    select * from {{ crm_input('products') }}
),

renamed as (
    select
        ---------- ids
        {{ crm_clean_text('product_id') }} as product_id,

        ---------- strings
        {{ crm_clean_text('product_name') }} as product_name,
        {{ crm_clean_text('category') }} as category,

        ---------- numerics
        {{ crm_parse_number(crm_clean_text('list_price'), crm_type_price()) }} as list_price,

        ---------- raw text kept for validation and the audit
        {{ crm_clean_text('list_price') }} as list_price_raw,
        source_row_number

    from source
)

select * from renamed
