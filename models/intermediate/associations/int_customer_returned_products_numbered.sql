{#-
    One row per customer and product of the recommendations with a return line of the customer
    (a negative quantity), whether or not the data holds the purchase: a product the customer
    sent back is never offered to them as new. Keyed by the numbers of
    int_recommendation_customers_numbered and int_recommendation_products_ranked (products
    that are no basket product, or no good, have none and are never offered anyway);
    has_training_return: a return line outside the order the offline evaluation hides.
-#}
with

order_lines as (
    select * from {{ ref('int_order_lines_cleaned') }}
),

holdout_orders as (
    select * from {{ ref('int_recommendation_holdout_orders') }}
),

customers_numbered as (
    select * from {{ ref('int_recommendation_customers_numbered') }}
),

products_ranked as (
    select * from {{ ref('int_recommendation_products_ranked') }}
),

returned_pairs as (
    select
        order_lines.customer_id,
        order_lines.product_id,
        max(case when holdout_orders.order_id is null then 1 else 0 end) = 1
            as has_training_return
    from order_lines
    left join holdout_orders
        on order_lines.order_id = holdout_orders.order_id
    where order_lines.is_return and order_lines.customer_id is not null
    group by order_lines.customer_id, order_lines.product_id
),

returned_pairs_numbered as (
    select
        customers_numbered.customer_number,
        products_ranked.product_number,
        returned_pairs.has_training_return
    from returned_pairs
    inner join customers_numbered
        on returned_pairs.customer_id = customers_numbered.customer_id
    inner join products_ranked
        on returned_pairs.product_id = products_ranked.product_id
)

select * from returned_pairs_numbered
