{#-
    One row per product with a kept review: review counts, mean sentiment and rating, and the
    lower ends of the Wilson intervals of the positive and negative shares, which rank products
    without letting one or two reviews top the list.
-#}
with

review_sentiment as (
    select * from {{ ref('fct_review_sentiment') }}
),

products_aggregated as (
    {{ crm_sentiment_aggregated('review_sentiment', 'product_id') }}
),

products_bounded as (
    select
        *,
        {{ crm_wilson_lower_bound('share_positive', 'scored_review_count') }}
            as share_positive_lower_bound,
        {{ crm_wilson_lower_bound('share_negative', 'scored_review_count') }}
            as share_negative_lower_bound
    from products_aggregated
)

select * from products_bounded
-- stored in key order (DuckDB keeps an order by even without preserve_insertion_order): a
-- scan of the mart reads the same rows in the same order on every build (docs/sentiment.md)
order by product_id
