{#- Data test: every customer gets ranks 1..n, n = min(top_n, products they can be offered). -#}
{% test crm_recommendation_ranks_complete(
    model, basket_model, top_n=none, among_bought=false, lines_model=none, customers_model=none
) %}
{% set top_n = crm_mining.crm_checked_var('reco_top_n') if top_n is none else top_n -%}
    {#-
        Fails with the customers (of basket_model, guests aside) whose list is not exactly the
        ranks 1, 2, ..., n with n = min(top_n, products of basket_model they never bought), or,
        with among_bought, n = min(top_n, products they bought); top_n defaults to the var
        reco_top_n. With lines_model (customer_id, product_id, quantity): among_bought, the
        products whose lines there sum to a quantity of 0 or less (returned in full) are not
        counted as bought; otherwise the products of basket_model a customer has a return
        line of (quantity < 0) are not offered, as those bought. With customers_model (customer_id), its customers are
        the ones checked, those absent from basket_model having bought none of its products:
        every customer of it gets a list of new products, a signup who never bought and a
        buyer of only what basket_model leaves out (non_product_ids) included.
    -#}
    with

    recommendations as (
        select * from {{ model }}
    ),

    {% if among_bought and lines_model is not none -%}
    order_lines as (
        select * from {{ lines_model }}
    ),

    -- only a pair with a return line can be returned in full: the others are not summed
    pairs_with_a_return as (
        select distinct
            customer_id,
            product_id
        from order_lines
        where quantity < 0 and customer_id is not null
    ),

    returned_in_full as (
        select
            order_lines.customer_id,
            order_lines.product_id
        from order_lines
        inner join pairs_with_a_return
            on
                order_lines.customer_id = pairs_with_a_return.customer_id
                and order_lines.product_id = pairs_with_a_return.product_id
        group by order_lines.customer_id, order_lines.product_id
        having sum(order_lines.quantity) <= 0
    ),

    baskets as (
        select baskets_all.*
        from {{ basket_model }} as baskets_all
        left join returned_in_full
            on
                baskets_all.customer_id = returned_in_full.customer_id
                and baskets_all.product_id = returned_in_full.product_id
        where returned_in_full.customer_id is null
    ),
    {%- else -%}
    baskets as (
        select * from {{ basket_model }}
    ),
    {%- endif %}

    product_count as (
        select count(distinct product_id) as product_count
        from baskets
    ),

    {% if not among_bought and lines_model is not none -%}
    -- new products: what a customer returned is not offered either
    return_lines as (
        select * from {{ lines_model }}
    ),
    {%- endif %}

    customer_products_taken as (
        select
            customer_id,
            product_id
        from baskets
        {%- if not among_bought and lines_model is not none %}
        union
        select
            return_lines.customer_id,
            return_lines.product_id
        from return_lines
        where
            return_lines.quantity < 0
            and return_lines.product_id in (select baskets.product_id from baskets)
        {%- endif %}
    ),

    taken_counts as (
        select
            customer_id,
            count(distinct product_id) as bought_product_count
        from customer_products_taken
        where customer_id is not null
        group by customer_id
    ),

    {% if customers_model is not none -%}
    customers as (
        select * from {{ customers_model }}
    ),

    customer_product_counts as (
        select
            customers.customer_id,
            coalesce(taken_counts.bought_product_count, 0) as bought_product_count
        from customers
        left join taken_counts
            on customers.customer_id = taken_counts.customer_id
    ),
    {%- else -%}
    customer_product_counts as (
        select * from taken_counts
    ),
    {%- endif %}

    recommendation_counts as (
        select
            customer_id,
            count(*) as recommendation_count,
            count(distinct recommendation_rank) as distinct_rank_count,
            min(recommendation_rank) as min_rank,
            max(recommendation_rank) as max_rank
        from recommendations
        group by customer_id
    ),

    customers_checked as (
        select
            customer_product_counts.customer_id,
            least(
                {{ top_n }},
                {%- if among_bought %}
                customer_product_counts.bought_product_count
                {%- else %}
                product_count.product_count - customer_product_counts.bought_product_count
                {%- endif %}
            ) as expected_count,
            coalesce(recommendation_counts.recommendation_count, 0) as recommendation_count,
            recommendation_counts.distinct_rank_count,
            recommendation_counts.min_rank,
            recommendation_counts.max_rank
        from customer_product_counts
        cross join product_count
        full outer join recommendation_counts
            on customer_product_counts.customer_id = recommendation_counts.customer_id
    )

    select *
    from customers_checked
    where
        customer_id is null
        or recommendation_count != expected_count
        or (
            recommendation_count > 0
            and (
                distinct_rank_count != recommendation_count
                or min_rank != 1
                or max_rank != recommendation_count
            )
        )
{% endtest %}
