{#- One row per category bought by a customer: its share of all purchase spend and its rank. -#}
{%- set top_categories = crm_checked_var('segment_top_categories') -%}

with

order_lines as (
    select * from {{ ref('int_order_lines_cleaned') }}
),

products as (
    select * from {{ ref('int_products_resolved') }}
),

customer_purchase_lines as (
    select
        products.category,
        order_lines.purchase_amount
    from order_lines
    inner join products
        on order_lines.product_id = products.product_id
    where order_lines.customer_id is not null
        and order_lines.quantity > 0
),

spend_per_category as (
    select
        category,
        sum(purchase_amount) as purchase_spend
    from customer_purchase_lines
    group by category
),

categories_ranked as (
    select
        cast(category as {{ dbt.type_string() }}) as category,
        cast(purchase_spend as {{ crm_type_double() }}) as purchase_spend,
        cast(
            purchase_spend / sum(purchase_spend) over () as {{ crm_type_double() }}
        ) as share_of_spend,
        cast(
            row_number() over (order by purchase_spend desc, category asc)
            as {{ dbt.type_int() }}
        ) as category_rank
    from spend_per_category
),

feature_categories_flagged as (
    select
        *,
        category_rank <= {{ top_categories }} as is_feature_category
    from categories_ranked
)

select * from feature_categories_flagged
