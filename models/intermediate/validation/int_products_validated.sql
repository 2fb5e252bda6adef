with

products as (
    select * from {{ ref('stg_crm__products') }}
),

product_versions as (
    select distinct
        product_id,
        product_name,
        category,
        list_price_raw
    from products
    where product_id is not null
),

product_version_counts as (
    select
        product_id,
        count(*) as version_count
    from product_versions
    group by product_id
),

products_checked as (
    select
        products.product_id,
        products.product_name,
        products.category,
        products.list_price,
        products.list_price_raw,
        products.source_row_number,
        case
            when products.product_id is null then 'product_id: missing'
            when products.list_price < 0 then 'list_price: negative'
            when product_version_counts.version_count > 1
                then 'product_id: same product_id with another name, category or list_price'
            else {{ crm_reject_uncastable_optional(
                'list_price', 'products.list_price_raw', 'products.list_price', 'a number'
            ) }}
        end as rejection_reason,
        row_number() over (
            partition by
                products.product_id,
                products.product_name,
                products.category,
                products.list_price_raw
            order by products.source_row_number
        ) as copy_number
    from products
    left join product_version_counts
        on products.product_id = product_version_counts.product_id
),

products_classified as (
    select
        *,
        {{ crm_row_status('rejection_reason', 'copy_number') }} as row_status
    from products_checked
)

select * from products_classified
