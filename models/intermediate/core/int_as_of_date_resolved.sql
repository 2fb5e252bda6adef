{#-
    Exactly one row: the analysis date (the var as_of_date, else the day after the last
    readable order date) and the review cutoff (the var, else the day after the last review
    or the analysis date, whichever is later: a reviews export newer than the orders keeps its
    newest reviews). A build whose orders hold no readable date stops here with an error that
    shows an unreadable value, and so does one whose last order date is years after the one
    before it, as_of_date from the data, or whose first order date (from min_order_date on) is
    years before the one after it (crm_check_as_of_date).
-#}
{{ config(post_hook="{{ crm_check_as_of_date() }}") }}
{%- set as_of_date_var = crm_as_of_date_var() %}

with

order_dates_summarized as (
    select * from {{ ref('int_order_dates_summarized') }}
),

reviews as (
    select * from {{ ref('stg_crm__reviews') }}
),

review_dates_summarized as (
    select max(review_date) as last_review_date
    from reviews
),

as_of_date_chosen as (
    select
        {% if as_of_date_var is not none -%}
            cast({{ crm_sql_string(as_of_date_var) }} as date) as as_of_date,
            true as is_as_of_date_from_var,
        {%- else -%}
            cast({{ dbt.dateadd('day', 1, 'order_dates_summarized.last_order_date') }} as date)
                as as_of_date,
            false as is_as_of_date_from_var,
        {%- endif %}
        order_dates_summarized.last_order_date,
        order_dates_summarized.previous_order_date,
        order_dates_summarized.days_after_previous_order_date,
        order_dates_summarized.count_last_order_date_rows,
        order_dates_summarized.first_order_date,
        order_dates_summarized.next_order_date,
        order_dates_summarized.days_before_next_order_date,
        order_dates_summarized.count_first_order_date_rows,
        review_dates_summarized.last_review_date,
        order_dates_summarized.count_order_rows,
        order_dates_summarized.count_unreadable_order_dates,
        order_dates_summarized.example_unreadable_order_date
    from order_dates_summarized
    cross join review_dates_summarized
),

resolved as (
    select
        as_of_date,
        case
            when is_as_of_date_from_var then as_of_date
            when last_review_date >= as_of_date
                then cast({{ dbt.dateadd('day', 1, 'last_review_date') }} as date)
            else as_of_date
        end as review_cutoff_date,
        is_as_of_date_from_var,
        last_order_date,
        previous_order_date,
        days_after_previous_order_date,
        count_last_order_date_rows,
        first_order_date,
        next_order_date,
        days_before_next_order_date,
        count_first_order_date_rows,
        last_review_date,
        count_order_rows,
        count_unreadable_order_dates,
        example_unreadable_order_date
    from as_of_date_chosen
)

select * from resolved
