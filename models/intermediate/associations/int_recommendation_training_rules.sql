{#-
    The product rules of the offline evaluation: fct_item_pair_associations rebuilt (same
    macro, same vars) from every basket except the hidden orders.
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

training_baskets as (
    select
        basket_products.order_id,
        basket_products.product_id
    from basket_products
    left join holdout_orders
        on basket_products.order_id = holdout_orders.order_id
    where holdout_orders.order_id is null
),

training_rules as (
    {{ crm_pair_associations(
        'training_baskets', 'product_id', total_orders_relation='training_orders_counted'
    ) }}
)

select * from training_rules
