{#-
    The three snapshots of the CLV models, one row each: 'scoring' (summary before
    as_of_date, the horizon still to come), 'calibration' (summary before as_of_date -
    clv_horizon_days, the last clv_horizon_days observed: the out-of-time check) and
    'churn_training' (the churn model's training cutoff: the P(alive) baseline of the churn
    metrics).
-#}
{%- set horizon_days = crm_checked_var('clv_horizon_days') -%}

with

as_of_date_resolved as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

churn_snapshots as (
    select * from {{ ref('int_churn_snapshots_resolved') }}
),

snapshots_defined as (
    select
        'scoring' as snapshot_name,
        as_of_date as cutoff_date,
        cast(
            {{ dbt.dateadd('day', horizon_days, 'as_of_date') }} as date
        ) as horizon_end_date,
        as_of_date,
        {{ horizon_days }} as horizon_days
    from as_of_date_resolved
    union all
    select
        'calibration' as snapshot_name,
        cast(
            {{ dbt.dateadd('day', -horizon_days, 'as_of_date') }} as date
        ) as cutoff_date,
        as_of_date as horizon_end_date,
        as_of_date,
        {{ horizon_days }} as horizon_days
    from as_of_date_resolved
    union all
    select
        'churn_training' as snapshot_name,
        cutoff_date,
        horizon_end_date,
        as_of_date,
        churn_horizon_days as horizon_days
    from churn_snapshots
    where snapshot_name = 'training'
)

select * from snapshots_defined
