with

review_sentiment as (
    select * from {{ ref('fct_review_sentiment') }}
),

products_counted as (
    select
        product_id,
        count(*) as review_count,
        count(compound) as scored_review_count,
        count(rating) as rated_review_count,
        count(case when sentiment_label = 'positive' then 1 end) as positive_count,
        count(case when sentiment_label = 'neutral' then 1 end) as neutral_count,
        count(case when sentiment_label = 'negative' then 1 end) as negative_count,
        count(is_rating_disagreement) as compared_review_count,
        count(case when is_rating_disagreement then 1 end) as rating_disagreement_count,
        avg(compound) as avg_compound,
        avg(rating) as avg_rating,
        max(review_date) as last_review_date
    from review_sentiment
    where product_id is not null
    group by product_id
),

products_aggregated as (
    select
        cast(product_id as {{ dbt.type_string() }}) as product_id,
        cast(review_count as {{ dbt.type_int() }}) as review_count,
        cast(scored_review_count as {{ dbt.type_int() }}) as scored_review_count,
        cast(rated_review_count as {{ dbt.type_int() }}) as rated_review_count,
        cast(avg_compound as {{ crm_type_double() }}) as avg_compound,
        cast(positive_count as {{ crm_type_double() }})
        / nullif(scored_review_count, 0) as share_positive,
        cast(neutral_count as {{ crm_type_double() }})
        / nullif(scored_review_count, 0) as share_neutral,
        cast(negative_count as {{ crm_type_double() }})
        / nullif(scored_review_count, 0) as share_negative,
        cast(avg_rating as {{ crm_type_double() }}) as avg_rating,
        cast(compared_review_count as {{ dbt.type_int() }}) as compared_review_count,
        cast(rating_disagreement_count as {{ dbt.type_int() }}) as rating_disagreement_count,
        cast(rating_disagreement_count as {{ crm_type_double() }})
        / nullif(compared_review_count, 0) as share_rating_disagreement,
        cast(last_review_date as date) as last_review_date
    from products_counted
)

select * from products_aggregated
order by product_id
