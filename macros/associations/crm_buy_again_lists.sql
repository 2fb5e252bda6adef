{#- Top-N products per customer among those they bought before, by method. -#}
{% macro crm_buy_again_lists(purchases, methods, top_n=none) %}
{%- set top_n = crm_mining.crm_checked_var('reco_top_n') if top_n is none else top_n %}
    {#-
        purchases: one row per customer and product bought, with at least customer_number,
        product_number, order_count (the customer's orders holding the product),
        popularity_rank and popularity_score (of the product). methods: method, the lists to
        make: 'buy_again' ranks a customer's products by their own order count (ties:
        popularity, then product_number), score = the order count; 'popularity' by
        popularity_rank, score = popularity_score. Returns the listed rows of purchases (all
        their columns) with method, recommendation_rank 1..n (n = min(top_n, products
        bought)) and score.
    -#}
    with

    buy_again_ranked as (
        select
            purchases.*,
            'buy_again' as method,
            row_number() over (
                partition by purchases.customer_number
                order by purchases.order_count desc, purchases.popularity_rank, purchases.product_number
            ) as recommendation_rank,
            cast(purchases.order_count as {{ crm_mining.crm_type_double() }}) as score
        from {{ purchases }} as purchases
        where 'buy_again' in (select method from {{ methods }})
    ),

    popularity_ranked as (
        select
            purchases.*,
            'popularity' as method,
            row_number() over (
                partition by purchases.customer_number
                order by purchases.popularity_rank, purchases.product_number
            ) as recommendation_rank,
            cast(purchases.popularity_score as {{ crm_mining.crm_type_double() }}) as score
        from {{ purchases }} as purchases
        where 'popularity' in (select method from {{ methods }})
    ),

    ranked_lists as (
        select * from buy_again_ranked
        union all
        select * from popularity_ranked
    )

    select * from ranked_lists
    where recommendation_rank <= {{ top_n }}
{% endmacro %}
