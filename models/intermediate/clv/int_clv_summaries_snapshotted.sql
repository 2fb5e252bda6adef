{#-
    One row per snapshot of int_clv_snapshots_resolved and customer with a purchase order
    before its cutoff: the BG/NBD and Gamma-Gamma summary of the macro crm_clv_summary.
-#}
{%- set snapshot_names = ['scoring', 'calibration', 'churn_training'] -%}
{%- set summary_columns = [
    'customer_id', 'cutoff_date', 'first_purchase_date', 'last_purchase_date',
    'repeat_purchase_days', 'days_first_to_last_purchase', 'customer_age_days',
    'repeat_purchase_value_mean', 'purchase_value_mean', 'historic_value',
] -%}

with

order_lines as (
    select * from {{ ref('int_order_lines_cleaned') }}
),

clv_snapshots as (
    select * from {{ ref('int_clv_snapshots_resolved') }}
),

{% for snapshot_name in snapshot_names %}
{{ snapshot_name }}_summary as (
    {{ crm_clv_summary(
        'order_lines',
        "(select cutoff_date from clv_snapshots where snapshot_name = '"
        ~ snapshot_name ~ "')"
    ) }}
),

{% endfor %}
summaries_unioned as (
    {%- for snapshot_name in snapshot_names %}
    select
        '{{ snapshot_name }}' as snapshot_name,
        {%- for column in summary_columns %}
        {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ snapshot_name }}_summary
    {{ 'union all' if not loop.last }}
    {%- endfor %}
)

select * from summaries_unioned
