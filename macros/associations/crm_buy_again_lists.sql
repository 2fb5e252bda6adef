{#- Top-N products per customer among those they bought before, by method. -#}
{% macro crm_buy_again_lists(purchases, methods, top_n=none) %}
{%- set top_n = var('reco_top_n') if top_n is none else top_n %}
    {#-
        purchases: customer_number, product_number, order_count (the customer's orders holding
        the product), popularity_rank, popularity_score (of the product). methods: method, the
        lists to make: 'buy_again' ranks a customer's products by their own order count
        (ties: popularity, then product_number), score = the order count; 'popularity' by
        popularity_rank, score = popularity_score. Returns one row per method, customer and
        listed product: method, customer_number, product_number, recommendation_rank 1..n
        with n = min(top_n, products bought), score.
    -#}
    with

    buy_again_ranked as (
        select
            'buy_again' as method,
            customer_number,
            product_number,
            row_number() over (
                partition by customer_number
                order by order_count desc, popularity_rank, product_number
            ) as recommendation_rank,
            cast(order_count as {{ crm_type_double() }}) as score
        from {{ purchases }}
        where 'buy_again' in (select method from {{ methods }})
    ),

    popularity_ranked as (
        select
            'popularity' as method,
            customer_number,
            product_number,
            row_number() over (
                partition by customer_number order by popularity_rank, product_number
            ) as recommendation_rank,
            popularity_score as score
        from {{ purchases }}
        where 'popularity' in (select method from {{ methods }})
    ),

    lists as (
        select * from buy_again_ranked
        union all
        select * from popularity_ranked
    )

    select * from lists
    where recommendation_rank <= {{ top_n }}
{% endmacro %}
