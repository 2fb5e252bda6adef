{#- Score of each product a customer never bought: the summed weights from their history. -#}
{% macro crm_neighbour_scores(histories, neighbours, bought, methods) %}
    {#-
        histories: customer_number, product_number (each customer's recent products, capped).
        neighbours: method, product_number, neighbour_product_number, weight_units,
        strength_rank (crm_product_neighbours). bought: customer_number, product_number
        (everything the customers bought: never scored). methods: method, the methods to score
        (the other methods' pairs are left out). Returns one row per method, customer and
        product reached: score_units = the sum of the weight_units of the pairs from the
        customer's history to the product (weights rounded to 15 decimals and summed exactly
        as integers: a sum of doubles depends on the order of summation in its last bits, an
        exact sum keeps scores and ranks deterministic), score = score_units / 10^15;
        reason_product_number = the history product of the strongest pair (its strength_rank
        is unique per method and neighbour).
        Work: the rows of histories times the neighbours per product, whatever the number of
        products a customer bought.
    -#}
    with

    scores_summed as (
        select
            neighbours.method,
            histories.customer_number,
            neighbours.neighbour_product_number as product_number,
            sum(neighbours.weight_units) as score_units,
            {{ crm_mining.crm_min_by(
                'neighbours.product_number', 'neighbours.strength_rank'
            ) }} as reason_product_number
        from {{ histories }} as histories
        inner join {{ neighbours }} as neighbours
            on histories.product_number = neighbours.product_number
        inner join {{ methods }} as methods
            on neighbours.method = methods.method
        group by
            neighbours.method,
            histories.customer_number,
            neighbours.neighbour_product_number
    ),

    scores_not_bought as (
        select
            scores_summed.method,
            scores_summed.customer_number,
            scores_summed.product_number,
            scores_summed.score_units,
            cast(scores_summed.score_units as {{ crm_mining.crm_type_double() }}) / 1e15 as score,
            scores_summed.reason_product_number
        from scores_summed
        left join {{ bought }} as bought
            on
                scores_summed.customer_number = bought.customer_number
                and scores_summed.product_number = bought.product_number
        where bought.product_number is null
    )

    select * from scores_not_bought
{% endmacro %}
