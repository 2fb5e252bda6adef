{#-
    One row per customer and product they bought before, ranked for a "buy it again" list:
    the reco_top_n best by the method fct_recommendation_evaluation chose for repeat purchases
    (recorded in the column method).
-#}
with

customer_products as (
    select * from {{ ref('int_customer_products_summarized') }}
),

products_ranked as (
    select * from {{ ref('int_recommendation_products_ranked') }}
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
        customer_products.order_count,
        products_ranked.popularity_rank,
        products_ranked.popularity_score
    from customer_products
    inner join products_ranked
        on customer_products.product_number = products_ranked.product_number
),

lists as (
    {{ crm_buy_again_lists('purchases', 'chosen_method') }}
),

buy_again as (
    select
        customer_products.customer_id,
        customer_products.product_id,
        cast(lists.recommendation_rank as {{ dbt.type_bigint() }}) as recommendation_rank,
        lists.score,
        customer_products.order_count,
        cast(customer_products.last_ordered_at as date) as last_order_date,
        lists.method
    from lists
    inner join customer_products
        on
            lists.customer_number = customer_products.customer_number
            and lists.product_number = customer_products.product_number
)

select * from buy_again
