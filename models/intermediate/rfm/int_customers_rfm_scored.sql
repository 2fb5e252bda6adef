{#- One row per customer of int_customers_rfm_aggregated, with its R, F and M scores. -#}
{#- A view: fct_customer_rfm is its only reader, and the windows are cheap. -#}
{{ config(materialized='view') }}
{%- set bins = crm_rfm_bins() -%}

with

rfm_aggregated as (
    select * from {{ ref('int_customers_rfm_aggregated') }}
),

scores_computed as (
    select
        customer_id,
        cutoff_date,
        first_order_date,
        last_order_date,
        recency_days,
        frequency,
        monetary,
        avg_order_value,
        tenure_days,
        {{ crm_rfm_score('recency_days', bins, higher_is_better=false) }} as r_score,
        {{ crm_rfm_score('frequency', bins) }} as f_score,
        case
            when monetary <= 0 then 1
            else {{ crm_rfm_score('monetary', bins) }}
        end as m_score
    from rfm_aggregated
)

select * from scores_computed
