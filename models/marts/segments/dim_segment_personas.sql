{#- One row per customer segment: persona, size, means, purchases, churn risk, sentiment. -#}
{%- set texts = ['top_category', 'top_categories', 'top_products'] -%}
{%- set figures = [
    'customer_share', 'avg_recency_days', 'avg_frequency', 'avg_monetary', 'avg_order_value',
    'avg_tenure_days', 'avg_basket_units', 'avg_distinct_categories',
    'avg_share_spend_returned', 'avg_days_between_orders', 'avg_days_per_order',
    'top_category_spend_share', 'avg_distance_to_centroid',
] -%}
with

segments_profiled as (
    select * from {{ ref('int_segments_profiled') }}
),

{# Targets without Python models: no segment, no persona. #}
personas_named as (
    select * from {{ crm_python_model_relation(
        'int_segment_personas_named', int_segment_personas_named_columns()
    ) }}
),

customers_segmented as (
    select * from {{ crm_python_model_relation(
        'int_customers_segmented', int_customers_segmented_columns()
    ) }}
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
        {{ crm_exact_avg('churn_scores.churn_probability') }} as avg_churn_probability,
        {{ crm_exact_avg(
            "case when churn_scores.customer_id is null then null"
            ~ " when churn_scores.churn_risk_band = 'high' then 1 else 0 end"
        ) }} as high_churn_risk_share
    from customers_segmented
    left join churn_scores
        on customers_segmented.customer_id = churn_scores.customer_id
    group by customers_segmented.segment_id
),

sentiment_per_segment as (
    select
        customers_segmented.segment_id,
        {{ crm_exact_avg('customers_sentiment.avg_compound') }} as avg_review_sentiment,
        {{ crm_exact_avg(
            'case when customers_sentiment.scored_review_count > 0 then 1 else 0 end'
        ) }} as reviewer_share
    from customers_segmented
    left join customers_sentiment
        on customers_segmented.customer_id = customers_sentiment.customer_id
    group by customers_segmented.segment_id
),

personas_typed as (
    select
        ---------- ids
        cast(segments_profiled.segment_id as {{ dbt.type_int() }}) as segment_id,

        ---------- strings: persona (int_segment_personas_named), purchases
        {% for name, data_type in int_segment_personas_named_columns().items()
            if name != 'segment_id' -%}
            cast(personas_named.{{ name }} as {{ data_type }}) as {{ name }},
        {% endfor -%}
        {% for name in texts -%}
            cast(segments_profiled.{{ name }} as {{ dbt.type_string() }}) as {{ name }},
        {% endfor %}

        ---------- numerics: size and feature means (int_segments_profiled)
        cast(segments_profiled.customer_count as {{ dbt.type_int() }}) as customer_count,
        {% for name in figures -%}
            cast(segments_profiled.{{ name }} as {{ crm_type_double() }}) as {{ name }},
        {% endfor %}

        ---------- numerics: churn (fct_customer_churn_scores), sentiment
        churn_per_segment.avg_churn_probability,
        churn_per_segment.high_churn_risk_share,
        sentiment_per_segment.avg_review_sentiment,
        sentiment_per_segment.reviewer_share,

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
