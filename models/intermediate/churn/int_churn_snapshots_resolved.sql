{#-
    The two snapshots of the churn model, one row each: 'training' (features before
    as_of_date - churn_horizon_days, labels observed up to as_of_date) and 'scoring' (features
    before as_of_date, the horizon still to come).
-#}
{%- set horizon_days = crm_checked_var('churn_horizon_days') -%}

with

as_of_date_resolved as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

snapshots_defined as (
    select
        'training' as snapshot_name,
        cast({{ dbt.dateadd('day', -horizon_days, 'as_of_date') }} as date) as cutoff_date,
        as_of_date as horizon_end_date,
        as_of_date,
        {{ horizon_days }} as churn_horizon_days
    from as_of_date_resolved
    union all
    select
        'scoring' as snapshot_name,
        as_of_date as cutoff_date,
        cast(
            {{ dbt.dateadd('day', horizon_days, 'as_of_date') }} as date
        ) as horizon_end_date,
        as_of_date,
        {{ horizon_days }} as churn_horizon_days
    from as_of_date_resolved
)

select * from snapshots_defined
