{#- One row per customer with at least one purchase order: RFM features, scores, segment. -#}
{%- set bins = crm_rfm_bins() -%}

with

rfm_scored as (
    select * from {{ ref('int_customers_rfm_scored') }}
),

scores_on_5 as (
    select
        *,
        {{ crm_rfm_score_on_5('r_score', bins) }} as r_score_on_5,
        {{ crm_rfm_score_on_5('f_score', bins) }} as f_score_on_5,
        {{ crm_rfm_score_on_5('m_score', bins) }} as m_score_on_5
    from rfm_scored
),

segments_mapped as (
    select
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(cutoff_date as date) as as_of_date,
        cast(first_order_date as date) as first_order_date,
        cast(last_order_date as date) as last_order_date,
        cast(recency_days as {{ dbt.type_int() }}) as recency_days,
        cast(frequency as {{ dbt.type_int() }}) as frequency,
        cast(monetary as {{ crm_type_amount() }}) as monetary,
        cast(avg_order_value as {{ crm_type_amount() }}) as avg_order_value,
        cast(tenure_days as {{ dbt.type_int() }}) as tenure_days,
        cast(r_score as {{ dbt.type_int() }}) as r_score,
        cast(f_score as {{ dbt.type_int() }}) as f_score,
        cast(m_score as {{ dbt.type_int() }}) as m_score,
        cast(
            {{ dbt.concat([
                dbt.cast('r_score', dbt.type_string()),
                dbt.cast('f_score', dbt.type_string()),
                dbt.cast('m_score', dbt.type_string()),
            ]) }}
            as {{ dbt.type_string() }}
        ) as rfm_cell,
        cast(
            {{ crm_rfm_segment('r_score_on_5', 'f_score_on_5') }} as {{ dbt.type_string() }}
        ) as rfm_segment,
        cast(
            {{ crm_rfm_value_tier('f_score_on_5', 'm_score_on_5', 'monetary') }}
            as {{ dbt.type_string() }}
        ) as value_tier
    from scores_on_5
)

select * from segments_mapped
