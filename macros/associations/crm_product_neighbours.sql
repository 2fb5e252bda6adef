{#- The products each product points to, for the rules and for item CF, with their weight. -#}
{% macro crm_product_neighbours(product_rules, product_similarities, products, top_n=none) %}
{%- set top_n = crm_mining.crm_checked_var('reco_top_n') if top_n is none else top_n %}
    {#-
        product_rules: antecedent_product_id, consequent_product_id, confidence (the columns of
        fct_item_pair_associations). product_similarities: product_number,
        neighbour_product_number, similarity (int_product_similarities of one context).
        products: product_id, product_number. Returns one row per method
        ('association_rules', 'item_cf'), product and neighbour product: product_number,
        neighbour_product_number, weight (the rule's confidence, the similarity),
        weight_units (the weight rounded to 15 decimals, times 10^15: summed exactly as
        integers) and strength_rank, the rank of the pair among the pairs pointing to the same
        neighbour (weight desc, then product_number): 1 = the strongest, the reason of a
        score.
        Each product keeps its top_n most confident rules (ties by consequent product_id);
        the similarities come already cut to reco_cf_neighbours per product.
    -#}
    with

    rules_ranked as (
        select
            antecedent_product_id,
            consequent_product_id,
            confidence,
            row_number() over (
                partition by antecedent_product_id
                order by confidence desc, consequent_product_id
            ) as consequent_rank
        from {{ product_rules }}
    ),

    rule_neighbours as (
        select
            'association_rules' as method,
            antecedents.product_number,
            consequents.product_number as neighbour_product_number,
            rules_ranked.confidence as weight
        from rules_ranked
        inner join {{ products }} as antecedents
            on rules_ranked.antecedent_product_id = antecedents.product_id
        inner join {{ products }} as consequents
            on rules_ranked.consequent_product_id = consequents.product_id
        where rules_ranked.consequent_rank <= {{ top_n }}
    ),

    similarity_neighbours as (
        select
            'item_cf' as method,
            product_number,
            neighbour_product_number,
            similarity as weight
        from {{ product_similarities }}
    ),

    neighbours_unioned as (
        select * from rule_neighbours
        union all
        select * from similarity_neighbours
    ),

    neighbours_ranked as (
        select
            method,
            product_number,
            neighbour_product_number,
            weight,
            cast(round(weight * 1e15) as {{ dbt.type_bigint() }}) as weight_units,
            row_number() over (
                partition by method, neighbour_product_number
                order by weight desc, product_number
            ) as strength_rank
        from neighbours_unioned
    )

    select * from neighbours_ranked
{% endmacro %}
