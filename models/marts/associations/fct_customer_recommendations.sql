{#- One row per customer and recommended product: top reco_top_n products they never bought. -#}
with

basket_products as (
    select * from {{ ref('int_basket_products_deduplicated') }}
),

item_pair_associations as (
    select * from {{ ref('fct_item_pair_associations') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

purchase_order_count as (
    select count(*) as total_orders
    from orders
    where is_purchase_order
),

recommendations as (
    {{ crm_recommendations(
        'basket_products', 'item_pair_associations',
        total_orders_relation='purchase_order_count'
    ) }}
)

select * from recommendations
