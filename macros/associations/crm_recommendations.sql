{#- Top-N products per customer from pairwise rules, filled up with the most popular products. -#}
{% macro crm_recommendations(
    basket_products, product_rules, top_n=none, total_orders_relation=none
) %}
{% set top_n = var('reco_top_n') if top_n is none else top_n -%}
{% set total_orders_source = total_orders_relation or (
    '(select count(distinct order_id) as total_orders from ' ~ basket_products ~ ')'
) -%}
    {#-
        basket_products: one row per (order_id, product_id) with customer_id (null for guests).
        product_rules: antecedent_product_id, consequent_product_id, confidence (columns of
        fct_item_pair_associations). The CTE names below must differ from both arguments.
        Returns a select with one row per customer (with at least one basket) and
        recommended product: customer_id, product_id, recommendation_rank (1 = best), score,
        reason. top_n defaults to the var reco_top_n. total_orders_relation: as in
        crm_pair_associations (one row, column total_orders), else counted here.

        Scoring (doc block assoc_recommendation_score): each product A keeps its top_n rules
        A -> X by confidence (ties by product_id); a customer's score of a product X they
        never bought is the sum of confidence(A -> X) over those rules whose antecedent A they
        bought, each confidence rounded to 15 decimals and summed as an exact decimal (a sum of
        doubles depends on the order of summation in its last bits; an exact sum does not, so
        scores and ranks are deterministic); reason = the A of the most confident of them
        (ties by product_id). Scored products come first (score desc, product_id); the most
        popular products the customer never bought (order count desc, product_id) fill up to
        top_n, with reason 'popular' and score = their support (share of orders).

        Scaling: customers and products are numbered first (integers ordered like their ids),
        so that the heavy steps join and group integers; the expansion customer x bought
        product x kept rule is bounded by top_n rules per product and aggregated with a plain
        group-by; the reason comes from the rule's precomputed rank among the rules of its
        consequent (min of an integer, no window over the expansion); popular candidates are
        only expanded for customers with places left.
    -#}
    with

    customer_product_ids as (
        select distinct
            customer_id,
            product_id
        from {{ basket_products }}
        where customer_id is not null
    ),

    order_count as (
        select total_orders
        from {{ total_orders_source }} as order_totals
    ),

    product_popularity as (
        select
            product_id,
            count(*) as product_order_count
        from {{ basket_products }}
        group by product_id
    ),

    products_numbered as (
        select
            product_popularity.product_id,
            cast(product_popularity.product_order_count as {{ crm_type_double() }})
            / order_count.total_orders as product_support,
            row_number() over (order by product_popularity.product_id) as product_number,
            row_number() over (
                order by
                    product_popularity.product_order_count desc,
                    product_popularity.product_id
            ) as popularity_rank
        from product_popularity
        cross join order_count
    ),

    customers_numbered as (
        select
            customer_id,
            count(*) as bought_product_count,
            row_number() over (order by customer_id) as customer_number
        from customer_product_ids
        group by customer_id
    ),

    customer_products as (
        select
            customers_numbered.customer_number,
            products_numbered.product_number
        from customer_product_ids
        inner join customers_numbered
            on customer_product_ids.customer_id = customers_numbered.customer_id
        inner join products_numbered
            on customer_product_ids.product_id = products_numbered.product_id
    ),

    rules_ranked_per_antecedent as (
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

    neighbour_rules as (
        select
            antecedent_products.product_number as antecedent_number,
            consequent_products.product_number as consequent_number,
            rules_ranked_per_antecedent.confidence,
            row_number() over (
                partition by rules_ranked_per_antecedent.consequent_product_id
                order by
                    rules_ranked_per_antecedent.confidence desc,
                    rules_ranked_per_antecedent.antecedent_product_id
            ) as strength_rank
        from rules_ranked_per_antecedent
        inner join products_numbered as antecedent_products
            on rules_ranked_per_antecedent.antecedent_product_id = antecedent_products.product_id
        inner join products_numbered as consequent_products
            on rules_ranked_per_antecedent.consequent_product_id = consequent_products.product_id
        where rules_ranked_per_antecedent.consequent_rank <= {{ top_n }}
    ),

    customer_rule_scores as (
        select
            customer_products.customer_number,
            neighbour_rules.consequent_number as product_number,
            cast(
                sum(cast(neighbour_rules.confidence as numeric(28, 15)))
                as {{ crm_type_double() }}
            ) as score,
            min(neighbour_rules.strength_rank) as best_strength_rank
        from customer_products
        inner join neighbour_rules
            on customer_products.product_number = neighbour_rules.antecedent_number
        group by customer_products.customer_number, neighbour_rules.consequent_number
    ),

    association_candidates as (
        select
            customer_rule_scores.customer_number,
            customer_rule_scores.product_number,
            customer_rule_scores.score,
            neighbour_rules.antecedent_number as reason_number,
            row_number() over (
                partition by customer_rule_scores.customer_number
                order by customer_rule_scores.score desc, customer_rule_scores.product_number
            ) as candidate_rank
        from customer_rule_scores
        inner join neighbour_rules
            on
                customer_rule_scores.product_number = neighbour_rules.consequent_number
                and customer_rule_scores.best_strength_rank = neighbour_rules.strength_rank
        left join customer_products as bought_products
            on
                customer_rule_scores.customer_number = bought_products.customer_number
                and customer_rule_scores.product_number = bought_products.product_number
        where bought_products.product_number is null
    ),

    association_recommendations as (
        select
            customer_number,
            product_number,
            score,
            reason_number,
            candidate_rank as recommendation_rank
        from association_candidates
        where candidate_rank <= {{ top_n }}
    ),

    association_counts as (
        select
            customer_number,
            count(*) as association_count
        from association_recommendations
        group by customer_number
    ),

    customers_to_fill as (
        select
            customers_numbered.customer_number,
            customers_numbered.bought_product_count,
            coalesce(association_counts.association_count, 0) as association_count
        from customers_numbered
        left join association_counts
            on customers_numbered.customer_number = association_counts.customer_number
        where coalesce(association_counts.association_count, 0) < {{ top_n }}
    ),

    popular_candidates as (
        select
            customers_to_fill.customer_number,
            customers_to_fill.association_count,
            products_numbered.product_number,
            products_numbered.product_support,
            products_numbered.popularity_rank
        from customers_to_fill
        inner join products_numbered
            on
                products_numbered.popularity_rank
                <= customers_to_fill.bought_product_count + {{ top_n }}
    ),

    popular_candidates_ranked as (
        select
            popular_candidates.customer_number,
            popular_candidates.product_number,
            popular_candidates.product_support,
            popular_candidates.association_count
            + row_number() over (
                partition by popular_candidates.customer_number
                order by popular_candidates.popularity_rank
            ) as recommendation_rank
        from popular_candidates
        left join customer_products as bought_products
            on
                popular_candidates.customer_number = bought_products.customer_number
                and popular_candidates.product_number = bought_products.product_number
        left join association_recommendations
            on
                popular_candidates.customer_number = association_recommendations.customer_number
                and popular_candidates.product_number = association_recommendations.product_number
        where
            bought_products.product_number is null
            and association_recommendations.product_number is null
    ),

    recommendations_numbered as (
        select
            customer_number,
            product_number,
            recommendation_rank,
            score,
            reason_number
        from association_recommendations
        union all
        select
            customer_number,
            product_number,
            recommendation_rank,
            product_support as score,
            cast(null as bigint) as reason_number
        from popular_candidates_ranked
        where recommendation_rank <= {{ top_n }}
    ),

    recommendations_named as (
        select
            customers_numbered.customer_id,
            recommended_products.product_id,
            recommendations_numbered.recommendation_rank,
            recommendations_numbered.score,
            coalesce(reason_products.product_id, 'popular') as reason
        from recommendations_numbered
        inner join customers_numbered
            on recommendations_numbered.customer_number = customers_numbered.customer_number
        inner join products_numbered as recommended_products
            on recommendations_numbered.product_number = recommended_products.product_number
        left join products_numbered as reason_products
            on recommendations_numbered.reason_number = reason_products.product_number
    )

    select * from recommendations_named
{% endmacro %}
