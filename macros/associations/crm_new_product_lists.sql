{#- Top-N products per method and customer: the scored ones, then the most popular ones. -#}
{% macro crm_new_product_lists(customers, bought, products, scores, methods, top_n=none) %}
{%- set top_n = crm_mining.crm_checked_var('reco_top_n') if top_n is none else top_n %}
    {#-
        customers: customer_number (who gets a list). bought: customer_number, product_number
        (never listed). products: product_number, popularity_rank, popularity_score. scores:
        method, customer_number, product_number, score_units, score, reason_product_number,
        for products not bought (crm_neighbour_scores). methods: method, the lists to make; 'popularity'
        has no scores, its list is the fill alone.
        Returns one row per method, customer and listed product, recommendation_rank 1..n
        with n = min(top_n, products not bought): the scored products first (score_units desc,
        product_number), then the most popular products not bought and not listed yet
        (popularity_rank), with score = popularity_score and a null reason. Popular
        candidates are only looked up for the customers with places left.
    -#}
    with

    scores_ranked as (
        select
            scores.method,
            scores.customer_number,
            scores.product_number,
            scores.score,
            scores.reason_product_number,
            row_number() over (
                partition by scores.method, scores.customer_number
                order by scores.score_units desc, scores.product_number
            ) as recommendation_rank
        from {{ scores }} as scores
        inner join {{ methods }} as methods
            on scores.method = methods.method
    ),

    scores_kept as (
        select * from scores_ranked
        where recommendation_rank <= {{ top_n }}
    ),

    places_left as (
        select
            methods.method,
            customers.customer_number,
            count(scores_kept.product_number) as scored_product_count
        from {{ methods }} as methods
        cross join {{ customers }} as customers
        left join scores_kept
            on
                methods.method = scores_kept.method
                and customers.customer_number = scores_kept.customer_number
        group by methods.method, customers.customer_number
        having count(scores_kept.product_number) < {{ top_n }}
    ),

    customers_to_fill as (
        select distinct customer_number from places_left
    ),

    popular_products as (
        {{ crm_mining.crm_popular_not_bought('customers_to_fill', bought, products, top_n) }}
    ),

    fill_ranked as (
        select
            places_left.method,
            places_left.customer_number,
            popular_products.product_number,
            places_left.scored_product_count + row_number() over (
                partition by places_left.method, places_left.customer_number
                order by popular_products.popular_position
            ) as recommendation_rank,
            popular_products.popularity_score as score
        from places_left
        inner join popular_products
            on places_left.customer_number = popular_products.customer_number
        left join scores_kept
            on
                places_left.method = scores_kept.method
                and places_left.customer_number = scores_kept.customer_number
                and popular_products.product_number = scores_kept.product_number
        where scores_kept.product_number is null
    ),

    lists_filled as (
        select
            method,
            customer_number,
            product_number,
            recommendation_rank,
            score,
            reason_product_number
        from scores_kept
        union all
        select
            method,
            customer_number,
            product_number,
            recommendation_rank,
            score,
            cast(null as {{ dbt.type_bigint() }}) as reason_product_number
        from fill_ranked
        where recommendation_rank <= {{ top_n }}
    )

    select * from lists_filled
{% endmacro %}
