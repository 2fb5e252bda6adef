{#
    Rejection rules shared by the validation models. Each macro returns a SQL expression that
    is null when the value passes, else a reason whose text starts with the column at fault:
    '<column>: <what is wrong>'. audit_rejected_rows reads the column from that prefix.
    Literals holding an apostrophe go through crm_text_literal (engines escape it differently).
#}

{# Why an optional text value is rejected: only when present and not castable. #}
{% macro crm_reject_uncastable_optional(column, raw, typed, type_label) %}
    case
        when {{ raw }} is not null and {{ typed }} is null
            then {{ dbt.concat([
                crm_text_literal(column ~ ": cannot cast '"),
                raw,
                crm_text_literal("' to " ~ type_label),
            ]) }}
    end
{% endmacro %}

{#
    Why an order (or a flat line, for its order-level columns) is rejected. A date before the
    var min_order_date is a misread, not an order: a two-digit year read as year 11, a
    0001-01-01 placeholder. Kept, it would be the customer's first order, 2,000 years ago.
#}
{% macro crm_reject_order(
    order_id, order_date_raw, ordered_at, order_date, as_of_date, version_count
) %}
    {%- set min_order_date = crm_date_var('min_order_date') %}
    case
        when {{ order_id }} is null then 'order_id: missing'
        when {{ order_date_raw }} is null then 'order_date: missing'
        when {{ ordered_at }} is null
            then {{ dbt.concat([
                crm_text_literal("order_date: cannot cast '"),
                order_date_raw,
                crm_text_literal("' to a date or timestamp"),
            ]) }}
        {%- if min_order_date is not none %}
        when {{ order_date }} < cast({{ crm_sql_string(min_order_date) }} as date)
            then {{ dbt.concat([
                crm_text_literal("order_date: '"),
                order_date_raw,
                crm_text_literal("' is before min_order_date " ~ min_order_date),
            ]) }}
        {%- endif %}
        when {{ order_date }} >= {{ as_of_date }}
            then {{ crm_after_as_of_date_reason('order_date') }}
        when {{ version_count }} > 1
            then 'order_id: same order_id with another customer_id or order date'
    end
{% endmacro %}

{#
    The version_count of crm_reject_order, as a query with one row per order_id: how many
    different (customer_id, order day) pairs the order's rows carry. More than one: its rows
    disagree and the whole order is rejected. order_day: the expression of the row's day.
#}
{% macro crm_order_version_counts(rows, order_day) %}
    select
        order_id,
        count(*) as version_count
    from (
        select distinct
            order_id,
            customer_id,
            {{ order_day }} as order_day
        from {{ rows }}
        where order_id is not null
    ) as order_versions
    group by order_id
{% endmacro %}

{# Why an order line is rejected for its product, quantity or price. #}
{% macro crm_reject_line(product_id, quantity_raw, quantity, unit_price_raw, unit_price) %}
    case
        when {{ product_id }} is null then 'product_id: missing'
        when {{ quantity_raw }} is null then 'quantity: missing'
        when {{ quantity }} is null
            then {{ dbt.concat([
                crm_text_literal("quantity: cannot cast '"),
                quantity_raw,
                crm_text_literal("' to a number"),
            ]) }}
        when {{ quantity }} = 0 then 'quantity: zero'
        when {{ unit_price_raw }} is null then 'unit_price: missing'
        when {{ unit_price }} is null
            then {{ dbt.concat([
                crm_text_literal("unit_price: cannot cast '"),
                unit_price_raw,
                crm_text_literal("' to a number"),
            ]) }}
        when {{ unit_price }} <= 0 then 'unit_price: not positive'
    end
{% endmacro %}

{#
    The reason of a row dated on or after as_of_date: outside the analysis window, not bad
    data. crm_row_status gives such a row the status 'after_as_of_date', which the guard on
    rejected rows does not count (int_input_rejections_checked), by this reason whatever its
    column: order_date (orders and their lines), review_date and signup_date (with the var
    as_of_date set).
#}
{% macro crm_after_as_of_date_reason(column) -%}
    '{{ column }}: on or after as_of_date'
{%- endmacro %}

{#
    'after_as_of_date' (dated on or after as_of_date), 'rejected' (it broke a rule), 'duplicate'
    (an exact copy of an earlier row) or 'kept'.
#}
{% macro crm_row_status(rejection_reason, copy_number) %}
    case
        when {{ rejection_reason }} like {{ crm_after_as_of_date_reason('%') }}
            then 'after_as_of_date'
        when {{ rejection_reason }} is not null then 'rejected'
        when {{ copy_number }} > 1 then 'duplicate'
        else 'kept'
    end
{% endmacro %}
