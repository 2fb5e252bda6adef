{#-
    Customer 360: one row per customer known from the customers input, a kept order or a kept
    review, with profile, RFM, segment, churn risk, lifetime value, review sentiment and top
    recommendation.
-#}
with

customers_identified as (
    select * from {{ ref('int_customers_identified') }}
),

customers_rfm as (
    select * from {{ ref('fct_customer_rfm') }}
),

customer_segments as (
    select * from {{ ref('fct_customer_segments') }}
),

churn_scores as (
    select * from {{ ref('fct_customer_churn_scores') }}
),

customers_lifetime_value as (
    select * from {{ ref('fct_customer_lifetime_value') }}
),

customers_sentiment as (
    select * from {{ ref('int_customers_sentiment_aggregated') }}
),

recommendations as (
    select * from {{ ref('fct_customer_recommendations') }}
),

products as (
    select * from {{ ref('dim_products') }}
),

analysis_date as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

top_recommendations as (
    select
        recommendations.customer_id,
        recommendations.product_id,
        products.product_name,
        recommendations.score,
        recommendations.reason
    from recommendations
    left join products
        on recommendations.product_id = products.product_id
    where recommendations.recommendation_rank = 1
),

customers_joined as (
    select
        cast(customers_identified.customer_id as {{ dbt.type_string() }}) as customer_id,
        customers_identified.is_in_customer_file,
        cast(customers_identified.signup_date as date) as signup_date,
        cast(customers_identified.country as {{ dbt.type_string() }}) as country,
        cast(customers_identified.order_count as {{ dbt.type_bigint() }}) as order_count,
        customers_rfm.customer_id is not null as has_purchase,
        cast(customers_rfm.first_order_date as date) as first_order_date,
        cast(customers_rfm.last_order_date as date) as last_order_date,
        cast(customers_rfm.recency_days as {{ dbt.type_int() }}) as recency_days,
        cast(customers_rfm.frequency as {{ dbt.type_int() }}) as frequency,
        cast(customers_rfm.monetary as {{ crm_type_amount() }}) as monetary,
        cast(customers_rfm.avg_order_value as {{ crm_type_amount() }}) as avg_order_value,
        cast(customers_rfm.tenure_days as {{ dbt.type_int() }}) as tenure_days,
        cast(customers_rfm.r_score as {{ dbt.type_int() }}) as r_score,
        cast(customers_rfm.f_score as {{ dbt.type_int() }}) as f_score,
        cast(customers_rfm.m_score as {{ dbt.type_int() }}) as m_score,
        cast(customers_rfm.rfm_cell as {{ dbt.type_string() }}) as rfm_cell,
        cast(customers_rfm.rfm_segment as {{ dbt.type_string() }}) as rfm_segment,
        cast(customers_rfm.value_tier as {{ dbt.type_string() }}) as value_tier,
        cast(customer_segments.segment_id as {{ dbt.type_int() }}) as segment_id,
        cast(customer_segments.persona_name as {{ dbt.type_string() }}) as persona_name,
        cast(churn_scores.churn_probability as {{ crm_type_double() }}) as churn_probability,
        cast(churn_scores.churn_risk_band as {{ dbt.type_string() }}) as churn_risk_band,
        cast(churn_scores.main_driver as {{ dbt.type_string() }}) as churn_main_driver,
        cast(customers_lifetime_value.p_alive as {{ crm_type_double() }}) as p_alive,
        cast(customers_lifetime_value.expected_purchases as {{ crm_type_double() }})
            as expected_purchases,
        cast(customers_lifetime_value.predicted_clv as {{ crm_type_double() }}) as predicted_clv,
        cast(coalesce(customers_sentiment.review_count, 0) as {{ dbt.type_int() }})
            as review_count,
        cast(customers_sentiment.avg_compound as {{ crm_type_double() }})
            as avg_review_compound,
        cast(customers_sentiment.avg_rating as {{ crm_type_double() }}) as avg_review_rating,
        cast(customers_sentiment.last_review_date as date) as last_review_date,
        cast(top_recommendations.product_id as {{ dbt.type_string() }})
            as top_recommended_product_id,
        cast(top_recommendations.product_name as {{ dbt.type_string() }})
            as top_recommended_product_name,
        cast(top_recommendations.score as {{ crm_type_double() }}) as top_recommendation_score,
        cast(top_recommendations.reason as {{ dbt.type_string() }})
            as top_recommendation_reason,
        cast(analysis_date.as_of_date as date) as as_of_date
    from customers_identified
    left join customers_rfm
        on customers_identified.customer_id = customers_rfm.customer_id
    left join customer_segments
        on customers_identified.customer_id = customer_segments.customer_id
    left join churn_scores
        on customers_identified.customer_id = churn_scores.customer_id
    left join customers_lifetime_value
        on customers_identified.customer_id = customers_lifetime_value.customer_id
    left join customers_sentiment
        on customers_identified.customer_id = customers_sentiment.customer_id
    left join top_recommendations
        on customers_identified.customer_id = top_recommendations.customer_id
    cross join analysis_date
)

select * from customers_joined
