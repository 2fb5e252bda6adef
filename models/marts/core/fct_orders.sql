with

orders_validated as (
    select * from {{ ref('int_orders_validated') }}
),

orders_summarized as (
    select * from {{ ref('int_orders_summarized') }}
),

basket_products as (
    select * from {{ ref('int_basket_products_deduplicated') }}
),

kept_orders as (
    select
        order_id,
        customer_id,
        ordered_at,
        order_date
    from orders_validated
    where row_status = 'kept'
),

orders_from_flat_lines as (
    select
        order_id,
        customer_id,
        ordered_at,
        order_date
    from orders_summarized
    where input_name = 'transactions'
),

orders_unioned as (
    select * from kept_orders
    union all
    select * from orders_from_flat_lines
),

products_per_order as (
    select
        order_id,
        count(*) as distinct_product_count
    from basket_products
    group by order_id
),

lines_per_order as (
    select
        order_id,
        line_count,
        purchased_quantity,
        returned_quantity,
        purchase_amount as gross_revenue,
        return_amount as returned_amount,
        net_amount as net_revenue
    from orders_summarized
),

orders_joined as (
    select
        orders_unioned.order_id,
        orders_unioned.customer_id,
        orders_unioned.customer_id is null as is_guest_order,
        coalesce(lines_per_order.purchased_quantity, 0) > 0 as is_purchase_order,
        orders_unioned.ordered_at,
        orders_unioned.order_date,
        coalesce(lines_per_order.line_count, 0) as line_count,
        coalesce(products_per_order.distinct_product_count, 0) as distinct_product_count,
        coalesce(lines_per_order.purchased_quantity, 0) as purchased_quantity,
        coalesce(lines_per_order.returned_quantity, 0) as returned_quantity,
        coalesce(lines_per_order.gross_revenue, 0) as gross_revenue,
        coalesce(lines_per_order.returned_amount, 0) as returned_amount,
        coalesce(lines_per_order.net_revenue, 0) as net_revenue
    from orders_unioned
    left join lines_per_order
        on orders_unioned.order_id = lines_per_order.order_id
    left join products_per_order
        on orders_unioned.order_id = products_per_order.order_id
)

select * from orders_joined
