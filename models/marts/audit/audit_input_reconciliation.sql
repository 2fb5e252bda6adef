{#-
    One row per input: rows read, rows kept, exact duplicates dropped, rows rejected and rows
    left out as dated on or after as_of_date. rows_read comes from staging and rows_kept from
    the cleaned models, independently of the audit, so that the test rows_read = rows_kept +
    rows_duplicate + rows_rejected + rows_after_as_of_date has teeth.
-#}
{%- set input_names = crm_input_contract().keys() | list %}

with

{% for input_name in input_names %}
    stg_{{ input_name }} as (
        select * from {{ ref('stg_crm__' ~ input_name) }}
    ),
{% endfor %}

fct_orders as (
    select * from {{ ref('fct_orders') }}
),

order_lines as (
    select * from {{ ref('int_order_lines_cleaned') }}
),

customers_validated as (
    select * from {{ ref('int_customers_validated') }}
),

products_validated as (
    select * from {{ ref('int_products_validated') }}
),

reviews_validated as (
    select * from {{ ref('int_reviews_validated') }}
),

audit_rejected_rows as (
    select * from {{ ref('audit_rejected_rows') }}
),

rows_read as (
    {% for input_name in input_names -%}
        select
            '{{ input_name }}' as input_name,
            count(*) as row_count
        from stg_{{ input_name }}
        {% if not loop.last %}union all{% endif %}
    {% endfor -%}
),

rows_kept as (
    select
        'orders' as input_name,
        count(*) as row_count
    from fct_orders
    where fct_orders.order_id in (select stg_orders.order_id from stg_orders)
    union all
    select
        input_name,
        count(*) as row_count
    from order_lines
    group by input_name
    union all
    select
        'customers' as input_name,
        count(*) as row_count
    from customers_validated
    where row_status = 'kept'
    union all
    select
        'products' as input_name,
        count(*) as row_count
    from products_validated
    where row_status = 'kept'
    union all
    select
        'reviews' as input_name,
        count(*) as row_count
    from reviews_validated
    where row_status = 'kept'
),

rows_not_kept as (
    select
        input_name,
        count(case when row_status = 'duplicate' then 1 end) as duplicate_count,
        count(case when row_status = 'rejected' then 1 end) as rejected_count,
        count(case when row_status = 'after_as_of_date' then 1 end) as after_as_of_date_count
    from audit_rejected_rows
    group by input_name
),

reconciled as (
    select
        rows_read.input_name,
        rows_read.row_count as rows_read,
        coalesce(rows_kept.row_count, 0) as rows_kept,
        coalesce(rows_not_kept.duplicate_count, 0) as rows_duplicate,
        coalesce(rows_not_kept.rejected_count, 0) as rows_rejected,
        coalesce(rows_not_kept.after_as_of_date_count, 0) as rows_after_as_of_date
    from rows_read
    left join rows_kept
        on rows_read.input_name = rows_kept.input_name
    left join rows_not_kept
        on rows_read.input_name = rows_not_kept.input_name
)

select * from reconciled
