with

source as (
    select * from {{ crm_input('reviews') }}
),

renamed as (
    select
        ---------- ids
        {{ crm_clean_text('review_id') }} as review_id,
        {{ crm_clean_text('customer_id') }} as customer_id,
        {{ crm_clean_text('product_id') }} as product_id,

        ---------- strings: the text exactly as written (sentiment scoring reads it as is)
        review_text,

        ---------- numerics
        {{ crm_parse_number(crm_clean_text('rating'), crm_type_double()) }} as rating,

        ---------- dates
        cast(
            {{ crm_parse_timestamp(crm_clean_text('review_date')) }}
            as date
        ) as review_date,

        ---------- raw text kept for validation and the audit
        {{ crm_clean_text('rating') }} as rating_raw,
        {{ crm_clean_text('review_date') }} as review_date_raw,
        source_row_number

    from source
)

select * from renamed
