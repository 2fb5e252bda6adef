{#-
    One row per input: rows read, rejected and dated on or after as_of_date, the share of the
    rows before as_of_date that are rejected, the most frequent reason and the guard level
    against the vars reject_warn_share and reject_error_share. Rows after as_of_date are out of
    the analysis window, not bad data: a point-in-time run (as_of_date a year back) leaves out
    much of the input and must not trip the guard. Its
    post-hook (crm_check_input_rejections) logs the warnings and fails the build on errors,
    before any model reads the cleaned rows (int_order_lines_cleaned depends on it).
-#}
{{ config(post_hook="{{ crm_check_input_rejections() }}") }}

with

input_rows_classified as (
    select * from {{ ref('int_input_rows_classified') }}
),

input_names as (
    {% for input_name in crm_input_contract() -%}
        select '{{ input_name }}' as input_name
        {% if not loop.last %}union all{% endif %}
    {% endfor -%}
),

statuses_counted as (
    select
        input_name,
        count(*) as rows_read,
        count(case when row_status = 'kept' then 1 end) as rows_kept,
        count(case when row_status = 'rejected' then 1 end) as rows_rejected,
        count(case when row_status = 'after_as_of_date' then 1 end) as rows_after_as_of_date
    from input_rows_classified
    group by input_name
),

rows_per_status as (
    select
        input_names.input_name,
        coalesce(statuses_counted.rows_read, 0) as rows_read,
        coalesce(statuses_counted.rows_kept, 0) as rows_kept,
        coalesce(statuses_counted.rows_rejected, 0) as rows_rejected,
        coalesce(statuses_counted.rows_after_as_of_date, 0) as rows_after_as_of_date
    from input_names
    left join statuses_counted
        on input_names.input_name = statuses_counted.input_name
),

reasons_counted as (
    select
        input_name,
        {#- the reason up to its first quote: cast failures of different values are one rule -#}
        {{ dbt.split_part('reason', 'chr(39)', 1) }} as rejection_rule,
        count(*) as reason_rows,
        min(reason) as example_reason
    from input_rows_classified
    where row_status = 'rejected'
    group by
        input_name,
        {{ dbt.split_part('reason', 'chr(39)', 1) }}
),

reasons_ranked as (
    select
        input_name,
        example_reason,
        reason_rows,
        row_number() over (
            partition by input_name order by reason_rows desc, rejection_rule asc
        ) as reason_rank
    from reasons_counted
),

line_input as (
    select
        case
            when sum(case when input_name = 'transactions' then rows_read else 0 end) > 0
                then 'transactions'
            else 'order_items'
        end as input_name,
        sum(case when input_name in ('order_items', 'transactions') then rows_kept else 0 end)
            as order_lines_kept
    from rows_per_status
),

inputs_checked as (
    select
        rows_per_status.input_name,
        rows_per_status.rows_read,
        rows_per_status.rows_kept,
        rows_per_status.rows_rejected,
        rows_per_status.rows_after_as_of_date,
        case
            when rows_per_status.rows_read > rows_per_status.rows_after_as_of_date
                then cast(rows_per_status.rows_rejected as {{ crm_type_double() }})
                    / (rows_per_status.rows_read - rows_per_status.rows_after_as_of_date)
        end as share_rejected,
        reasons_ranked.example_reason as top_rejection_reason,
        reasons_ranked.reason_rows as top_reason_rows,
        line_input.input_name is not null and line_input.order_lines_kept = 0
            as is_without_order_line
    from rows_per_status
    left join reasons_ranked
        on rows_per_status.input_name = reasons_ranked.input_name
            and reasons_ranked.reason_rank = 1
    left join line_input
        on rows_per_status.input_name = line_input.input_name
),

inputs_leveled as (
    select
        *,
        case
            when is_without_order_line then 'error'
            when share_rejected > {{ crm_checked_var('reject_error_share') }} then 'error'
            when share_rejected > {{ crm_checked_var('reject_warn_share') }} then 'warn'
            else 'ok'
        end as guard_level
    from inputs_checked
)

select * from inputs_leveled
