{#- One row per customer with a purchase before as_of_date: RFM features (macro contract). -#}
with

order_lines as (
    select * from {{ ref('int_order_lines_cleaned') }}
),

analysis_date as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

rfm_features as (
    {{ crm_customer_rfm_features('order_lines', '(select as_of_date from analysis_date)') }}
)

select * from rfm_features
