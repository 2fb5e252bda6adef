{#-
    One row per (order, product) bought in the order: the baskets of association rules and
    recommendations. Positive-quantity kept lines only (returns are not purchases), guest orders
    included, a product counted once per order however many lines or units it has. Kept narrow
    (the heaviest step at scale): categories come from int_products_resolved; the order's time
    is here because the recommendations order each customer's purchases by it.
-#}
with

order_lines as (
    select * from {{ ref('int_order_lines_cleaned') }}
),

basket_products as (
    select
        order_id,
        product_id,
        min(customer_id) as customer_id,
        min(ordered_at) as ordered_at
    from order_lines
    where quantity > 0
    group by order_id, product_id
)

select * from basket_products
