{#-
    One row per customer and product they bought: how often and when, over all their baskets
    and over the baskets the offline evaluation learns from (all but the hidden order), and
    whether the hidden order holds it, and whether the customer returned all they bought of
    it (over all their lines, and over the lines outside the hidden order): such a product is
    bought, never offered as new, but no buy-again candidate. Keyed by the numbers of the
    customer and the product (int_recommendation_customers_numbered,
    int_recommendation_products_ranked): the table the heavy steps read, kept narrow.
-#}
with

basket_products as (
    select * from {{ ref('int_basket_products_filtered') }}
),

holdout_orders as (
    select * from {{ ref('int_recommendation_holdout_orders') }}
),

products_ranked as (
    select * from {{ ref('int_recommendation_products_ranked') }}
),

customers_numbered as (
    select * from {{ ref('int_recommendation_customers_numbered') }}
),

order_lines as (
    select * from {{ ref('int_order_lines_cleaned') }}
),

-- returns are few: the pairs with one are found first, and only their lines summed
returned_pairs as (
    select distinct
        customer_id,
        product_id
    from order_lines
    where is_return and customer_id is not null
),

returned_pair_quantities as (
    select
        order_lines.customer_id,
        order_lines.product_id,
        sum(order_lines.quantity) <= 0 as is_returned_in_full,
        coalesce(
            sum(case when holdout_orders.order_id is null then order_lines.quantity end) <= 0,
            false
        ) as training_is_returned_in_full
    from order_lines
    inner join returned_pairs
        on
            order_lines.customer_id = returned_pairs.customer_id
            and order_lines.product_id = returned_pairs.product_id
    left join holdout_orders
        on order_lines.order_id = holdout_orders.order_id
    group by order_lines.customer_id, order_lines.product_id
),

customer_baskets as (
    select
        basket_products.customer_id,
        basket_products.product_id,
        basket_products.ordered_at,
        holdout_orders.order_id is not null as is_holdout_order
    from basket_products
    left join holdout_orders
        on basket_products.order_id = holdout_orders.order_id
    where basket_products.customer_id is not null
),

purchases_summarized as (
    select
        customer_id,
        product_id,
        count(*) as order_count,
        max(ordered_at) as last_ordered_at,
        count(case when not is_holdout_order then 1 end) as training_order_count,
        max(case when not is_holdout_order then ordered_at end) as training_last_ordered_at,
        max(case when is_holdout_order then 1 else 0 end) = 1 as is_in_holdout_order
    from customer_baskets
    group by customer_id, product_id
),

purchases_numbered as (
    select
        customers_numbered.customer_number,
        products_ranked.product_number,
        customers_numbered.is_holdout_customer,
        products_ranked.popularity_rank,
        products_ranked.training_popularity_rank,
        purchases_summarized.order_count,
        purchases_summarized.last_ordered_at,
        purchases_summarized.training_order_count,
        purchases_summarized.training_last_ordered_at,
        purchases_summarized.is_in_holdout_order,
        coalesce(returned_pair_quantities.is_returned_in_full, false) as is_returned_in_full,
        coalesce(
            returned_pair_quantities.training_is_returned_in_full, false
        ) as training_is_returned_in_full
    from purchases_summarized
    inner join customers_numbered
        on purchases_summarized.customer_id = customers_numbered.customer_id
    inner join products_ranked
        on purchases_summarized.product_id = products_ranked.product_id
    left join returned_pair_quantities
        on
            purchases_summarized.customer_id = returned_pair_quantities.customer_id
            and purchases_summarized.product_id = returned_pair_quantities.product_id
)

select * from purchases_numbered
