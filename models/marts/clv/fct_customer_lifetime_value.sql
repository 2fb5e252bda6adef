{#-
    One row per customer with a purchase before as_of_date: P(alive), expected purchases and
    order value, predicted CLV over the horizon, historic value, CLV tier, next purchase date.
-#}
{%- set scored_columns = int_clv_customers_scored_columns() -%}
{%- set model_columns = {} -%}
{%- for name, data_type in scored_columns.items() if name != 'customer_id' -%}
    {%- do model_columns.update({name: data_type}) -%}
{%- endfor -%}
{%- set scoring_customers_sql -%}
    (
        select customer_id
        from {{ ref('int_clv_summaries_snapshotted') }}
        where snapshot_name = 'scoring'
    )
{%- endset %}
with

{# Targets without Python models: every customer of the scoring snapshot, model columns null. #}
clv_scores as (
    select * from {{ crm_python_model_relation(
        'int_clv_customers_scored', model_columns,
        rows_from=scoring_customers_sql, key_columns=['customer_id']
    ) }}
),

clv_summaries as (
    select * from {{ ref('int_clv_summaries_snapshotted') }}
),

clv_snapshots as (
    select * from {{ ref('int_clv_snapshots_resolved') }}
),

scoring_summary as (
    select * from clv_summaries
    where snapshot_name = 'scoring'
),

scoring_snapshot as (
    select
        as_of_date,
        horizon_end_date,
        horizon_days
    from clv_snapshots
    where snapshot_name = 'scoring'
),

values_typed as (
    select
        cast(scoring_summary.customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(scoring_snapshot.as_of_date as date) as as_of_date,
        cast(scoring_snapshot.horizon_end_date as date) as horizon_end_date,
        cast(scoring_snapshot.horizon_days as {{ dbt.type_int() }}) as clv_horizon_days,
        cast(scoring_summary.first_purchase_date as date) as first_purchase_date,
        cast(scoring_summary.last_purchase_date as date) as last_purchase_date,
        cast(scoring_summary.repeat_purchase_days as {{ dbt.type_int() }})
            as repeat_purchase_days,
        cast(scoring_summary.days_first_to_last_purchase as {{ dbt.type_int() }})
            as days_first_to_last_purchase,
        cast(scoring_summary.customer_age_days as {{ dbt.type_int() }}) as customer_age_days,
        cast(scoring_summary.historic_value as {{ crm_type_amount() }}) as historic_value,
        {% for name, data_type in model_columns.items() -%}
            cast(clv_scores.{{ name }} as {{ data_type }}) as {{ name }},
        {% endfor -%}
        cast(
            {{ dbt.dateadd(
                'day', 'clv_scores.days_to_next_purchase', 'scoring_snapshot.as_of_date'
            ) }} as date
        ) as expected_next_purchase_date
    from scoring_summary
    left join clv_scores
        on scoring_summary.customer_id = clv_scores.customer_id
    cross join scoring_snapshot
)

select * from values_typed
