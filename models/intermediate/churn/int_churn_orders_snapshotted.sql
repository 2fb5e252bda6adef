{#-
    One row per snapshot, customer and order dated strictly before the snapshot's cutoff: what
    the churn features aggregate (purchase flag, purchase amount, units bought and returned,
    summed once per order in int_orders_summarized). Guests are left out. Everything here is
    before the cutoff, so nothing built on it can leak.
-#}

with

customer_orders as (
    select * from {{ ref('int_orders_summarized') }}
),

churn_snapshots as (
    select * from {{ ref('int_churn_snapshots_resolved') }}
),

orders_before_cutoff as (
    select
        churn_snapshots.snapshot_name,
        customer_orders.customer_id,
        customer_orders.order_id,
        customer_orders.order_date,
        {{ dbt.datediff('customer_orders.order_date', 'churn_snapshots.cutoff_date', 'day') }}
            as days_before_cutoff,
        customer_orders.is_purchase_order,
        customer_orders.purchase_amount,
        customer_orders.purchased_quantity,
        customer_orders.returned_quantity
    from customer_orders
    inner join churn_snapshots
        on customer_orders.order_date < churn_snapshots.cutoff_date
    where customer_orders.customer_id is not null
)

select * from orders_before_cutoff
