with

products as (
    select * from {{ ref('int_products_resolved') }}
),

order_lines as (
    select * from {{ ref('int_order_lines_cleaned') }}
),

basket_products as (
    select * from {{ ref('int_basket_products_deduplicated') }}
),

orders_per_product as (
    select
        product_id,
        count(*) as order_count
    from basket_products
    group by product_id
),

sales_per_product as (
    select
        product_id,
        cast(sum(purchased_quantity) as {{ crm_type_quantity_total() }}) as purchased_quantity,
        cast(sum(returned_quantity) as {{ crm_type_quantity_total() }}) as returned_quantity,
        sum(line_amount) as net_revenue,
        min(order_date) as first_order_date,
        max(order_date) as last_order_date
    from order_lines
    group by product_id
),

products_joined as (
    select
        products.product_id,
        products.product_name,
        products.category,
        products.list_price,
        products.is_in_product_catalog,
        {{ crm_is_non_product('products.product_id') }} as is_non_product,
        coalesce(orders_per_product.order_count, 0) as order_count,
        coalesce(sales_per_product.purchased_quantity, 0) as purchased_quantity,
        coalesce(sales_per_product.returned_quantity, 0) as returned_quantity,
        coalesce(sales_per_product.net_revenue, 0) as net_revenue,
        sales_per_product.first_order_date,
        sales_per_product.last_order_date
    from products
    left join sales_per_product
        on products.product_id = sales_per_product.product_id
    left join orders_per_product
        on products.product_id = orders_per_product.product_id
)

select * from products_joined
