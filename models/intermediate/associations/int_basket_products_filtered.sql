{#-
    One row per (order, product) of int_basket_products_deduplicated whose product is a good:
    the products of the var non_product_ids (postage, fees, adjustments) left out. The baskets
    of the rules, the recommendation and buy-again lists and their evaluation; fct_orders and
    dim_products count every product. A view: with the var empty it is the baskets as they are.
-#}
{{ config(materialized='view') }}
with

basket_products as (
    select * from {{ ref('int_basket_products_deduplicated') }}
),

goods_in_baskets as (
    select
        order_id,
        product_id,
        customer_id,
        ordered_at
    from basket_products
    where not {{ crm_is_non_product('product_id') }}
)

select * from goods_in_baskets
