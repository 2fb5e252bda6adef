{#- One row per customer segment: persona, size, means, purchases, churn risk, sentiment. -#}
with

segments_profiled as (
    select * from {{ ref('int_segments_profiled') }}
),

{# Targets without Python models: no segment, no persona. #}
personas_named as (
    select * from {{ crm_python_model_relation('int_segment_personas_named', {
        'segment_id': dbt.type_int(),
        'persona_name': dbt.type_string(),
        'persona_description': dbt.type_string(),
    }) }}
),

{# Targets without Python models: no segment, no row. #}
customers_segmented as (
    select * from {{ crm_python_model_relation('int_customers_segmented', {
        'customer_id': dbt.type_string(),
        'segment_id': dbt.type_int(),
        'distance_to_centroid': crm_type_double(),
    }) }}
),

churn_scores as (
    select * from {{ ref('fct_customer_churn_scores') }}
),

customers_sentiment as (
    select * from {{ ref('int_customers_sentiment_aggregated') }}
),

analysis_date as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

churn_per_segment as (
    select
        customers_segmented.segment_id,
        avg(cast(churn_scores.churn_probability as {{ dbt.type_numeric() }}))
            as avg_churn_probability,
        avg(
            case
                when churn_scores.customer_id is null then null
                when churn_scores.churn_risk_band = 'high' then 1.0
                else 0.0
            end
        ) as high_churn_risk_share
    from customers_segmented
    left join churn_scores
        on customers_segmented.customer_id = churn_scores.customer_id
    group by customers_segmented.segment_id
),

sentiment_per_segment as (
    select
        customers_segmented.segment_id,
        avg(cast(customers_sentiment.avg_compound as {{ dbt.type_numeric() }}))
            as avg_review_sentiment,
        avg(
            case when customers_sentiment.scored_review_count > 0 then 1.0 else 0.0 end
        ) as reviewer_share
    from customers_segmented
    left join customers_sentiment
        on customers_segmented.customer_id = customers_sentiment.customer_id
    group by customers_segmented.segment_id
),

personas_typed as (
    select
        ---------- ids
        cast(segments_profiled.segment_id as {{ dbt.type_int() }}) as segment_id,

        ---------- strings
        cast(personas_named.persona_name as {{ dbt.type_string() }}) as persona_name,
        cast(personas_named.persona_description as {{ dbt.type_string() }})
            as persona_description,
        cast(segments_profiled.top_category as {{ dbt.type_string() }}) as top_category,
        cast(segments_profiled.top_categories as {{ dbt.type_string() }}) as top_categories,
        cast(segments_profiled.top_products as {{ dbt.type_string() }}) as top_products,

        ---------- numerics: size
        cast(segments_profiled.customer_count as {{ dbt.type_int() }}) as customer_count,
        cast(segments_profiled.customer_share as {{ crm_type_double() }}) as customer_share,

        ---------- numerics: feature means
        cast(segments_profiled.avg_recency_days as {{ crm_type_double() }})
            as avg_recency_days,
        cast(segments_profiled.avg_frequency as {{ crm_type_double() }}) as avg_frequency,
        cast(segments_profiled.avg_monetary as {{ crm_type_double() }}) as avg_monetary,
        cast(segments_profiled.avg_order_value as {{ crm_type_double() }}) as avg_order_value,
        cast(segments_profiled.avg_tenure_days as {{ crm_type_double() }}) as avg_tenure_days,
        cast(segments_profiled.avg_basket_units as {{ crm_type_double() }})
            as avg_basket_units,
        cast(segments_profiled.avg_distinct_categories as {{ crm_type_double() }})
            as avg_distinct_categories,
        cast(segments_profiled.avg_return_rate as {{ crm_type_double() }}) as avg_return_rate,
        cast(segments_profiled.avg_days_between_orders as {{ crm_type_double() }})
            as avg_days_between_orders,
        cast(segments_profiled.avg_days_per_order as {{ crm_type_double() }})
            as avg_days_per_order,
        cast(segments_profiled.top_category_spend_share as {{ crm_type_double() }})
            as top_category_spend_share,
        cast(segments_profiled.avg_distance_to_centroid as {{ crm_type_double() }})
            as avg_distance_to_centroid,

        ---------- numerics: churn (fct_customer_churn_scores)
        cast(churn_per_segment.avg_churn_probability as {{ crm_type_double() }})
            as avg_churn_probability,
        cast(churn_per_segment.high_churn_risk_share as {{ crm_type_double() }})
            as high_churn_risk_share,

        ---------- numerics: review sentiment (int_customers_sentiment_aggregated)
        cast(sentiment_per_segment.avg_review_sentiment as {{ crm_type_double() }})
            as avg_review_sentiment,
        cast(sentiment_per_segment.reviewer_share as {{ crm_type_double() }}) as reviewer_share,

        ---------- dates
        cast(analysis_date.as_of_date as date) as as_of_date

    from segments_profiled
    inner join personas_named
        on segments_profiled.segment_id = personas_named.segment_id
    left join churn_per_segment
        on segments_profiled.segment_id = churn_per_segment.segment_id
    left join sentiment_per_segment
        on segments_profiled.segment_id = sentiment_per_segment.segment_id
    cross join analysis_date
)

select * from personas_typed
