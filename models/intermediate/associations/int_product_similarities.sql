{#-
    Item-to-item collaborative filtering: one row per context, product and one of its
    reco_cf_neighbours most similar products. Two products are similar when the same customers
    bought both, in any of their orders (not only together): over the customers' recent
    histories (int_customer_histories_capped, per context), n(A) = customers with A,
    n(A, B) = customers with both, and
    similarity = n(A, B) / sqrt(n(A) * n(B)) * n(A, B) / (n(A, B) + reco_cf_shrinkage),
    the cosine of the two products' customer vectors, shrunk for pairs seen by few customers.
-#}
{%- set shrinkage = crm_checked_var('reco_cf_shrinkage') %}
with

histories as (
    select * from {{ ref('int_customer_histories_capped') }}
),

product_customers_counted as (
    select
        context,
        product_number,
        count(*) as customer_count
    from histories
    group by context, product_number
),

pairs_counted as (
    select
        first_products.context,
        first_products.product_number as first_product_number,
        second_products.product_number as second_product_number,
        count(*) as pair_customer_count
    from histories as first_products
    inner join histories as second_products
        on
            first_products.context = second_products.context
            and first_products.customer_number = second_products.customer_number
            and first_products.product_number < second_products.product_number
    group by
        first_products.context,
        first_products.product_number,
        second_products.product_number
),

pairs_both_directions as (
    select
        context,
        first_product_number as product_number,
        second_product_number as neighbour_product_number,
        pair_customer_count
    from pairs_counted
    union all
    select
        context,
        second_product_number as product_number,
        first_product_number as neighbour_product_number,
        pair_customer_count
    from pairs_counted
),

pairs_with_counts as (
    select
        pairs_both_directions.context,
        pairs_both_directions.product_number,
        pairs_both_directions.neighbour_product_number,
        pairs_both_directions.pair_customer_count,
        products.customer_count as product_customer_count,
        neighbours.customer_count as neighbour_customer_count
    from pairs_both_directions
    inner join product_customers_counted as products
        on
            pairs_both_directions.context = products.context
            and pairs_both_directions.product_number = products.product_number
    inner join product_customers_counted as neighbours
        on
            pairs_both_directions.context = neighbours.context
            and pairs_both_directions.neighbour_product_number = neighbours.product_number
),

pairs_measured as (
    select
        context,
        product_number,
        neighbour_product_number,
        pair_customer_count,
        product_customer_count,
        neighbour_customer_count,
        {#- Written once, in this order: the same doubles on every engine and in the tests. #}
        (
            pair_customer_count
            / sqrt(
                cast(product_customer_count * neighbour_customer_count as {{ crm_type_double() }})
            )
        ) * (
            pair_customer_count
            / cast(pair_customer_count + {{ shrinkage }} as {{ crm_type_double() }})
        ) as similarity
    from pairs_with_counts
),

neighbours_ranked as (
    select
        context,
        product_number,
        neighbour_product_number,
        pair_customer_count,
        product_customer_count,
        neighbour_customer_count,
        similarity,
        row_number() over (
            partition by context, product_number
            order by similarity desc, neighbour_product_number asc
        ) as neighbour_rank
    from pairs_measured
),

neighbours_kept as (
    select * from neighbours_ranked
    where neighbour_rank <= {{ crm_checked_var('reco_cf_neighbours') }}
)

select * from neighbours_kept
