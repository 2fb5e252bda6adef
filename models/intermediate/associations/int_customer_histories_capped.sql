{#-
    One row per context, customer and product in the customer's recent history: their
    reco_history_max_products most recently bought products they kept (latest purchase first;
    ties: more orders, then the more popular product, then product_id), what the rules and
    item CF score from. A product the customer returned in full is no part of it: it is
    neither the reason of a recommendation nor a sign of taste for item CF. Context
    'current': all baskets. Context 'evaluation': what the offline evaluation knows, the
    baskets but the hidden orders (int_recommendation_holdout_orders): the same as 'current'
    for a customer without a hidden order, but for the popularity that breaks ties, which
    leaves out every customer's hidden order.
-#}
{%- set max_products = crm_checked_var('reco_history_max_products') %}
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
            order by
                last_ordered_at desc,
                order_count desc,
                popularity_rank asc,
                product_number asc
        ) as history_rank
    from customer_products
    where not is_returned_in_full
),

training_ranked as (
    select
        customer_number,
        product_number,
        is_holdout_customer,
        row_number() over (
            partition by customer_number
            order by
                training_last_ordered_at desc,
                training_order_count desc,
                training_popularity_rank asc,
                product_number asc
        ) as history_rank
    from customer_products
    where training_order_count > 0 and not training_is_returned_in_full
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
    from training_ranked
    where history_rank <= {{ max_products }}
)

select * from histories
