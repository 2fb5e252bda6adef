{#- The blend: reciprocal rank fusion of the rules', item CF's and popularity's lists. -#}
{% macro crm_blended_lists(lists, top_n=none) %}
{%- set top_n = crm_mining.crm_checked_var('reco_top_n') if top_n is none else top_n %}
    {#-
        lists: method, customer_number, product_number, recommendation_rank,
        reason_product_number (crm_new_product_lists of 'association_rules', 'item_cf' and
        'popularity'). Returns the 'blend' lists, same columns plus score: each product a
        component list holds gets 1 / (60 + its rank there) from it (reciprocal rank fusion,
        Cormack, Clarke and Buettcher 2009, with their constant 60: no tuning), each term
        rounded to 15 decimals and summed exactly; the top_n best scores per customer (ties
        by product_number). A product two lists agree on beats one only a single list holds.
        reason_product_number: the reason of the list ranking the product best (ties: rules,
        then item CF; null from popularity).
    -#}
    with

    component_ranks as (
        select
            customer_number,
            product_number,
            recommendation_rank,
            {#- 0 stands for no reason (popularity): min_by skips nulls on some engines. #}
            coalesce(reason_product_number, 0) as reason_product_number,
            recommendation_rank * 10 + case method
                when 'association_rules' then 1
                when 'item_cf' then 2
                else 3
            end as reason_priority
        from {{ lists }}
        where method in ('association_rules', 'item_cf', 'popularity')
    ),

    ranks_fused as (
        select
            customer_number,
            product_number,
            sum(cast(
                round(1e15 / (60 + recommendation_rank)) as {{ dbt.type_bigint() }}
            )) as score_units,
            nullif(
                {{ crm_mining.crm_min_by('reason_product_number', 'reason_priority') }}, 0
            ) as reason_product_number
        from component_ranks
        group by customer_number, product_number
    ),

    fused_ranked as (
        select
            'blend' as method,
            customer_number,
            product_number,
            row_number() over (
                partition by customer_number order by score_units desc, product_number
            ) as recommendation_rank,
            cast(score_units as {{ crm_mining.crm_type_double() }}) / 1e15 as score,
            reason_product_number
        from ranks_fused
    )

    select * from fused_ranked
    where recommendation_rank <= {{ top_n }}
{% endmacro %}
