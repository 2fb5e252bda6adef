{#- One row per ordered pair of products bought together: exact pairwise association rules. -#}
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

purchase_order_count as (
    select count(*) as total_orders
    from orders
    where is_purchase_order
),

product_rules as (
    {{ crm_pair_associations(
        'basket_products', 'product_id', total_orders_relation='purchase_order_count'
    ) }}
),

product_rules_named as (
    select
        product_rules.antecedent_product_id,
        product_rules.consequent_product_id,
        antecedent_products.product_name as antecedent_product_name,
        consequent_products.product_name as consequent_product_name,
        product_rules.pair_order_count,
        product_rules.antecedent_order_count,
        product_rules.consequent_order_count,
        product_rules.total_orders,
        product_rules.support,
        product_rules.confidence,
        product_rules.lift,
        product_rules.leverage,
        product_rules.conviction,
        cast(analysis_date.as_of_date as date) as as_of_date
    from product_rules
    inner join products as antecedent_products
        on product_rules.antecedent_product_id = antecedent_products.product_id
    inner join products as consequent_products
        on product_rules.consequent_product_id = consequent_products.product_id
    cross join analysis_date
)

select * from product_rules_named
