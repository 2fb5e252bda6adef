{#-
    One row per context, customer and product in the customer's recent history: their
    reco_history_max_products most recently bought products (latest purchase first; ties: more
    orders, then product_id), what the rules and item CF score from. Context 'current': all
    baskets. Context 'evaluation': what the offline evaluation knows, i.e. the same for every
    customer but those whose last order is hidden, whose history stops before it.
-#}
{%- set max_products = var('reco_history_max_products') %}
with

customer_products as (
    select * from {{ ref('int_customer_products_summarized') }}
),

current_ranked as (
    select
        customer_number,
        product_number,
        is_holdout_customer,
        row_number() over (
            partition by customer_number
            order by last_ordered_at desc, order_count desc, product_number asc
        ) as history_rank
    from customer_products
),

training_ranked as (
    select
        customer_number,
        product_number,
        is_holdout_customer,
        row_number() over (
            partition by customer_number
            order by training_last_ordered_at desc, training_order_count desc, product_number asc
        ) as history_rank
    from customer_products
    where is_holdout_customer and training_order_count > 0
),

histories as (
    select
        'current' as context,
        customer_number,
        product_number,
        history_rank,
        is_holdout_customer
    from current_ranked
    where history_rank <= {{ max_products }}
    union all
    select
        'evaluation' as context,
        customer_number,
        product_number,
        history_rank,
        is_holdout_customer
    from current_ranked
    where history_rank <= {{ max_products }} and not is_holdout_customer
    union all
    select
        'evaluation' as context,
        customer_number,
        product_number,
        history_rank,
        is_holdout_customer
    from training_ranked
    where history_rank <= {{ max_products }}
)

select * from histories
