{#- One row per product with a kept review: review counts, mean sentiment and rating. -#}
with

review_sentiment as (
    select * from {{ ref('fct_review_sentiment') }}
),

products_aggregated as (
    {{ crm_sentiment_aggregated('review_sentiment', 'product_id') }}
)

select * from products_aggregated
order by product_id
