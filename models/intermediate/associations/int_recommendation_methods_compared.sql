{#-
    One row per recommendation target and method of the offline evaluation: the customers
    evaluated, the products relevant and hit, the summed recall, and McNemar's z of the
    method's customers hit against those of the target's simplest method (popularity): with b
    the customers the method hits and popularity misses and c the reverse,
    gain_z = (b - c) / sqrt(b + c), 0 when b + c = 0, null for popularity itself.
    fct_recommendation_evaluation turns them into rates and the choice.
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

baseline_methods as (
    select
        recommendation_target,
        method
    from methods
    where simplicity_rank = 1
),

method_results as (
    select
        methods.recommendation_target,
        methods.method,
        count(*) as evaluated_customer_count,
        {#- McNemar's discordant customers against the simplest method of the target. #}
        count(
            case
                when hits_per_customer.hit_count is not null and baseline_hits.hit_count is null
                    then 1
            end
        ) as only_method_hit_count,
        count(
            case
                when hits_per_customer.hit_count is null and baseline_hits.hit_count is not null
                    then 1
            end
        ) as only_baseline_hit_count,
        count(baseline_hits.hit_count) as baseline_hit_customer_count,
        sum(evaluated_customers.relevant_product_count) as relevant_product_count,
        sum(coalesce(hits_per_customer.hit_count, 0)) as hit_product_count,
        count(hits_per_customer.hit_count) as hit_customer_count,
        {#- Each customer's recall rounded to 15 decimals and summed exactly: deterministic. #}
        sum(cast(
            coalesce(hits_per_customer.hit_count, 0)
            / cast(evaluated_customers.relevant_product_count as {{ crm_type_double() }})
            as {{ crm_type_share() }}
        )) as recall_sum
    from methods
    inner join evaluated_customers
        on methods.recommendation_target = evaluated_customers.recommendation_target
    left join hits_per_customer
        on
            methods.recommendation_target = hits_per_customer.recommendation_target
            and methods.method = hits_per_customer.method
            and evaluated_customers.customer_number = hits_per_customer.customer_number
    inner join baseline_methods
        on methods.recommendation_target = baseline_methods.recommendation_target
    left join hits_per_customer as baseline_hits
        on
            baseline_methods.recommendation_target = baseline_hits.recommendation_target
            and baseline_methods.method = baseline_hits.method
            and evaluated_customers.customer_number = baseline_hits.customer_number
    group by methods.recommendation_target, methods.method
),

method_gains as (
    select
        methods.recommendation_target,
        methods.method,
        methods.simplicity_rank,
        methods.is_forced,
        method_results.evaluated_customer_count,
        method_results.relevant_product_count,
        method_results.hit_product_count,
        method_results.hit_customer_count,
        method_results.recall_sum,
        method_results.only_method_hit_count,
        method_results.only_baseline_hit_count,
        method_results.baseline_hit_customer_count,
        case
            when methods.simplicity_rank = 1 then null
            when coalesce(method_results.only_method_hit_count, 0)
                + coalesce(method_results.only_baseline_hit_count, 0) = 0 then 0.0
            else
                (method_results.only_method_hit_count - method_results.only_baseline_hit_count)
                / sqrt(cast(
                    method_results.only_method_hit_count + method_results.only_baseline_hit_count
                    as {{ crm_type_double() }}
                ))
        end as gain_z
    from methods
    left join method_results
        on
            methods.recommendation_target = method_results.recommendation_target
            and methods.method = method_results.method
)

select * from method_gains
