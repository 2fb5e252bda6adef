{#
    Guards run as post-hooks of the models that summarise the input: they read the table just
    built and stop the build with a message that says what is wrong with the input and how to
    fix it, instead of letting a null as_of_date or an empty mart fail a test far downstream.
#}

{#
    Post-hook of int_as_of_date_resolved: no readable order date is an error, and so is, when
    as_of_date comes from the data, a last order date more than order_date_max_gap_days after
    the order date before it (one row dated 2099 would make every customer's recency decades).
#}
{% macro crm_check_as_of_date() %}
    {%- if execute -%}
        {%- set rows = run_query(
            "select as_of_date, count_order_rows, count_unreadable_order_dates,"
            ~ " example_unreadable_order_date, is_as_of_date_from_var, last_order_date,"
            ~ " previous_order_date, days_after_previous_order_date, count_last_order_date_rows,"
            ~ " first_order_date, next_order_date, days_before_next_order_date,"
            ~ " count_first_order_date_rows"
            ~ " from " ~ this
        ).rows -%}
        {%- if rows | length == 1 and rows[0][0] is none -%}
            {%- set row = rows[0] -%}
            {%- if row[1] == 0 -%}
                {%- set inputs = {} if crm_input_mode() == 'sample' else crm_inputs() -%}
                {%- set orders_input = 'transactions' if crm_input_layout(inputs) == 'flat'
                    else 'orders' -%}
                {%- set why = "the " ~ orders_input ~ " input has no row" -%}
            {%- else -%}
                {%- set why = "none of its " ~ row[1] ~ " order dates can be read ("
                    ~ row[2] ~ " unreadable, e.g. '" ~ row[3] ~ "'); dates must be ISO 8601"
                    ~ " (2011-03-10 or 2011-03-10 16:16:00) or match the var date_formats,"
                    ~ " e.g. --vars '{date_formats: [\"%d/%m/%Y %H:%M\"]}'"
                    ~ (" (now " ~ var('date_formats') ~ ")" if var('date_formats') else "") -%}
            {%- endif -%}
            {{ exceptions.raise_compiler_error(
                "crm_mining input: no valid order, so no as_of_date: " ~ why ~ "."
            ) }}
        {%- endif -%}
        {%- set from_var, last, previous, gap, last_rows = rows[0][4:9] if rows | length == 1
            else [none] * 5 -%}
        {%- if from_var and last is not none -%}
            {#- A set as_of_date after the data: the days between count as no purchase. -#}
            {%- set as_of = modules.datetime.date.fromisoformat((rows[0][0] | string)[:10]) -%}
            {%- set last_day = modules.datetime.date.fromisoformat((last | string)[:10]) -%}
            {%- set days_without_data = (as_of - last_day).days - 1 -%}
            {%- if days_without_data > 0 -%}
                {%- do exceptions.warn(
                    "crm_mining input: as_of_date " ~ as_of ~ " is " ~ days_without_data
                    ~ " day(s) after the day after the last order date " ~ last_day
                    ~ ": those days have no order in the input and count as days without a purchase"
                    ~ " (recency, the churn labels, the CLV models' observation time). If the"
                    ~ " export lags, set as_of_date to the day after its last complete day."
                ) -%}
            {%- endif -%}
        {%- endif -%}
        {%- set max_gap = crm_mining.crm_checked_var('order_date_max_gap_days') -%}
        {%- if rows | length == 1 and max_gap is not none -%}
            {%- set first, following, first_gap, first_rows = rows[0][9:13] -%}
            {%- if not from_var and gap is not none and gap > max_gap -%}
                {%- set day_after = modules.datetime.date.fromisoformat((previous | string)[:10])
                    + modules.datetime.timedelta(days=1) -%}
                {{ exceptions.raise_compiler_error(
                    "crm_mining input: the last order date " ~ last ~ " (" ~ last_rows
                    ~ " rows) is " ~ gap ~ " days after the order date before it (" ~ previous
                    ~ "), more than order_date_max_gap_days = " ~ max_gap ~ ": as the day after"
                    ~ " it, as_of_date would make every customer's recency that long. Fix the"
                    ~ " date, or set the var as_of_date (rows on or after it are left out),"
                    ~ " e.g. --vars '{as_of_date: \"" ~ day_after ~ "\"}' keeps the orders"
                    ~ " up to " ~ previous ~ ", or order_date_max_gap_days: null."
                ) }}
            {%- endif -%}
            {%- if first_gap is not none and first_gap > max_gap -%}
                {{ exceptions.raise_compiler_error(
                    "crm_mining input: the first order date " ~ first ~ " (" ~ first_rows
                    ~ " rows) is " ~ first_gap ~ " days before the order date after it ("
                    ~ following ~ "), more than order_date_max_gap_days = " ~ max_gap
                    ~ ": a placeholder date (1900-01-01, 1970-01-01) would be those customers'"
                    ~ " first order. Fix the date, or set the var min_order_date (orders before"
                    ~ " it are rejected), e.g. --vars '{min_order_date: \"" ~ following
                    ~ "\"}' keeps the orders from " ~ following
                    ~ ", or order_date_max_gap_days: null."
                ) }}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}


{# Post-hook of int_input_rejections_checked: warn or fail on the share of rejected rows. #}
{% macro crm_check_input_rejections() %}
    {%- if execute -%}
        {%- set rows = run_query(
            "select input_name, rows_read, rows_rejected, rows_after_as_of_date, share_rejected,"
            ~ " top_rejection_reason, top_reason_rows, guard_level, is_without_order_line from "
            ~ this ~ " where guard_level <> 'ok' order by input_name"
        ).rows -%}
        {%- set errors = [] -%}
        {%- for row in rows -%}
            {%- set input_name, read, rejected, after, share, reason, reason_rows, level, no_line
                = row -%}
            {#- rows after as_of_date are out of the window: the share is of the others -#}
            {%- set in_window = read - after -%}
            {%- set share_text = (share * 100) | round(1) ~ " %" if in_window else "" -%}
            {%- if not read -%}
                {%- set counted = "the input has no row" -%}
            {%- elif not after -%}
                {%- set counted = rejected ~ " of " ~ read ~ " rows rejected (" ~ share_text ~ ")" -%}
            {%- elif in_window -%}
                {%- set counted = rejected ~ " of " ~ in_window ~ " rows dated before as_of_date"
                    ~ " rejected (" ~ share_text ~ "; " ~ after ~ " rows on or after it are left"
                    ~ " out)" -%}
            {%- else -%}
                {%- set counted = "no row dated before as_of_date (" ~ after
                    ~ " rows on or after it are left out)" -%}
            {%- endif -%}
            {%- if no_line -%}
                {%- set what = "no valid order line: " ~ counted -%}
            {%- else -%}
                {%- set limit_var = 'reject_error_share' if level == 'error'
                    else 'reject_warn_share' -%}
                {%- set what = counted ~ ", above " ~ limit_var ~ " = " ~ var(limit_var) -%}
            {%- endif -%}
            {%- if reason is not none -%}
                {%- set what = what ~ "; most frequent reason (" ~ reason_rows ~ " rows): "
                    ~ reason -%}
            {%- endif -%}
            {%- set message = "crm_mining input '" ~ input_name ~ "': " ~ what
                ~ ". See audit_rejected_rows, and README 'Input contract' (vars date_formats,"
                ~ " decimal_separator, input_encoding)." -%}
            {%- if level == 'error' -%}
                {%- do errors.append(message) -%}
            {%- else -%}
                {%- do exceptions.warn(message) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if errors -%}
            {{ exceptions.raise_compiler_error(errors | join('\n')) }}
        {%- endif -%}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}
