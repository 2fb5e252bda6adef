{#-
    One row per product: every kept row of the products input, plus each product that appears
    on kept order lines without one. A name or category the products input leaves empty (or a
    products file without that column) is the most frequent value on the product's lines, ties
    broken alphabetically.
-#}
with

products_validated as (
    select * from {{ ref('int_products_validated') }}
),

order_lines as (
    select * from {{ ref('int_order_lines_cleaned') }}
),

catalog_products as (
    select
        product_id,
        product_name,
        category,
        list_price
    from products_validated
    where row_status = 'kept'
),

line_name_counts as (
    select
        product_id,
        product_name,
        count(*) as line_count
    from order_lines
    where product_name is not null
    group by product_id, product_name
),

line_names_ranked as (
    select
        product_id,
        product_name,
        row_number() over (
            partition by product_id order by line_count desc, product_name asc
        ) as name_rank
    from line_name_counts
),

line_category_counts as (
    select
        product_id,
        category,
        count(*) as line_count
    from order_lines
    where category is not null
    group by product_id, category
),

line_categories_ranked as (
    select
        product_id,
        category,
        row_number() over (
            partition by product_id order by line_count desc, category asc
        ) as category_rank
    from line_category_counts
),

line_products as (
    select distinct product_id
    from order_lines
),

products_from_lines as (
    select
        line_products.product_id,
        cast(null as {{ dbt.type_string() }}) as product_name,
        cast(null as {{ dbt.type_string() }}) as category,
        cast(null as {{ crm_type_price() }}) as list_price
    from line_products
    left join catalog_products
        on line_products.product_id = catalog_products.product_id
    where catalog_products.product_id is null
),

products_unioned as (
    select
        *,
        true as is_in_product_catalog
    from catalog_products
    union all
    select
        *,
        false as is_in_product_catalog
    from products_from_lines
),

products_resolved as (
    select
        products_unioned.product_id,
        coalesce(
            products_unioned.product_name,
            line_names_ranked.product_name,
            products_unioned.product_id
        ) as product_name,
        coalesce(
            products_unioned.category,
            line_categories_ranked.category,
            'Uncategorized'
        ) as category,
        products_unioned.list_price,
        products_unioned.is_in_product_catalog
    from products_unioned
    left join line_names_ranked
        on products_unioned.product_id = line_names_ranked.product_id
            and line_names_ranked.name_rank = 1
    left join line_categories_ranked
        on products_unioned.product_id = line_categories_ranked.product_id
            and line_categories_ranked.category_rank = 1
)

select * from products_resolved
