{#- One row per ordered pair of categories bought together: exact pairwise association rules. -#}
with

basket_products as (
    select * from {{ ref('int_basket_products_filtered') }}
),

products as (
    select * from {{ ref('int_products_resolved') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

analysis_date as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

basket_categories as (
    select distinct
        basket_products.order_id,
        products.category
    from basket_products
    inner join products
        on basket_products.product_id = products.product_id
),

purchase_order_count as (
    select count(*) as total_orders
    from orders
    where is_purchase_order
),

category_rules as (
    {{ crm_pair_associations(
        'basket_categories', 'category', total_orders_relation='purchase_order_count'
    ) }}
),

category_rules_dated as (
    select
        category_rules.*,
        cast(analysis_date.as_of_date as date) as as_of_date
    from category_rules
    cross join analysis_date
)

select * from category_rules_dated
