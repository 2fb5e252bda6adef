{#-
    One row per snapshot and customer with at least one review dated before the snapshot's
    cutoff: review sentiment features (the VADER compound of int_reviews_sentiment_scored, the
    rows of fct_review_sentiment), computed only from the reviews dated strictly before the
    cutoff.
-#}
with

review_sentiment as (
    select * from {{ ref('int_reviews_sentiment_scored') }}
),

churn_snapshots as (
    select * from {{ ref('int_churn_snapshots_resolved') }}
),

reviews_before_cutoff as (
    select
        churn_snapshots.snapshot_name,
        review_sentiment.customer_id,
        review_sentiment.compound,
        review_sentiment.sentiment_label,
        review_sentiment.rating
    from review_sentiment
    inner join churn_snapshots
        on review_sentiment.review_date < churn_snapshots.cutoff_date
    where review_sentiment.customer_id is not null
),

reviews_summarized as (
    select
        snapshot_name,
        customer_id,
        count(*) as count_reviews,
        {{ crm_exact_avg('compound') }} as avg_review_compound,
        {{ crm_exact_avg(
            "case when sentiment_label = 'negative' then 1 when compound is not null then 0 end"
        ) }} as share_negative_reviews,
        {{ crm_exact_avg('rating') }} as avg_review_rating
    from reviews_before_cutoff
    group by snapshot_name, customer_id
)

select * from reviews_summarized
