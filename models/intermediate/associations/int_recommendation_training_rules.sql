{#-
    The product rules of the offline evaluation: fct_item_pair_associations rebuilt (same
    macro, same vars) from every basket except each customer's hidden last order.
-#}
with

basket_products as (
    select * from {{ ref('int_basket_products_deduplicated') }}
),

holdout_orders as (
    select * from {{ ref('int_recommendation_holdout_orders') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
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

purchase_order_count as (
    select count(*) as purchase_order_count
    from orders
    where is_purchase_order
),

holdout_order_count as (
    select count(*) as holdout_order_count
    from holdout_orders
),

training_order_count as (
    select
        purchase_order_count.purchase_order_count
        - holdout_order_count.holdout_order_count as total_orders
    from purchase_order_count
    cross join holdout_order_count
),

training_rules as (
    {{ crm_pair_associations(
        'training_baskets', 'product_id', total_orders_relation='training_order_count'
    ) }}
)

select * from training_rules
