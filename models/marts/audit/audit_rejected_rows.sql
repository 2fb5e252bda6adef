{#-
    One row per input row that is not kept: rejected, dropped as an exact duplicate, or dated on
    or after the analysis date (after_as_of_date).
-#}
with

input_rows_classified as (
    select * from {{ ref('int_input_rows_classified') }}
),

rows_published as (
    select
        input_name,
        source_row_number,
        natural_key,
        row_status,
        reason,
        rejected_column
    from input_rows_classified
    where row_status <> 'kept'
)

select * from rows_published
