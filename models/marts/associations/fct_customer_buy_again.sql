{#-
    One row per customer and product they bought before and did not return in full, ranked
    for a "buy it again" list: the reco_top_n best by the method fct_recommendation_evaluation
    chose for repeat purchases (recorded in the column method).
-#}
with

customer_products as (
    select * from {{ ref('int_customer_products_summarized') }}
),

products_ranked as (
    select * from {{ ref('int_recommendation_products_ranked') }}
),

customers as (
    select * from {{ ref('int_recommendation_customers_numbered') }}
),

recommendation_evaluation as (
    select * from {{ ref('fct_recommendation_evaluation') }}
),

chosen_method as (
    select method
    from recommendation_evaluation
    where recommendation_target = 'repeat_purchases' and is_chosen
),

purchases as (
    select
        customer_products.customer_number,
        customer_products.product_number,
        products_ranked.product_id,
        customer_products.order_count,
        customer_products.last_ordered_at,
        products_ranked.popularity_rank,
        products_ranked.popularity_score
    from customer_products
    inner join products_ranked
        on customer_products.product_number = products_ranked.product_number
    where not customer_products.is_returned_in_full
),

lists as (
    {{ crm_buy_again_lists('purchases', 'chosen_method') }}
),

buy_again as (
    select
        customers.customer_id,
        lists.product_id,
        cast(lists.recommendation_rank as {{ dbt.type_bigint() }}) as recommendation_rank,
        lists.score,
        lists.order_count,
        cast(lists.last_ordered_at as date) as last_order_date,
        lists.method
    from lists
    inner join customers
        on lists.customer_number = customers.customer_number
)

select * from buy_again
