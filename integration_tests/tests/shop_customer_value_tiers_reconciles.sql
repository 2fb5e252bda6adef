-- Every customer of crm_mining's RFM mart is in exactly one tier: the counts add up.
select tiers.customers_in_tiers, rfm.customers
from (
    select sum(customer_count) as customers_in_tiers
    from {{ ref('shop_customer_value_tiers') }}
) as tiers
cross join (
    select count(*) as customers from {{ ref('crm_mining', 'fct_customer_rfm') }}
) as rfm
where tiers.customers_in_tiers <> rfm.customers
