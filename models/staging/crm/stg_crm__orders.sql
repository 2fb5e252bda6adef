with

source as (
    select * from {{ crm_input('orders') }}
),

renamed as (
    select
        ---------- ids
        {{ crm_clean_text('order_id') }} as order_id,
        {{ crm_clean_text('customer_id') }} as customer_id,

        ---------- dates
        {{ crm_parse_timestamp(crm_clean_text('order_date')) }}
            as ordered_at,
        cast(
            {{ crm_parse_timestamp(crm_clean_text('order_date')) }}
            as date
        ) as order_date,

        ---------- raw text kept for validation and the audit
        {{ crm_clean_text('order_date') }} as order_date_raw,
        source_row_number

    from source
)

select * from renamed
