{#-
    One row per customer and recommended product: the reco_top_n products each customer never
    bought, by the method fct_recommendation_evaluation chose for new products (recorded in
    the column method).
-#}
with

customer_products as (
    select * from {{ ref('int_customer_products_summarized') }}
),

customers as (
    select * from {{ ref('int_recommendation_customers_numbered') }}
),

products_ranked as (
    select * from {{ ref('int_recommendation_products_ranked') }}
),

item_pair_associations as (
    select * from {{ ref('fct_item_pair_associations') }}
),

recommendation_evaluation as (
    select * from {{ ref('fct_recommendation_evaluation') }}
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
    where context = 'current'
),

current_similarities as (
    select * from product_similarities
    where context = 'current'
),

chosen_method as (
    select method
    from recommendation_evaluation
    where recommendation_target = 'new_products' and is_chosen
),

method_components as (
    {{ crm_method_component_rows() }}
),

methods as (
    {#- The lists the chosen method needs: its own; for the blend, the three it fuses. #}
    select method_components.component_method as method
    from chosen_method
    inner join method_components
        on chosen_method.method = method_components.method
),

-- never offered as new: what the customer bought, or sent back (bought before the data)
bought as (
    select
        customer_number,
        product_number
    from customer_products
    union
    select
        customer_number,
        product_number
    from returned_products
),

neighbours as (
    {{ crm_product_neighbours(
        'item_pair_associations', 'current_similarities', 'products_ranked'
    ) }}
),

scores as (
    {{ crm_neighbour_scores('recent_products', 'neighbours', 'bought', 'methods') }}
),

method_lists as (
    {{ crm_new_product_lists('customers', 'bought', 'products_ranked', 'scores', 'methods') }}
),

blend_inputs as (
    select method_lists.*
    from method_lists
    cross join chosen_method
    where chosen_method.method = 'blend'
),

blended_lists as (
    {{ crm_blended_lists('blend_inputs') }}
),

lists as (
    select * from method_lists
    union all
    select * from blended_lists
),

recommendations as (
    select
        customers.customer_id,
        products.product_id,
        cast(lists.recommendation_rank as {{ dbt.type_bigint() }}) as recommendation_rank,
        lists.score,
        coalesce(reason_products.product_id, 'popular') as reason,
        lists.method
    from lists
    inner join chosen_method
        on lists.method = chosen_method.method
    inner join customers
        on lists.customer_number = customers.customer_number
    inner join products_ranked as products
        on lists.product_number = products.product_number
    left join products_ranked as reason_products
        on lists.reason_product_number = reason_products.product_number
)

select * from recommendations
