{#-
    One row per product in a basket: its number (ordered like product_id, so that the heavy
    steps join and group integers) and its popularity over all baskets ('current') and over the
    baskets the offline evaluation learns from ('training': all but the hidden orders).
-#}
with

basket_products as (
    select * from {{ ref('int_basket_products_filtered') }}
),

holdout_orders as (
    select * from {{ ref('int_recommendation_holdout_orders') }}
),

training_orders_counted as (
    select * from {{ ref('int_recommendation_training_orders_counted') }}
),

product_orders_counted as (
    select
        basket_products.product_id,
        count(*) as order_count,
        count(case when holdout_orders.order_id is null then 1 end) as training_order_count
    from basket_products
    left join holdout_orders
        on basket_products.order_id = holdout_orders.order_id
    group by basket_products.product_id
),

products_ranked as (
    select
        product_orders_counted.product_id,
        row_number() over (order by product_orders_counted.product_id) as product_number,
        product_orders_counted.order_count,
        row_number() over (
            order by product_orders_counted.order_count desc, product_orders_counted.product_id asc
        ) as popularity_rank,
        cast(product_orders_counted.order_count as {{ crm_type_double() }})
        / training_orders_counted.purchase_order_count as popularity_score,
        product_orders_counted.training_order_count,
        {#- A product bought only in hidden orders is unknown to the evaluation. #}
        case
            when product_orders_counted.training_order_count > 0
                then row_number() over (
                        order by
                            product_orders_counted.training_order_count desc,
                            product_orders_counted.product_id asc
                    )
        end as training_popularity_rank,
        cast(product_orders_counted.training_order_count as {{ crm_type_double() }})
        / training_orders_counted.total_orders as training_popularity_score
    from product_orders_counted
    cross join training_orders_counted
)

select * from products_ranked
