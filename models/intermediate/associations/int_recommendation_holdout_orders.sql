{#-
    One row per customer of the offline evaluation: their last purchase order (latest
    ordered_at), which the evaluation hides. The customers: those with at least two purchase
    orders (the others have nothing left to learn from) whose latest ordered_at holds one order
    only (with dates alone, two orders of one day have no known last, and the one left in
    training would reveal the hidden basket), at most reco_eval_max_customers of them in a
    pseudo-random order seeded by random_seed (md5 of the customer id and the seed; ties:
    customer_id).
-#}
{%- set max_customers = crm_checked_var('reco_eval_max_customers') %}
{%- set seed_suffix = "':" ~ var('random_seed') ~ "'" %}
with

orders as (
    select * from {{ ref('int_orders_summarized') }}
),

customer_orders as (
    select
        customer_id,
        order_id,
        ordered_at
    from orders
    where is_purchase_order and customer_id is not null
),

customer_orders_ranked as (
    select
        customer_id,
        order_id,
        ordered_at,
        row_number() over (
            partition by customer_id order by ordered_at desc, order_id desc
        ) as order_recency_rank,
        count(*) over (partition by customer_id) as purchase_order_count,
        count(*) over (partition by customer_id, ordered_at) as orders_at_same_time
    from customer_orders
),

last_orders_sampled as (
    select
        customer_id,
        order_id,
        ordered_at,
        row_number() over (
            order by {{ dbt.hash(dbt.concat(['customer_id', seed_suffix])) }}, customer_id
        ) as sample_rank
    from customer_orders_ranked
    where
        order_recency_rank = 1
        and purchase_order_count >= 2
        and orders_at_same_time = 1
),

holdout_orders as (
    select
        customer_id,
        order_id,
        ordered_at
    from last_orders_sampled
    {%- if max_customers is not none %}
        where sample_rank <= {{ max_customers }}
    {%- endif %}
)

select * from holdout_orders
