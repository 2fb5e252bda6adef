with

reviews as (
    select * from {{ ref('stg_crm__reviews') }}
),

analysis_date as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

review_versions as (
    select distinct
        review_id,
        customer_id,
        product_id,
        review_date_raw,
        rating_raw,
        review_text
    from reviews
    where review_id is not null
),

review_version_counts as (
    select
        review_id,
        count(*) as version_count
    from review_versions
    group by review_id
),

reviews_checked as (
    select
        reviews.review_id,
        reviews.customer_id,
        reviews.product_id,
        reviews.review_date,
        -- cast only a rating the rules keep: 1705312345000 or inf overflows an integer
        case
            when reviews.rating in (1, 2, 3, 4, 5) then cast(reviews.rating as {{ dbt.type_int() }})
        end as rating,
        reviews.review_text,
        reviews.review_date_raw,
        reviews.rating_raw,
        reviews.source_row_number,
        case
            when reviews.review_id is null then 'review_id: missing'
            -- out of the analysis window: not examined further (as an order line after it)
            when reviews.review_date >= analysis_date.review_cutoff_date
                then {{ crm_after_as_of_date_reason('review_date') }}
            when reviews.rating_raw is not null and reviews.rating is null
                then {{ dbt.concat([
                    crm_text_literal("rating: cannot cast '"),
                    "reviews.rating_raw",
                    crm_text_literal("' to a number"),
                ]) }}
            when reviews.rating not in (1, 2, 3, 4, 5) then 'rating: not an integer from 1 to 5'
            when review_version_counts.version_count > 1
                then 'review_id: same review_id with other values'
            else {{ crm_reject_uncastable_optional(
                'review_date', 'reviews.review_date_raw', 'reviews.review_date', 'a date'
            ) }}
        end as rejection_reason,
        row_number() over (
            partition by
                reviews.review_id,
                reviews.customer_id,
                reviews.product_id,
                reviews.review_date_raw,
                reviews.rating_raw,
                reviews.review_text
            order by reviews.source_row_number
        ) as copy_number
    from reviews
    cross join analysis_date
    left join review_version_counts
        on reviews.review_id = review_version_counts.review_id
),

reviews_classified as (
    select
        *,
        {{ crm_row_status('rejection_reason', 'copy_number') }} as row_status
    from reviews_checked
)

select * from reviews_classified
