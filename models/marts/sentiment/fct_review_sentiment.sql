with

reviews_sentiment as (
    select * from {{ ref('int_reviews_sentiment_scored') }}
),

reviews_typed as (
    select
        cast(review_id as {{ dbt.type_string() }}) as review_id,
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(product_id as {{ dbt.type_string() }}) as product_id,
        cast(review_date as date) as review_date,
        cast(rating as {{ dbt.type_int() }}) as rating,
        cast(compound as {{ crm_type_double() }}) as compound,
        cast(positive as {{ crm_type_double() }}) as positive,
        cast(neutral as {{ crm_type_double() }}) as neutral,
        cast(negative as {{ crm_type_double() }}) as negative,
        cast(sentiment_label as {{ dbt.type_string() }}) as sentiment_label,
        cast(is_rating_disagreement as {{ dbt.type_boolean() }}) as is_rating_disagreement,
        cast(is_text_truncated as {{ dbt.type_boolean() }}) as is_text_truncated
    from reviews_sentiment
)

select * from reviews_typed
-- stored in key order (DuckDB keeps an order by even without preserve_insertion_order): a
-- scan of the mart reads the same rows in the same order on every build (docs/sentiment.md)
order by review_id
