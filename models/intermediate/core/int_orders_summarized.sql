{#-
    One row per order with kept lines: its lines summed once, for every model that works at
    the order grain (fct_orders, RFM, churn and CLV snapshots). An order has one customer and
    one date (int_order_lines_validated guarantees it), so a model that keeps the orders dated
    before a cutoff keeps exactly the orders of the lines dated before it. Distinct products
    per order are counted from int_basket_products_deduplicated (fct_orders): a distinct count
    here was half of this model's time at scale.
-#}
with

order_lines as (
    select * from {{ ref('int_order_lines_cleaned') }}
),

orders_summarized as (
    select
        order_id,
        min(customer_id) as customer_id,
        min(input_name) as input_name,
        min(ordered_at) as ordered_at,
        min(order_date) as order_date,
        count(*) as line_count,
        cast(sum(purchased_quantity) as {{ crm_type_quantity_total() }}) as purchased_quantity,
        cast(sum(returned_quantity) as {{ crm_type_quantity_total() }}) as returned_quantity,
        sum(purchase_amount) as purchase_amount,
        sum(return_amount) as return_amount,
        sum(line_amount) as net_amount
    from order_lines
    group by order_id
),

orders_flagged as (
    select
        *,
        purchased_quantity > 0 as is_purchase_order
    from orders_summarized
)

select * from orders_flagged
