{#- One row per customer with a kept review: review counts, mean sentiment and rating. -#}
with

reviews_sentiment as (
    select * from {{ ref('int_reviews_sentiment_scored') }}
),

customers_aggregated as (
    {{ crm_sentiment_aggregated('reviews_sentiment', 'customer_id') }}
)

select * from customers_aggregated
