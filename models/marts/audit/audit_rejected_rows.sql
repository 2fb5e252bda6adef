{#- One row per input row that did not pass: rejected, or dropped as an exact duplicate. -#}
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
