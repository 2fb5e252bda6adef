{#-
    One row per segment of int_customers_segmented: its top category (share of the segment's
    purchase spend) and its three top categories and three top products as text.
-#}
with

{# Targets without Python models: no segment, no row. #}
customers_segmented as (
    select * from {{ crm_python_model_relation('int_customers_segmented', {
        'customer_id': dbt.type_string(),
        'segment_id': dbt.type_int(),
        'distance_to_centroid': crm_type_double(),
    }) }}
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
        cast(order_lines.line_amount as {{ dbt.type_numeric() }}) as line_amount
    from order_lines
    inner join customers_segmented
        on order_lines.customer_id = customers_segmented.customer_id
    inner join products
        on order_lines.product_id = products.product_id
    where order_lines.quantity > 0
),

spend_per_segment_category as (
    select
        segment_id,
        category,
        sum(line_amount) as purchase_spend
    from segment_purchase_lines
    group by segment_id, category
),

categories_ranked as (
    select
        segment_id,
        category,
        cast(
            purchase_spend / sum(purchase_spend) over (partition by segment_id)
            as {{ crm_type_double() }}
        ) as spend_share,
        row_number() over (
            partition by segment_id order by purchase_spend desc, category asc
        ) as category_rank
    from spend_per_segment_category
),

buyers_per_segment_product as (
    select
        segment_id,
        product_id,
        product_name,
        count(distinct customer_id) as buyer_count,
        sum(line_amount) as purchase_spend
    from segment_purchase_lines
    group by segment_id, product_id, product_name
),

products_ranked as (
    select
        buyers_per_segment_product.segment_id,
        buyers_per_segment_product.product_name,
        cast(buyers_per_segment_product.buyer_count as {{ crm_type_double() }})
        / segment_sizes.customer_count as buyer_share,
        row_number() over (
            partition by buyers_per_segment_product.segment_id
            order by
                buyers_per_segment_product.buyer_count desc,
                buyers_per_segment_product.purchase_spend desc,
                buyers_per_segment_product.product_id asc
        ) as product_rank
    from buyers_per_segment_product
    inner join segment_sizes
        on buyers_per_segment_product.segment_id = segment_sizes.segment_id
),

category_labels as (
    select
        segment_id,
        category_rank,
        category || ' ' || cast(
            cast(round(100 * spend_share) as {{ dbt.type_int() }}) as {{ dbt.type_string() }}
        ) || '%' as category_label
    from categories_ranked
    where category_rank <= 3
),

product_labels as (
    select
        segment_id,
        product_rank,
        product_name || ' (' || cast(
            cast(round(100 * buyer_share) as {{ dbt.type_int() }}) as {{ dbt.type_string() }}
        ) || '% of customers)' as product_label
    from products_ranked
    where product_rank <= 3
),

categories_labelled as (
    select
        segment_id,
        max(case when category_rank = 1 then category_label end) as category_label_1,
        max(case when category_rank = 2 then category_label end) as category_label_2,
        max(case when category_rank = 3 then category_label end) as category_label_3
    from category_labels
    group by segment_id
),

products_labelled as (
    select
        segment_id,
        max(case when product_rank = 1 then product_label end) as product_label_1,
        max(case when product_rank = 2 then product_label end) as product_label_2,
        max(case when product_rank = 3 then product_label end) as product_label_3
    from product_labels
    group by segment_id
),

purchases_ranked as (
    select
        segment_sizes.segment_id,
        cast(categories_ranked.category as {{ dbt.type_string() }}) as top_category,
        categories_ranked.spend_share as top_category_spend_share,
        cast(
            categories_labelled.category_label_1
            || coalesce(', ' || categories_labelled.category_label_2, '')
            || coalesce(', ' || categories_labelled.category_label_3, '')
            as {{ dbt.type_string() }}
        ) as top_categories,
        cast(
            products_labelled.product_label_1
            || coalesce(', ' || products_labelled.product_label_2, '')
            || coalesce(', ' || products_labelled.product_label_3, '')
            as {{ dbt.type_string() }}
        ) as top_products
    from segment_sizes
    left join categories_ranked
        on segment_sizes.segment_id = categories_ranked.segment_id
            and categories_ranked.category_rank = 1
    left join categories_labelled
        on segment_sizes.segment_id = categories_labelled.segment_id
    left join products_labelled
        on segment_sizes.segment_id = products_labelled.segment_id
)

select * from purchases_ranked
