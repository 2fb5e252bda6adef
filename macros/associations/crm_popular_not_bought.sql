{#- The top_n most popular products each customer never bought. -#}
{% macro crm_popular_not_bought(customers, bought, products, top_n=none) %}
{%- set top_n = crm_mining.crm_checked_var('reco_top_n') if top_n is none else top_n %}
    {#-
        customers: customer_number. bought: customer_number, product_number. products:
        product_number, popularity_rank (1 = in the most orders), popularity_score. Returns
        one row per customer and product: the top_n products of best popularity_rank that the
        customer never bought (fewer when fewer exist), popular_position 1..n. Only the first
        (products bought + top_n) products by popularity can qualify: on DuckDB, whose range
        join reads only those, the work grows with the products bought, never with the
        catalogue. Spark has no range join: its nested loop compares every customer with every
        product (docs/spark.md).
    -#}
    with

    bought_counted as (
        select
            customers.customer_number,
            count(bought.product_number) as bought_product_count
        from {{ customers }} as customers
        left join {{ bought }} as bought
            on customers.customer_number = bought.customer_number
        group by customers.customer_number
    ),

    popular_candidates as (
        select
            bought_counted.customer_number,
            products.product_number,
            products.popularity_rank,
            products.popularity_score
        from bought_counted
        inner join {{ products }} as products
            on products.popularity_rank <= bought_counted.bought_product_count + {{ top_n }}
    ),

    popular_not_bought as (
        select
            popular_candidates.customer_number,
            popular_candidates.product_number,
            popular_candidates.popularity_score,
            row_number() over (
                partition by popular_candidates.customer_number
                order by popular_candidates.popularity_rank
            ) as popular_position
        from popular_candidates
        left join {{ bought }} as bought
            on
                popular_candidates.customer_number = bought.customer_number
                and popular_candidates.product_number = bought.product_number
        where bought.product_number is null
    )

    select * from popular_not_bought
    where popular_position <= {{ top_n }}
{% endmacro %}
