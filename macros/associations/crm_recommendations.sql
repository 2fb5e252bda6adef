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
        consequent (min_by of integers in the same group-by, no window over the expansion);
        popular candidates are bounded by bought_product_count + top_n per customer, and only
        expanded for customers who may have places left.
        Bought products, scored products and popular candidates meet in one union and
        group-by (no anti-joins): Spark inlines a CTE at every reference, so every path from
        the result to an argument copies the argument's plan; this layout keeps the basket
        argument (a large subquery, or a unit-test fixture) 18 times in the plan (38 before).
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
            product_id,
            product_order_count,
            row_number() over (order by product_id) as product_number,
            row_number() over (
                order by product_order_count desc, product_id
            ) as popularity_rank
        from product_popularity
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
            {#- strength_rank is unique per consequent: the most confident contributing rule. #}
            min_by(neighbour_rules.antecedent_number, neighbour_rules.strength_rank)
                as reason_number
        from customer_products
        inner join neighbour_rules
            on customer_products.product_number = neighbour_rules.antecedent_number
        group by customer_products.customer_number, neighbour_rules.consequent_number
    ),

    customer_score_counts as (
        select
            customer_number,
            count(*) as scored_product_count
        from customer_rule_scores
        group by customer_number
    ),

    popular_candidates as (
        {#-
            Enough popular products to fill the list after removing the ones bought, for the
            customers who may have places left: fewer scored products than top_n plus the
            products they bought (at least top_n of them are not bought otherwise).
        #}
        select
            customers_numbered.customer_number,
            products_numbered.product_number,
            products_numbered.popularity_rank
        from customers_numbered
        left join customer_score_counts
            on customers_numbered.customer_number = customer_score_counts.customer_number
        inner join products_numbered
            on
                products_numbered.popularity_rank
                <= customers_numbered.bought_product_count + {{ top_n }}
        where
            coalesce(customer_score_counts.scored_product_count, 0)
            < customers_numbered.bought_product_count + {{ top_n }}
    ),

    candidates as (
        {#- candidate_source 0: bought (never recommended), 1: scored by rules, 2: popular. #}
        select
            customer_number,
            product_number,
            0 as candidate_source,
            cast(null as {{ crm_type_double() }}) as score,
            cast(null as bigint) as reason_number,
            cast(null as bigint) as popularity_rank
        from customer_products
        union all
        select
            customer_number,
            product_number,
            1 as candidate_source,
            score,
            reason_number,
            cast(null as bigint) as popularity_rank
        from customer_rule_scores
        union all
        select
            customer_number,
            product_number,
            2 as candidate_source,
            cast(null as {{ crm_type_double() }}) as score,
            cast(null as bigint) as reason_number,
            popularity_rank
        from popular_candidates
    ),

    candidates_per_product as (
        {#- One row per customer and product; a scored product is not a popular one. #}
        select
            customer_number,
            product_number,
            min(candidate_source) as candidate_source,
            max(score) as score,
            max(reason_number) as reason_number,
            case
                when min(candidate_source) = 2 then max(popularity_rank)
            end as popularity_rank
        from candidates
        group by customer_number, product_number
    ),

    candidates_ranked as (
        {#-
            Scored products first (score desc, product_id), then popular ones (order count
            desc, product_id); product numbers are ordered like the ids.
        #}
        select
            customer_number,
            product_number,
            candidate_source,
            score,
            reason_number,
            row_number() over (
                partition by customer_number
                order by candidate_source, score desc, popularity_rank, product_number
            ) as recommendation_rank
        from candidates_per_product
        where candidate_source > 0
    ),

    recommendations_named as (
        select
            customers_numbered.customer_id,
            recommended_products.product_id,
            {#- row_number() is a bigint on DuckDB, an int on Spark. #}
            cast(candidates_ranked.recommendation_rank as bigint) as recommendation_rank,
            case
                when candidates_ranked.candidate_source = 1 then candidates_ranked.score
                else
                    cast(recommended_products.product_order_count as {{ crm_type_double() }})
                    / order_count.total_orders
            end as score,
            coalesce(reason_products.product_id, 'popular') as reason
        from candidates_ranked
        inner join customers_numbered
            on candidates_ranked.customer_number = customers_numbered.customer_number
        inner join products_numbered as recommended_products
            on candidates_ranked.product_number = recommended_products.product_number
        left join products_numbered as reason_products
            on candidates_ranked.reason_number = reason_products.product_number
        cross join order_count
        where candidates_ranked.recommendation_rank <= {{ top_n }}
    )

    select * from recommendations_named
{% endmacro %}
