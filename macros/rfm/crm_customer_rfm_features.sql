{#- RFM features of every customer as of a cutoff date, from the order lines dated before it. -#}
{% macro crm_customer_rfm_features(
    order_lines_relation, cutoff_date_expression, relation_grain='order_line'
) %}
    {#-
        Contract (see docs/rfm.md, "Features as of any date"):

        order_lines_relation: a relation, or the name of a CTE in scope, with one row per kept
            order line and at least the columns customer_id (null = guest), order_id,
            order_date (date), quantity (negative = returned, never zero) and line_amount
            (quantity * unit_price, a decimal); normally ref('int_order_lines_cleaned'). An order has one
            customer and one date (int_order_lines_validated guarantees it).
        cutoff_date_expression: a SQL expression of one date, evaluated once: a literal
            ("cast('2011-06-01' as date)") or a scalar subquery on a CTE in scope
            ("(select as_of_date from analysis_date)"), e.g. as_of_date - churn horizon.

        Uses only the lines with order_date < cutoff date (strictly before: a line dated on
        the cutoff day is ignored, returns included) and customer_id not null.
        With the default as_of_date (the day after the last order) every kept line is before it.

        Returns a select (no trailing semicolon; usable as a CTE body or a subquery) with one
        row per customer with at least one purchase order before the cutoff:
            customer_id, cutoff_date, first_order_date, last_order_date, recency_days,
            frequency, monetary, avg_order_value, tenure_days
        where a purchase order is an order with at least one line of positive quantity (the
        orders and their net amounts come from crm_customer_orders_summarized),
            frequency        = number of distinct purchase orders,
            first/last_order_date = first/last purchase order date,
            recency_days     = days from last_order_date to the cutoff date (>= 1),
            tenure_days      = days from first_order_date to the cutoff date (>= recency_days),
            monetary         = sum of line_amount over all the customer's lines before the
                               cutoff, returns included (net revenue; can be <= 0): an exact
                               sum of decimals (crm_type_amount), the same in any order,
            avg_order_value  = monetary / frequency, rounded to 4 decimals (crm_amount_ratio).
        Customers whose lines before the cutoff are only returns get no row.
        relation_grain: 'order_line' (default) for order lines as above, or 'order' for a
            relation of one row per order, int_orders_summarized (its lines summed once,
            for every cutoff): see crm_customer_orders_summarized.
        Inner CTE names start with rfm_ so that they never shadow the caller's.
    -#}
    with

    rfm_cutoff as (
        select cast({{ cutoff_date_expression }} as date) as cutoff_date
    ),

    rfm_orders_summarized as (
        {{ crm_mining.crm_customer_orders_summarized(
            order_lines_relation, cutoff_date_expression, relation_grain
        ) }}
    ),

    rfm_customers_summarized as (
        select
            customer_id,
            min(case when is_purchase_order = 1 then order_date end) as first_order_date,
            max(case when is_purchase_order = 1 then order_date end) as last_order_date,
            count(case when is_purchase_order = 1 then order_id end) as frequency,
            sum(net_amount) as monetary
        from rfm_orders_summarized
        group by customer_id
    ),

    rfm_features as (
        select
            rfm_customers_summarized.customer_id,
            rfm_cutoff.cutoff_date,
            rfm_customers_summarized.first_order_date,
            rfm_customers_summarized.last_order_date,
            {{ dbt.datediff(
                'rfm_customers_summarized.last_order_date', 'rfm_cutoff.cutoff_date', 'day'
            ) }} as recency_days,
            rfm_customers_summarized.frequency,
            rfm_customers_summarized.monetary,
            {{ crm_mining.crm_amount_ratio(
                'rfm_customers_summarized.monetary', 'rfm_customers_summarized.frequency'
            ) }} as avg_order_value,
            {{ dbt.datediff(
                'rfm_customers_summarized.first_order_date', 'rfm_cutoff.cutoff_date', 'day'
            ) }} as tenure_days
        from rfm_customers_summarized
        cross join rfm_cutoff
        where rfm_customers_summarized.frequency > 0
    )

    select * from rfm_features
{% endmacro %}
