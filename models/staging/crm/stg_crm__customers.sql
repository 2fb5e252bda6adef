with

source as (
    select * from {{ crm_input('customers') }}
),

renamed as (
    select
        ---------- ids
        {{ crm_clean_text('customer_id') }} as customer_id,

        ---------- strings
        upper({{ crm_clean_text('country') }}) as country,

        ---------- dates
        cast(
            {{ crm_parse_timestamp(crm_clean_text('signup_date')) }}
            as date
        ) as signup_date,

        ---------- raw text kept for validation and the audit
        {{ crm_clean_text('signup_date') }} as signup_date_raw,
        source_row_number

    from source
)

select * from renamed
