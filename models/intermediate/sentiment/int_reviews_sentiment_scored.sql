with

reviews as (
    select * from {{ ref('int_reviews_text_hashed') }}
),

review_texts_scored as (
    select * from {{ ref('int_review_texts_scored') }}
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
        coalesce(review_texts_scored.is_text_truncated, false) as is_text_truncated
    from reviews
    left join review_texts_scored
        on reviews.text_hash = review_texts_scored.text_hash
),

reviews_labeled as (
    select
        *,
        case
            when compound is null then 'no_text'
            when compound >= 0.05 then 'positive'
            when compound <= -0.05 then 'negative'
            else 'neutral'
        end as sentiment_label
    from reviews_scored
),

reviews_compared as (
    select
        *,
        case
            when rating is null or sentiment_label = 'no_text' then null
            when rating >= 4 and sentiment_label = 'negative' then true
            when rating <= 2 and sentiment_label = 'positive' then true
            else false
        end as is_rating_disagreement
    from reviews_labeled
)

select * from reviews_compared
