-- A model of the consuming project on a crm_mining mart: customers, spend and recency per
-- RFM value tier.
with

customer_rfm as (
    select * from {{ ref('crm_mining', 'fct_customer_rfm') }}
),

tiers_summarised as (
    select
        value_tier,
        count(*) as customer_count,
        sum(monetary) as total_monetary,
        avg(recency_days) as avg_recency_days
    from customer_rfm
    group by value_tier
)

select * from tiers_summarised
