{#-
    One row per snapshot, customer and order dated strictly before the snapshot's cutoff: what
    the churn features aggregate (purchase flag, purchase amount, units bought and returned).
    Guests are left out. Everything here is before the cutoff, so nothing built on it can leak.
-#}

with

order_lines as (
    select * from {{ ref('int_order_lines_cleaned') }}
),

churn_snapshots as (
    select * from {{ ref('int_churn_snapshots_resolved') }}
),

lines_before_cutoff as (
    select
        churn_snapshots.snapshot_name,
        order_lines.customer_id,
        order_lines.order_id,
        order_lines.order_date,
        order_lines.quantity,
        order_lines.line_amount,
        {{ dbt.datediff('order_lines.order_date', 'churn_snapshots.cutoff_date', 'day') }}
            as days_before_cutoff
    from order_lines
    inner join churn_snapshots
        on order_lines.order_date < churn_snapshots.cutoff_date
    where order_lines.customer_id is not null
),

orders_summarized as (
    select
        snapshot_name,
        customer_id,
        order_id,
        min(order_date) as order_date,
        min(days_before_cutoff) as days_before_cutoff,
        max(case when quantity > 0 then 1 else 0 end) = 1 as is_purchase_order,
        sum(case when quantity > 0 then line_amount else 0 end) as purchase_amount,
        sum(case when quantity > 0 then quantity else 0 end) as purchased_quantity,
        sum(case when quantity < 0 then -quantity else 0 end) as returned_quantity
    from lines_before_cutoff
    group by snapshot_name, customer_id, order_id
)

select * from orders_summarized
