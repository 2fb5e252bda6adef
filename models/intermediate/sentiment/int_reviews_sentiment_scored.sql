with

reviews as (
    select * from {{ ref('int_reviews_text_hashed') }}
),

{# Targets without Python models (dbt-spark session/thrift): no text is scored. #}
review_texts_scored as (
    select * from {{ crm_python_model_relation(
        'int_review_texts_scored', int_review_texts_scored_columns()
    ) }}
),

reviews_scored as (
    select
        reviews.review_id,
        reviews.customer_id,
        reviews.product_id,
        reviews.review_date,
        reviews.rating,
        review_texts_scored.compound,
        review_texts_scored.positive,
        review_texts_scored.neutral,
        review_texts_scored.negative,
        {#- A text without a cache row was never scored (Python models off): unknown. -#}
        reviews.text_hash is not null
        and review_texts_scored.text_hash is null as is_text_unscored,
        case
            when reviews.text_hash is null or review_texts_scored.text_hash is not null
                then coalesce(review_texts_scored.is_text_truncated, false)
        end as is_text_truncated
    from reviews
    left join review_texts_scored
        on reviews.text_hash = review_texts_scored.text_hash
),

reviews_labeled as (
    select
        *,
        case
            when is_text_unscored then null
            when compound is null then 'no_text'
            when compound >= 0.05 then 'positive'
            when compound <= -0.05 then 'negative'
            else 'neutral'
        end as sentiment_label
    from reviews_scored
),

reviews_compared as (
    select
        review_id,
        customer_id,
        product_id,
        review_date,
        rating,
        compound,
        positive,
        neutral,
        negative,
        is_text_truncated,
        sentiment_label,
        case
            when rating is null or sentiment_label is null or sentiment_label = 'no_text'
                then null
            when rating >= 4 and sentiment_label = 'negative' then true
            when rating <= 2 and sentiment_label = 'positive' then true
            else false
        end as is_rating_disagreement
    from reviews_labeled
)

select * from reviews_compared
