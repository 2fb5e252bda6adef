-- The macros the docs offer for reuse, called from this project as crm_mining.<name>, give
-- what the package's marts hold. Called from another project a package macro looks its
-- unqualified calls up in that project (crm_type_double was undefined here), and the
-- package's var defaults are not seen: thresholds and bins are passed as arguments (5 bins:
-- the package default, which this project keeps). Checked: every product rule of the mart,
-- with its metrics, is among the macro's unfiltered rules; the product sentiment
-- aggregates and their Wilson bounds; the RFM scores, segments and tiers. Fails with the rows that disagree.
with

basket_products as (
    select * from {{ ref('crm_mining', 'int_basket_products_deduplicated') }}
),

orders as (
    select * from {{ ref('crm_mining', 'fct_orders') }}
),

item_rules as (
    select * from {{ ref('crm_mining', 'fct_item_pair_associations') }}
),

review_sentiment as (
    select * from {{ ref('crm_mining', 'fct_review_sentiment') }}
),

product_sentiment as (
    select * from {{ ref('crm_mining', 'fct_product_sentiment') }}
),

customer_rfm as (
    select * from {{ ref('crm_mining', 'fct_customer_rfm') }}
),

purchase_order_count as (
    select count(*) as total_orders
    from orders
    where is_purchase_order
),

rules_unfiltered as (
    {{ crm_mining.crm_pair_associations(
        'basket_products', 'product_id', min_support=0, min_confidence=0, min_pair_count=1,
        total_orders_relation='purchase_order_count'
    ) }}
),

products_summarized as (
    {{ crm_mining.crm_sentiment_aggregated('review_sentiment', 'product_id') }}
),

products_aggregated as (
    select
        *,
        {{ crm_mining.crm_wilson_lower_bound('share_positive', 'scored_review_count') }}
            as share_positive_lower_bound,
        {{ crm_mining.crm_wilson_lower_bound('share_negative', 'scored_review_count') }}
            as share_negative_lower_bound
    from products_summarized
),

rfm_rescored as (
    select
        customer_id,
        {{ crm_mining.crm_rfm_score('recency_days', 5, higher_is_better=false) }} as r_score,
        {{ crm_mining.crm_rfm_score('frequency', 5) }} as f_score,
        case
            when monetary <= 0 then 1
            else {{ crm_mining.crm_rfm_score('monetary', 5) }}
        end as m_score,
        monetary
    from customer_rfm
),

rfm_mapped as (
    select
        customer_id,
        r_score,
        f_score,
        m_score,
        {{ crm_mining.crm_rfm_segment(
            crm_mining.crm_rfm_score_on_5('r_score', 5),
            crm_mining.crm_rfm_score_on_5('f_score', 5)
        ) }} as rfm_segment,
        {{ crm_mining.crm_rfm_value_tier(
            crm_mining.crm_rfm_score_on_5('f_score', 5),
            crm_mining.crm_rfm_score_on_5('m_score', 5),
            'monetary'
        ) }} as value_tier
    from rfm_rescored
),

rules_disagreeing as (
    select
        'product rule of the mart not given by the macro' as side,
        {{ dbt.concat(['antecedent_product_id', "' -> '", 'consequent_product_id']) }} as row_key
    from (
        select
            antecedent_product_id, consequent_product_id, pair_order_count,
            antecedent_order_count, consequent_order_count, total_orders, support, confidence,
            lift, leverage, conviction
        from item_rules
        except
        select
            antecedent_product_id, consequent_product_id, pair_order_count,
            antecedent_order_count, consequent_order_count, total_orders, support, confidence,
            lift, leverage, conviction
        from rules_unfiltered
    ) as only_mart
),

sentiment_disagreeing as (
    select 'product sentiment only in the mart' as side, product_id as row_key
    from (select * from product_sentiment except select * from products_aggregated) as only_mart
    union all
    select 'product sentiment only from the macro' as side, product_id as row_key
    from (select * from products_aggregated except select * from product_sentiment) as only_macro
),

rfm_disagreeing as (
    select 'rfm scores only in the mart' as side, customer_id as row_key
    from (
        select customer_id, r_score, f_score, m_score, rfm_segment, value_tier
        from customer_rfm
        except
        select customer_id, r_score, f_score, m_score, rfm_segment, value_tier
        from rfm_mapped
    ) as only_mart
    union all
    select 'rfm scores only from the macros' as side, customer_id as row_key
    from (
        select customer_id, r_score, f_score, m_score, rfm_segment, value_tier
        from rfm_mapped
        except
        select customer_id, r_score, f_score, m_score, rfm_segment, value_tier
        from customer_rfm
    ) as only_macros
)

select * from rules_disagreeing
union all
select * from sentiment_disagreeing
union all
select * from rfm_disagreeing
