{#- Each customer's orders before a cutoff date: purchase or not, and net amount (exact). -#}
{% macro crm_customer_orders_summarized(order_lines_relation, cutoff_date_expression) %}
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
        Inner CTE names start with orders_ so that they never shadow the caller's.
    -#}
    with

    orders_cutoff as (
        select cast({{ cutoff_date_expression }} as date) as cutoff_date
    ),

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

    select * from orders_summarized
{% endmacro %}
