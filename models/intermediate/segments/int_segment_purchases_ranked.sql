{#-
    One row per segment of int_customers_segmented: its top category (share of the segment's
    purchase spend) and its three top categories and three top products as text (products of
    the var non_product_ids left out of the products, kept in the spend).
-#}
with

{# Targets without Python models: no segment, no row. #}
customers_segmented as (
    select * from {{ crm_python_model_relation(
        'int_customers_segmented', int_customers_segmented_columns()
    ) }}
),

order_lines as (
    select * from {{ ref('int_order_lines_cleaned') }}
),

products as (
    select * from {{ ref('int_products_resolved') }}
),

segment_sizes as (
    select
        segment_id,
        count(*) as customer_count
    from customers_segmented
    group by segment_id
),

segment_purchase_lines as (
    select
        customers_segmented.segment_id,
        order_lines.customer_id,
        order_lines.product_id,
        products.product_name,
        products.category,
        order_lines.line_amount
    from order_lines
    inner join customers_segmented
        on order_lines.customer_id = customers_segmented.customer_id
    inner join products
        on order_lines.product_id = products.product_id
    where order_lines.quantity > 0
),

categories_ranked as (
    select
        segment_id,
        category,
        {#- a ratio of exact decimal sums: the same bits whatever the summing order -#}
        cast(
            sum(line_amount) / sum(sum(line_amount)) over (partition by segment_id)
            as {{ crm_type_double() }}
        ) as spend_share,
        row_number() over (
            partition by segment_id order by sum(line_amount) desc, category asc
        ) as category_rank
    from segment_purchase_lines
    group by segment_id, category
),

products_ranked as (
    select
        segment_id,
        product_name,
        count(distinct customer_id) as buyer_count,
        row_number() over (
            partition by segment_id
            order by count(distinct customer_id) desc, sum(line_amount) desc, product_id asc
        ) as product_rank
    from segment_purchase_lines
    -- postage and fees (var non_product_ids) count in the spend, not among the products
    where not {{ crm_is_non_product('product_id') }}
    group by segment_id, product_id, product_name
),

categories_listed as (
    select
        segment_id,
        {{ crm_ranked_list(
            'category_rank', "category || ' ' || " ~ crm_percent_text('spend_share')
        ) }} as top_categories
    from categories_ranked
    group by segment_id
),

products_listed as (
    select
        products_ranked.segment_id,
        {{ crm_ranked_list(
            'products_ranked.product_rank',
            "products_ranked.product_name || ' (' || " ~ crm_percent_text(
                'cast(products_ranked.buyer_count as ' ~ crm_type_double() ~ ')'
                ~ ' / segment_sizes.customer_count'
            ) ~ " || ' of customers)'"
        ) }} as top_products
    from products_ranked
    inner join segment_sizes
        on products_ranked.segment_id = segment_sizes.segment_id
    group by products_ranked.segment_id
),

purchases_ranked as (
    select
        segment_sizes.segment_id,
        cast(categories_ranked.category as {{ dbt.type_string() }}) as top_category,
        categories_ranked.spend_share as top_category_spend_share,
        cast(categories_listed.top_categories as {{ dbt.type_string() }}) as top_categories,
        cast(products_listed.top_products as {{ dbt.type_string() }}) as top_products
    from segment_sizes
    left join categories_ranked
        on segment_sizes.segment_id = categories_ranked.segment_id
            and categories_ranked.category_rank = 1
    left join categories_listed
        on segment_sizes.segment_id = categories_listed.segment_id
    left join products_listed
        on segment_sizes.segment_id = products_listed.segment_id
)

select * from purchases_ranked
