{#-
    One row per segment of int_customers_segmented: size, the mean of each feature over its
    customers, the same means over every clustered customer (base_avg_*), and what it buys.
-#}
{%- set averaged = [
    ('recency_days', 'avg_recency_days'),
    ('frequency', 'avg_frequency'),
    ('monetary', 'avg_monetary'),
    ('avg_order_value', 'avg_order_value'),
    ('tenure_days', 'avg_tenure_days'),
    ('avg_basket_units', 'avg_basket_units'),
    ('count_distinct_categories', 'avg_distinct_categories'),
    ('share_spend_returned', 'avg_share_spend_returned'),
    ('avg_days_between_orders', 'avg_days_between_orders'),
    ('days_per_order', 'avg_days_per_order'),
] -%}
{%- set compared = [
    'avg_recency_days', 'avg_frequency', 'avg_monetary', 'avg_days_between_orders',
    'avg_share_spend_returned', 'avg_tenure_days',
] -%}

with

{# Targets without Python models: no segment, no row. #}
customers_segmented as (
    select * from {{ crm_python_model_relation(
        'int_customers_segmented', int_customers_segmented_columns()
    ) }}
),

segment_features as (
    select * from {{ ref('int_segment_features_prepared') }}
),

segment_purchases as (
    select * from {{ ref('int_segment_purchases_ranked') }}
),

segment_categories as (
    select * from {{ ref('int_segment_categories_ranked') }}
),

customers_featured as (
    select
        customers_segmented.segment_id,
        customers_segmented.distance_to_centroid,
        segment_features.*
    from customers_segmented
    inner join segment_features
        on customers_segmented.customer_id = segment_features.customer_id
),

segment_means as (
    select
        segment_id,
        count(*) as customer_count,
        {% for column, name in averaged -%}
            {{ crm_exact_avg(column) }} as {{ name }},
        {% endfor -%}
        {{ crm_exact_avg('distance_to_centroid') }} as avg_distance_to_centroid
    from customers_featured
    group by segment_id
),

base_means as (
    select
        {% for column, name in averaged if name in compared -%}
            {{ crm_exact_avg(column) }} as base_{{ name }},
        {% endfor -%}
        count(*) as base_customer_count
    from segment_features
),

segments_profiled as (
    select
        segment_means.*,
        cast(segment_means.customer_count as {{ crm_type_double() }})
        / base_means.base_customer_count as customer_share,
        segment_purchases.top_category,
        segment_purchases.top_category_spend_share,
        segment_categories.share_of_spend as top_category_base_spend_share,
        segment_purchases.top_categories,
        segment_purchases.top_products,
        {% for name in compared -%}
            base_means.base_{{ name }},
        {% endfor -%}
        base_means.base_customer_count
    from segment_means
    cross join base_means
    left join segment_purchases
        on segment_means.segment_id = segment_purchases.segment_id
    left join segment_categories
        on segment_purchases.top_category = segment_categories.category
)

select * from segments_profiled
