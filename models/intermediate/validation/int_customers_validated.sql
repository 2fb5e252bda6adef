with

customers as (
    select * from {{ ref('stg_crm__customers') }}
),

analysis_date as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

customer_versions as (
    select distinct
        customer_id,
        signup_date_raw,
        country
    from customers
    where customer_id is not null
),

customer_version_counts as (
    select
        customer_id,
        count(*) as version_count
    from customer_versions
    group by customer_id
),

customers_checked as (
    select
        customers.customer_id,
        customers.signup_date,
        customers.country,
        customers.signup_date_raw,
        customers.source_row_number,
        case
            when customers.customer_id is null then 'customer_id: missing'
            -- a point-in-time run (the var set) knows no customer who signed up later
            when
                analysis_date.is_as_of_date_from_var
                and customers.signup_date >= analysis_date.as_of_date
                then {{ crm_after_as_of_date_reason('signup_date') }}
            when customer_version_counts.version_count > 1
                then 'customer_id: same customer_id with another signup_date or country'
            else {{ crm_reject_uncastable_optional(
                'signup_date', 'customers.signup_date_raw', 'customers.signup_date', 'a date'
            ) }}
        end as rejection_reason,
        row_number() over (
            partition by customers.customer_id, customers.signup_date_raw, customers.country
            order by customers.source_row_number
        ) as copy_number
    from customers
    cross join analysis_date
    left join customer_version_counts
        on customers.customer_id = customer_version_counts.customer_id
),

customers_classified as (
    select
        *,
        {{ crm_row_status('rejection_reason', 'copy_number') }} as row_status
    from customers_checked
)

select * from customers_classified
