{#-
    Offline evaluation of the recommendation methods: one row per target (new products, repeat
    purchases) and method. The hidden last orders of int_recommendation_holdout_orders against
    the lists each method makes from every other order (leave-last-out: other customers'
    orders after a hidden one are training data too, docs/associations.md); the method with
    the most customers hit is chosen for fct_customer_recommendations and
    fct_customer_buy_again (ties: the simpler), unless a var forces one.
-#}
with

evaluation_lists as (
    select * from {{ ref('int_recommendation_evaluation_lists') }}
),

customer_products as (
    select * from {{ ref('int_customer_products_summarized') }}
),

methods as (
    {{ crm_recommendation_method_rows() }}
),

relevant_products as (
    {#- The hidden order's products: new if never bought before, else repeat purchases. #}
    select
        case
            when training_order_count = 0 then 'new_products' else 'repeat_purchases'
        end as recommendation_target,
        customer_number,
        product_number
    from customer_products
    where is_in_holdout_order
),

evaluated_customers as (
    select
        recommendation_target,
        customer_number,
        count(*) as relevant_product_count
    from relevant_products
    group by recommendation_target, customer_number
),

hits_per_customer as (
    select
        evaluation_lists.recommendation_target,
        evaluation_lists.method,
        evaluation_lists.customer_number,
        count(*) as hit_count
    from evaluation_lists
    inner join relevant_products
        on
            evaluation_lists.recommendation_target = relevant_products.recommendation_target
            and evaluation_lists.customer_number = relevant_products.customer_number
            and evaluation_lists.product_number = relevant_products.product_number
    group by
        evaluation_lists.recommendation_target,
        evaluation_lists.method,
        evaluation_lists.customer_number
),

method_results as (
    select
        methods.recommendation_target,
        methods.method,
        count(*) as evaluated_customer_count,
        sum(evaluated_customers.relevant_product_count) as relevant_product_count,
        sum(coalesce(hits_per_customer.hit_count, 0)) as hit_product_count,
        count(hits_per_customer.hit_count) as hit_customer_count,
        {#- Each customer's recall rounded to 15 decimals and summed exactly: deterministic. #}
        sum(cast(
            coalesce(hits_per_customer.hit_count, 0)
            / cast(evaluated_customers.relevant_product_count as {{ crm_type_double() }})
            as numeric(28, 15)
        )) as recall_sum
    from methods
    inner join evaluated_customers
        on methods.recommendation_target = evaluated_customers.recommendation_target
    left join hits_per_customer
        on
            methods.recommendation_target = hits_per_customer.recommendation_target
            and methods.method = hits_per_customer.method
            and evaluated_customers.customer_number = hits_per_customer.customer_number
    group by methods.recommendation_target, methods.method
),

evaluation as (
    select
        methods.recommendation_target,
        methods.method,
        cast({{ var('reco_top_n') }} as integer) as top_n,
        cast(coalesce(method_results.evaluated_customer_count, 0) as {{ dbt.type_bigint() }})
            as evaluated_customer_count,
        cast(coalesce(method_results.relevant_product_count, 0) as {{ dbt.type_bigint() }})
            as relevant_product_count,
        cast(coalesce(method_results.hit_product_count, 0) as {{ dbt.type_bigint() }})
            as hit_product_count,
        cast(coalesce(method_results.hit_customer_count, 0) as {{ dbt.type_bigint() }})
            as hit_customer_count,
        cast(method_results.hit_customer_count as {{ crm_type_double() }})
        / method_results.evaluated_customer_count as hit_rate,
        cast(method_results.recall_sum as {{ crm_type_double() }})
        / method_results.evaluated_customer_count as recall,
        row_number() over (
            partition by methods.recommendation_target
            order by
                case when methods.is_forced then 0 else 1 end,
                coalesce(method_results.hit_customer_count, 0) desc,
                methods.simplicity_rank asc
        ) = 1 as is_chosen,
        methods.is_forced
    from methods
    left join method_results
        on
            methods.recommendation_target = method_results.recommendation_target
            and methods.method = method_results.method
)

select * from evaluation
