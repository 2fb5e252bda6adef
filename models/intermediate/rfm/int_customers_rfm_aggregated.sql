{#- One row per customer with a purchase before as_of_date: RFM features (macro contract). -#}
with

customer_orders as (
    select * from {{ ref('int_orders_summarized') }}
),

analysis_date as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

rfm_features as (
    {{ crm_customer_rfm_features(
        'customer_orders', '(select as_of_date from analysis_date)', relation_grain='order'
    ) }}
)

select * from rfm_features
