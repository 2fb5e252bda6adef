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
        {{ crm_try_cast(crm_clean_text('order_date'), api.Column.translate_type('timestamp')) }}
            as ordered_at,
        cast(
            {{ crm_try_cast(crm_clean_text('order_date'), api.Column.translate_type('timestamp')) }}
            as date
        ) as order_date,

        ---------- raw text kept for validation and the audit
        {{ crm_clean_text('order_date') }} as order_date_raw,
        source_row_number

    from source
)

select * from renamed
