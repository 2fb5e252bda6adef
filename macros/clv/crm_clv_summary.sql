{#- BG/NBD and Gamma-Gamma summary of every customer with a purchase before a cutoff date. -#}
{% macro crm_clv_summary(
    order_lines_relation, cutoff_date_expression, relation_grain='order_line'
) %}
    {#-
        Arguments as crm_customer_rfm_features (order lines dated before the cutoff count).
        Purchase orders and net amounts are those of crm_customer_orders_summarized, as in
        fct_customer_rfm. A purchase day is a day with at least one purchase order; its value
        is the sum of the net amounts of that day's purchase orders (orders of returns only
        count in historic_value, not in a purchase day). Returns one row per customer with a
        purchase order before the cutoff (the customers of crm_customer_rfm_features):
            customer_id, cutoff_date, first_purchase_date, last_purchase_date,
            repeat_purchase_days         x   = purchase days - 1,
            days_first_to_last_purchase  t_x = last_purchase_date - first_purchase_date,
            customer_age_days            T   = (cutoff_date - 1 day) - first_purchase_date,
                                         the age at the end of the last day the data covers
                                         (lifetimes' T with observation_period_end = that day),
            repeat_purchase_value_mean   value of the purchase days after the first / x
                                         (an amount, crm_amount_ratio; null when x = 0),
            purchase_value_mean          value of all purchase days / (x + 1) (an amount, crm_amount_ratio),
            historic_value               net amount of all the customer's orders before the
                                         cutoff, returns included (= fct_customer_rfm.monetary).
        relation_grain: 'order_line' or 'order' (int_orders_summarized), as in
        crm_customer_rfm_features.
        Inner CTE names start with clv_ so that they never shadow the caller's.
    -#}
    with

    clv_cutoff as (
        select cast({{ cutoff_date_expression }} as date) as cutoff_date
    ),

    clv_orders as (
        {{ crm_mining.crm_customer_orders_summarized(
            order_lines_relation, cutoff_date_expression, relation_grain
        ) }}
    ),

    clv_purchase_days as (
        select
            customer_id,
            order_date as purchase_date,
            sum(net_amount) as purchase_day_value
        from clv_orders
        where is_purchase_order = 1
        group by customer_id, order_date
    ),

    clv_purchase_days_ranked as (
        select
            customer_id,
            purchase_date,
            purchase_day_value,
            min(purchase_date) over (partition by customer_id) as first_purchase_date
        from clv_purchase_days
    ),

    clv_purchases_summarized as (
        select
            customer_id,
            min(purchase_date) as first_purchase_date,
            max(purchase_date) as last_purchase_date,
            count(*) - 1 as repeat_purchase_days,
            sum(purchase_day_value) as purchase_value,
            sum(
                case when purchase_date > first_purchase_date then purchase_day_value end
            ) as repeat_purchase_value
        from clv_purchase_days_ranked
        group by customer_id
    ),

    clv_history as (
        select
            customer_id,
            sum(net_amount) as historic_value
        from clv_orders
        group by customer_id
    ),

    clv_summary as (
        select
            clv_purchases_summarized.customer_id,
            clv_cutoff.cutoff_date,
            clv_purchases_summarized.first_purchase_date,
            clv_purchases_summarized.last_purchase_date,
            clv_purchases_summarized.repeat_purchase_days,
            {{ dbt.datediff(
                'clv_purchases_summarized.first_purchase_date',
                'clv_purchases_summarized.last_purchase_date',
                'day'
            ) }} as days_first_to_last_purchase,
            {{ dbt.datediff(
                'clv_purchases_summarized.first_purchase_date', 'clv_cutoff.cutoff_date', 'day'
            ) }} - 1 as customer_age_days,
            case
                when clv_purchases_summarized.repeat_purchase_days > 0
                    then {{ crm_mining.crm_amount_ratio(
                        'clv_purchases_summarized.repeat_purchase_value',
                        'clv_purchases_summarized.repeat_purchase_days'
                    ) }}
            end as repeat_purchase_value_mean,
            {{ crm_mining.crm_amount_ratio(
                'clv_purchases_summarized.purchase_value',
                '(clv_purchases_summarized.repeat_purchase_days + 1)'
            ) }} as purchase_value_mean,
            clv_history.historic_value
        from clv_purchases_summarized
        inner join clv_history
            on clv_purchases_summarized.customer_id = clv_history.customer_id
        cross join clv_cutoff
    )

    select * from clv_summary
{% endmacro %}
