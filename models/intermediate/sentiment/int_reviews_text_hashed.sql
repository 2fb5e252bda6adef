with

reviews as (
    select * from {{ ref('int_reviews_validated') }}
),

reviews_hashed as (
    select
        review_id,
        customer_id,
        product_id,
        review_date,
        rating,
        review_text,
        {{ dbt.hash('review_text') }} as text_hash
    from reviews
    where row_status = 'kept'
)

select * from reviews_hashed
