with

reviews_sentiment as (
    select * from {{ ref('int_reviews_sentiment_scored') }}
),

customers_counted as (
    select
        customer_id,
        count(*) as review_count,
        count(compound) as scored_review_count,
        count(case when sentiment_label = 'positive' then 1 end) as positive_count,
        count(case when sentiment_label = 'negative' then 1 end) as negative_count,
        count(case when is_rating_disagreement then 1 end) as rating_disagreement_count,
        avg(compound) as avg_compound,
        avg(rating) as avg_rating,
        max(review_date) as last_review_date
    from reviews_sentiment
    where customer_id is not null
    group by customer_id
),

customers_aggregated as (
    select
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(review_count as {{ dbt.type_int() }}) as review_count,
        cast(scored_review_count as {{ dbt.type_int() }}) as scored_review_count,
        cast(avg_compound as {{ crm_type_double() }}) as avg_compound,
        cast(positive_count as {{ crm_type_double() }})
        / nullif(scored_review_count, 0) as share_positive,
        cast(negative_count as {{ crm_type_double() }})
        / nullif(scored_review_count, 0) as share_negative,
        cast(avg_rating as {{ crm_type_double() }}) as avg_rating,
        cast(rating_disagreement_count as {{ dbt.type_int() }}) as rating_disagreement_count,
        cast(last_review_date as date) as last_review_date
    from customers_counted
)

select * from customers_aggregated
