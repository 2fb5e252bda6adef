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

baskets_split as (
    {#- Each basket once, hidden (its customer's holdout order) or training. -#}
    select
        basket_products.order_id,
        basket_products.product_id,
        coalesce(holdout_orders.customer_id, basket_products.customer_id) as customer_id,
        holdout_orders.order_id is not null as is_holdout
    from basket_products
    left join holdout_orders
        on basket_products.order_id = holdout_orders.order_id
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

customer_products_split as (
    {#- Per customer and product: in the hidden order, in a training basket (1/0). -#}
    select
        customer_id,
        product_id,
        max(case when is_holdout then 1 else 0 end) as is_in_holdout,
        max(case when is_holdout then 0 else 1 end) as is_in_training
    from baskets_split
    where customer_id is not null
    group by customer_id, product_id
),

holdout_new_products as (
    {#- The relevant products: in the hidden order, never bought in a training basket. -#}
    select
        customer_id,
        product_id
    from customer_products_split
    where is_in_holdout = 1 and is_in_training = 0
),

evaluated_customers as (
    {#- Customers with a relevant product and a training basket to recommend from. -#}
    select
        customer_id,
        count(case when is_in_holdout = 1 and is_in_training = 0 then 1 end)
            as relevant_product_count
    from customer_products_split
    group by customer_id
    having
        max(is_in_training) = 1
        and count(case when is_in_holdout = 1 and is_in_training = 0 then 1 end) > 0
),

scoring_baskets as (
    {#-
        The training baskets; only evaluated customers keep their id (the others' baskets
        count as guest baskets). Built from few CTEs, each referenced once: Spark copies the
        plan of this argument at every path to it in crm_recommendations (called twice).
    -#}
    select
        baskets_split.order_id,
        baskets_split.product_id,
        evaluated_customers.customer_id
    from baskets_split
    left join evaluated_customers
        on baskets_split.customer_id = evaluated_customers.customer_id
    where not baskets_split.is_holdout
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
