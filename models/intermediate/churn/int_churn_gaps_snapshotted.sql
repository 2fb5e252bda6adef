{#-
    One row per snapshot and customer with a purchase before the snapshot's cutoff: the gaps in
    days between consecutive distinct purchase days (two orders on one day are one purchase
    day), from the orders of int_churn_orders_snapshotted (all dated before the cutoff).
-#}

with

churn_orders as (
    select * from {{ ref('int_churn_orders_snapshotted') }}
),

purchase_days as (
    select distinct
        snapshot_name,
        customer_id,
        order_date
    from churn_orders
    where is_purchase_order
),

purchase_gaps as (
    select
        snapshot_name,
        customer_id,
        {{ dbt.datediff(
            'lag(order_date) over (partition by snapshot_name, customer_id order by order_date)',
            'order_date',
            'day'
        ) }} as gap_days
    from purchase_days
),

gaps_summarized as (
    select
        snapshot_name,
        customer_id,
        count(gap_days) as count_purchase_gaps,
        -- mean and standard deviation from exact integer sums: the same bits whatever the
        -- order in which threads combine a customer's rows
        cast(sum(gap_days) as {{ crm_type_double() }})
        / nullif(count(gap_days), 0) as avg_gap_days,
        sqrt(
            cast(
                count(gap_days) * sum(gap_days * gap_days) - sum(gap_days) * sum(gap_days)
                as {{ crm_type_double() }}
            )
            / nullif(count(gap_days) * (count(gap_days) - 1), 0)
        ) as stddev_gap_days,
        max(gap_days) as max_gap_days
    from purchase_gaps
    group by snapshot_name, customer_id
)

select * from gaps_summarized
