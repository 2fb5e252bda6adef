{#- Exact pairwise association rules (support, confidence, lift, ...) of items in baskets. -#}
{% macro crm_pair_associations(
    basket_items,
    item_column,
    basket_column='order_id',
    min_support=none,
    min_confidence=none,
    min_pair_count=none,
    total_orders_relation=none
) %}
{% set min_support = (
    crm_mining.crm_checked_var('assoc_min_support') if min_support is none
    else min_support
) -%}
{% set min_confidence = (
    crm_mining.crm_checked_var('assoc_min_confidence') if min_confidence is none
    else min_confidence
) -%}
{% set min_pair_count = (
    crm_mining.crm_checked_var('assoc_min_pair_count') if min_pair_count is none
    else min_pair_count
) -%}
{% set antecedent = 'antecedent_' ~ item_column -%}
{% set consequent = 'consequent_' ~ item_column -%}
{% set total_orders_source = total_orders_relation or (
    '(select count(distinct ' ~ basket_column ~ ') as total_orders from '
    ~ basket_items ~ ')'
) -%}
    {#-
        basket_items: a relation or CTE name with one row per (basket, item): distinct pairs,
        item never null. Returns a select (usable as a CTE body) with one row per ordered pair
        of items seen together in at least one basket and kept by the thresholds:
        antecedent_<item_column>, consequent_<item_column>, pair_order_count,
        antecedent_order_count, consequent_order_count, total_orders, support, confidence,
        lift, leverage, conviction. Thresholds default to the vars assoc_min_support,
        assoc_min_confidence and assoc_min_pair_count. total_orders_relation: optionally a
        relation or CTE with one row and a column total_orders (the number of baskets, e.g.
        from fct_orders), saving the count of distinct baskets (a full aggregation).

        Scaling: items whose own support or count is below the minimum are dropped before
        pairing (apriori: a pair is never more frequent than its items); items are numbered so
        that the pairs are compared and grouped as integers; one self-join of the pruned
        (basket, item) rows on the basket key counts each unordered pair once (a < b), then
        both directions are emitted. No cross join of the catalogue: only pairs seen together
        in a basket exist. Work grows with the sum over baskets of (frequent items)^2.
    -#}
    with

    basket_count as (
        select total_orders
        from {{ total_orders_source }} as basket_totals
    ),

    item_counts as (
        select
            {{ item_column }} as item_key,
            count(*) as item_order_count
        from {{ basket_items }}
        group by {{ item_column }}
    ),

    frequent_items as (
        select
            item_counts.item_key,
            item_counts.item_order_count,
            cast(item_counts.item_order_count as {{ crm_mining.crm_type_double() }})
                / basket_count.total_orders as item_support,
            row_number() over (order by item_counts.item_key) as item_index
        from item_counts
        cross join basket_count
        where
            item_counts.item_order_count >= {{ min_pair_count }}
            and cast(item_counts.item_order_count as {{ crm_mining.crm_type_double() }})
            / basket_count.total_orders >= {{ min_support }}
    ),

    frequent_basket_items as (
        select
            basket_items_source.{{ basket_column }} as basket_key,
            frequent_items.item_index
        from {{ basket_items }} as basket_items_source
        inner join frequent_items
            on basket_items_source.{{ item_column }} = frequent_items.item_key
    ),

    pairs_counted as (
        select
            first_items.item_index as first_item_index,
            second_items.item_index as second_item_index,
            count(*) as pair_order_count
        from frequent_basket_items as first_items
        inner join frequent_basket_items as second_items
            on
                first_items.basket_key = second_items.basket_key
                and first_items.item_index < second_items.item_index
        group by first_items.item_index, second_items.item_index
    ),

    pairs_kept as (
        select
            pairs_counted.first_item_index,
            pairs_counted.second_item_index,
            pairs_counted.pair_order_count
        from pairs_counted
        cross join basket_count
        where
            pairs_counted.pair_order_count >= {{ min_pair_count }}
            and cast(pairs_counted.pair_order_count as {{ crm_mining.crm_type_double() }})
            / basket_count.total_orders >= {{ min_support }}
    ),

    pairs_both_directions as (
        select
            first_item_index as antecedent_index,
            second_item_index as consequent_index,
            pair_order_count
        from pairs_kept
        union all
        select
            second_item_index as antecedent_index,
            first_item_index as consequent_index,
            pair_order_count
        from pairs_kept
    ),

    rules_counted as (
        select
            antecedent_items.item_key as {{ antecedent }},
            consequent_items.item_key as {{ consequent }},
            pairs_both_directions.pair_order_count,
            antecedent_items.item_order_count as antecedent_order_count,
            consequent_items.item_order_count as consequent_order_count,
            basket_count.total_orders,
            antecedent_items.item_support as antecedent_support,
            consequent_items.item_support as consequent_support,
            cast(pairs_both_directions.pair_order_count as {{ crm_mining.crm_type_double() }})
                / basket_count.total_orders as support,
            cast(pairs_both_directions.pair_order_count as {{ crm_mining.crm_type_double() }})
                / antecedent_items.item_order_count as confidence
        from pairs_both_directions
        inner join frequent_items as antecedent_items
            on pairs_both_directions.antecedent_index = antecedent_items.item_index
        inner join frequent_items as consequent_items
            on pairs_both_directions.consequent_index = consequent_items.item_index
        cross join basket_count
    ),

    rules_measured as (
        select
            {{ antecedent }},
            {{ consequent }},
            pair_order_count,
            antecedent_order_count,
            consequent_order_count,
            total_orders,
            support,
            confidence,
            confidence / consequent_support as lift,
            support - antecedent_support * consequent_support as leverage,
            case
                when pair_order_count < antecedent_order_count
                    then (1 - consequent_support) / (1 - confidence)
            end as conviction
        from rules_counted
        where confidence >= {{ min_confidence }}
    )

    select * from rules_measured
{% endmacro %}
