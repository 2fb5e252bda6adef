{#- Each customer's orders before a cutoff date: purchase or not, and net amount (exact). -#}
{% macro crm_customer_orders_summarized(
    order_lines_relation, cutoff_date_expression, relation_grain='order_line'
) %}
    {#-
        The order-level definition shared by the RFM features (crm_customer_rfm_features)
        and the CLV summaries (crm_clv_summary). Arguments as crm_customer_rfm_features.

        Uses only the lines with order_date < cutoff date and customer_id not null; returns a
        select with one row per customer and order:
            customer_id, order_id, order_date,
            is_purchase_order  1 when the order has a line of positive quantity, else 0
                               (an order of returns only is not a purchase),
            net_amount         sum of line_amount over the order's lines, returns included:
                               an exact sum of decimals (crm_type_amount), the same in any
                               order of summation.
        relation_grain 'order' says that the relation already has one row per order, with
        customer_id, order_id, order_date, is_purchase_order (boolean) and net_amount: the
        model int_orders_summarized, whose lines are summed once for every cutoff (the
        default 'order_line' sums them here, for each call).
        Inner CTE names start with orders_ so that they never shadow the caller's.
    -#}
    {%- if relation_grain not in ['order_line', 'order'] -%}
        {{ exceptions.raise_compiler_error(
            "crm_customer_orders_summarized: relation_grain must be 'order_line' or 'order', not '"
            ~ relation_grain ~ "'"
        ) }}
    {%- endif %}
    with

    orders_cutoff as (
        select cast({{ cutoff_date_expression }} as date) as cutoff_date
    ),

    {%- if relation_grain == 'order' %}

    orders_summarized as (
        select
            orders_customer_orders.customer_id,
            orders_customer_orders.order_id,
            orders_customer_orders.order_date,
            case when orders_customer_orders.is_purchase_order then 1 else 0 end
                as is_purchase_order,
            orders_customer_orders.net_amount
        from {{ order_lines_relation }} as orders_customer_orders
        cross join orders_cutoff
        where orders_customer_orders.customer_id is not null
            and orders_customer_orders.order_date < orders_cutoff.cutoff_date
    )

    {%- else %}

    orders_customer_lines as (
        select
            orders_order_lines.customer_id,
            orders_order_lines.order_id,
            orders_order_lines.order_date,
            orders_order_lines.quantity,
            orders_order_lines.line_amount
        from {{ order_lines_relation }} as orders_order_lines
        cross join orders_cutoff
        where orders_order_lines.customer_id is not null
            and orders_order_lines.order_date < orders_cutoff.cutoff_date
    ),

    orders_summarized as (
        select
            customer_id,
            order_id,
            min(order_date) as order_date,
            max(case when quantity > 0 then 1 else 0 end) as is_purchase_order,
            sum(line_amount) as net_amount
        from orders_customer_lines
        group by customer_id, order_id
    )

    {%- endif %}

    select * from orders_summarized
{% endmacro %}
