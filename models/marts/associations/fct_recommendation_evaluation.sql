{#-
    Offline evaluation of fct_customer_recommendations: one row per recommender. Each customer's
    last order is hidden; rules, popularity and recommendations are rebuilt from the other
    orders; hits are the hidden order's products the customer had not bought before. Only
    evaluated customers are scored (the others' baskets count as guest baskets: for
    popularity only, which is all they are used for once the rules are built).
-#}
with

basket_products as (
    select * from {{ ref('int_basket_products_deduplicated') }}
),

holdout_orders as (
    select * from {{ ref('int_recommendation_holdout_orders') }}
),

training_rules as (
    select * from {{ ref('int_recommendation_training_rules') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

training_baskets as (
    select basket_products.*
    from basket_products
    left join holdout_orders
        on basket_products.order_id = holdout_orders.order_id
    where holdout_orders.order_id is null
),

purchase_order_count as (
    select count(*) as purchase_order_count
    from orders
    where is_purchase_order
),

holdout_order_count as (
    select count(*) as holdout_order_count
    from holdout_orders
),

training_order_count as (
    select
        purchase_order_count.purchase_order_count
        - holdout_order_count.holdout_order_count as total_orders
    from purchase_order_count
    cross join holdout_order_count
),

holdout_products as (
    select
        holdout_orders.customer_id,
        basket_products.product_id
    from holdout_orders
    inner join basket_products
        on holdout_orders.order_id = basket_products.order_id
),

training_customer_products as (
    select distinct
        customer_id,
        product_id
    from training_baskets
    where customer_id is not null
),

holdout_new_products as (
    select
        holdout_products.customer_id,
        holdout_products.product_id
    from holdout_products
    left join training_customer_products
        on
            holdout_products.customer_id = training_customer_products.customer_id
            and holdout_products.product_id = training_customer_products.product_id
    where training_customer_products.product_id is null
),

training_customers as (
    select distinct customer_id
    from training_customer_products
),

evaluated_customers as (
    select
        holdout_new_products.customer_id,
        count(*) as relevant_product_count
    from holdout_new_products
    inner join training_customers
        on holdout_new_products.customer_id = training_customers.customer_id
    group by holdout_new_products.customer_id
),

scoring_baskets as (
    select
        training_baskets.order_id,
        training_baskets.product_id,
        evaluated_customers.customer_id
    from training_baskets
    left join evaluated_customers
        on training_baskets.customer_id = evaluated_customers.customer_id
),

no_rules as (
    select
        antecedent_product_id,
        consequent_product_id,
        confidence,
        lift
    from training_rules
    where false
),

association_recommendations as (
    {{ crm_recommendations(
        'scoring_baskets', 'training_rules', total_orders_relation='training_order_count'
    ) }}
),

popular_recommendations as (
    {{ crm_recommendations(
        'scoring_baskets', 'no_rules', total_orders_relation='training_order_count'
    ) }}
),

recommendations_by_recommender as (
    select
        'association_rules' as recommender,
        customer_id,
        product_id
    from association_recommendations
    union all
    select
        'most_popular' as recommender,
        customer_id,
        product_id
    from popular_recommendations
),

recommenders as (
    select distinct recommender from recommendations_by_recommender
),

hits_per_customer as (
    select
        recommendations_by_recommender.recommender,
        recommendations_by_recommender.customer_id,
        count(*) as hit_count
    from recommendations_by_recommender
    inner join holdout_new_products
        on
            recommendations_by_recommender.customer_id = holdout_new_products.customer_id
            and recommendations_by_recommender.product_id = holdout_new_products.product_id
    group by recommendations_by_recommender.recommender, recommendations_by_recommender.customer_id
),

customer_results as (
    select
        recommenders.recommender,
        evaluated_customers.customer_id,
        evaluated_customers.relevant_product_count,
        coalesce(hits_per_customer.hit_count, 0) as hit_count
    from recommenders
    cross join evaluated_customers
    left join hits_per_customer
        on
            recommenders.recommender = hits_per_customer.recommender
            and evaluated_customers.customer_id = hits_per_customer.customer_id
),

evaluation as (
    select
        recommender,
        cast({{ var('reco_top_n') }} as integer) as top_n,
        count(*) as evaluated_customer_count,
        cast(sum(relevant_product_count) as bigint) as relevant_product_count,
        cast(sum(hit_count) as bigint) as hit_product_count,
        avg(
            case when hit_count > 0 then 1 else 0 end
        ) as hit_rate,
        avg(cast(hit_count as {{ crm_type_double() }}) / relevant_product_count) as recall
    from customer_results
    group by recommender
)

select * from evaluation
