{#-
    The lists of every method for the customers of the offline evaluation, made from every
    order but the hidden last ones (leave-last-out): one row per target, method, customer and
    listed product. New products (never bought nor returned before): popularity,
    association_rules, item_cf and blend. Repeat purchases (bought before): popularity and
    buy_again. Same macros as fct_customer_recommendations and fct_customer_buy_again, on the
    training baskets.
-#}
with

customer_products as (
    select * from {{ ref('int_customer_products_summarized') }}
),

products_ranked as (
    select * from {{ ref('int_recommendation_products_ranked') }}
),

training_rules as (
    select * from {{ ref('int_recommendation_training_rules') }}
),

customer_histories as (
    select * from {{ ref('int_customer_histories_capped') }}
),

product_similarities as (
    select * from {{ ref('int_product_similarities') }}
),

returned_products as (
    select * from {{ ref('int_customer_returned_products_numbered') }}
),

recent_products as (
    select
        customer_number,
        product_number
    from customer_histories
    where context = 'evaluation' and is_holdout_customer
),

training_similarities as (
    select * from product_similarities
    where context = 'evaluation'
),

training_products as (
    select
        product_id,
        product_number,
        training_popularity_rank as popularity_rank,
        training_popularity_score as popularity_score
    from products_ranked
    where training_popularity_rank is not null
),

training_purchases as (
    select
        customer_products.customer_number,
        customer_products.product_number,
        customer_products.training_order_count as order_count,
        customer_products.training_is_returned_in_full as is_returned_in_full,
        training_products.popularity_rank,
        training_products.popularity_score
    from customer_products
    inner join training_products
        on customer_products.product_number = training_products.product_number
    where customer_products.is_holdout_customer and customer_products.training_order_count > 0
),

-- buy-again candidates: what the customer bought and kept (as fct_customer_buy_again)
training_purchases_kept as (
    select * from training_purchases
    where not is_returned_in_full
),

holdout_customers as (
    select distinct customer_number from training_purchases
),

-- never offered as new: what the customer bought or sent back before the hidden order
training_not_new as (
    select
        customer_number,
        product_number
    from training_purchases
    union
    select
        returned_products.customer_number,
        returned_products.product_number
    from returned_products
    inner join holdout_customers
        on returned_products.customer_number = holdout_customers.customer_number
    where returned_products.has_training_return
),

new_product_methods as (
    {#- The blend is made from the lists of the others. #}
    {{ crm_recommendation_method_rows('new_products', exclude=['blend']) }}
),

repeat_methods as (
    {{ crm_recommendation_method_rows('repeat_purchases') }}
),

neighbours as (
    {{ crm_product_neighbours('training_rules', 'training_similarities', 'training_products') }}
),

scores as (
    {{ crm_neighbour_scores(
        'recent_products', 'neighbours', 'training_not_new', 'new_product_methods'
    ) }}
),

new_product_lists as (
    {{ crm_new_product_lists(
        'holdout_customers', 'training_not_new', 'training_products', 'scores',
        'new_product_methods'
    ) }}
),

blended_lists as (
    {{ crm_blended_lists('new_product_lists') }}
),

repeat_lists as (
    {{ crm_buy_again_lists('training_purchases_kept', 'repeat_methods') }}
),

new_product_lists_all as (
    select * from new_product_lists
    union all
    select * from blended_lists
),

lists as (
    select
        'new_products' as recommendation_target,
        method,
        customer_number,
        product_number,
        recommendation_rank
    from new_product_lists_all
    union all
    select
        'repeat_purchases' as recommendation_target,
        method,
        customer_number,
        product_number,
        recommendation_rank
    from repeat_lists
)

select * from lists
