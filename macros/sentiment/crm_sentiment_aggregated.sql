{# The sentiment aggregates of reviews per key (product_id, customer_id): one definition. #}
{% macro crm_sentiment_aggregated(reviews, key) %}
    {#-
        reviews: a relation or CTE with the columns of fct_review_sentiment. Reviews without
        the key are left out. Every mean is exact (crm_exact_avg: compounds have 4 decimals,
        ratings are integers) and every share a ratio of counts, so two builds give the same
        bits; a share is null when its denominator is 0.
    -#}
    {%- set scored = 'count(compound)' -%}
    {%- set disagreements = 'count(case when is_rating_disagreement then 1 end)' -%}
    select
        cast({{ key }} as {{ dbt.type_string() }}) as {{ key }},
        cast(count(*) as {{ dbt.type_int() }}) as review_count,
        cast({{ scored }} as {{ dbt.type_int() }}) as scored_review_count,
        cast(count(rating) as {{ dbt.type_int() }}) as rated_review_count,
        {{ crm_mining.crm_exact_avg('compound') }} as avg_compound,
        {% for label in ['positive', 'neutral', 'negative'] -%}
            cast(count(case when sentiment_label = '{{ label }}' then 1 end)
                as {{ crm_mining.crm_type_double() }})
            / nullif({{ scored }}, 0) as share_{{ label }},
        {% endfor -%}
        {{ crm_mining.crm_exact_avg('rating') }} as avg_rating,
        cast(count(is_rating_disagreement) as {{ dbt.type_int() }}) as compared_review_count,
        cast({{ disagreements }} as {{ dbt.type_int() }}) as rating_disagreement_count,
        cast({{ disagreements }} as {{ crm_mining.crm_type_double() }})
        / nullif(count(is_rating_disagreement), 0) as share_rating_disagreement,
        cast(max(review_date) as date) as last_review_date
    from {{ reviews }}
    where {{ key }} is not null
    group by {{ key }}
{% endmacro %}
