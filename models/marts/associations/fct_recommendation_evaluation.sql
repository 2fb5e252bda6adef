{#-
    Offline evaluation of the recommendation methods: one row per target (new products, repeat
    purchases) and method. The hidden last orders of int_recommendation_holdout_orders against
    the lists each method makes from every other order (leave-last-out: other customers'
    orders after a hidden one are training data too, docs/associations.md); the method with
    the most customers hit is chosen for fct_customer_recommendations and
    fct_customer_buy_again (ties: the simpler), unless a var forces one, among the simplest
    (popularity) and the methods that beat it by reco_min_gain_z standard errors or more
    (McNemar's z over the customers one of the two hits and the other misses:
    int_recommendation_methods_compared).
-#}
{%- set min_gain_z = crm_checked_var('reco_min_gain_z') %}
with

methods_compared as (
    select * from {{ ref('int_recommendation_methods_compared') }}
),

evaluation as (
    select
        recommendation_target,
        method,
        cast({{ crm_checked_var('reco_top_n') }} as {{ dbt.type_int() }}) as top_n,
        cast(coalesce(evaluated_customer_count, 0) as {{ dbt.type_bigint() }})
            as evaluated_customer_count,
        cast(coalesce(relevant_product_count, 0) as {{ dbt.type_bigint() }})
            as relevant_product_count,
        cast(coalesce(hit_product_count, 0) as {{ dbt.type_bigint() }}) as hit_product_count,
        cast(coalesce(hit_customer_count, 0) as {{ dbt.type_bigint() }}) as hit_customer_count,
        cast(hit_customer_count as {{ crm_type_double() }})
        / evaluated_customer_count as hit_rate,
        cast(recall_sum as {{ crm_type_double() }}) / evaluated_customer_count as recall,
        cast(gain_z as {{ crm_type_double() }}) as gain_z,
        row_number() over (
            partition by recommendation_target
            order by
                case when is_forced then 0 else 1 end,
                case
                    when simplicity_rank = 1 then 0
                    when gain_z > 0 and gain_z >= {{ min_gain_z }} then 0
                    else 1
                end,
                coalesce(hit_customer_count, 0) desc,
                simplicity_rank asc
        ) = 1 as is_chosen,
        is_forced
    from methods_compared
)

select * from evaluation
