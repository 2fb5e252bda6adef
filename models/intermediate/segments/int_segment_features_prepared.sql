{#-
    One row per customer of fct_customer_rfm (a purchase order before as_of_date): the RFM
    features plus the buying behaviour that the segmentation clusters on.
-#}
{%- set top_categories = crm_checked_var('segment_top_categories') -%}

with

customer_rfm as (
    select * from {{ ref('fct_customer_rfm') }}
),

order_lines as (
    select * from {{ ref('int_order_lines_cleaned') }}
),

products as (
    select * from {{ ref('int_products_resolved') }}
),

segment_categories as (
    select * from {{ ref('int_segment_categories_ranked') }}
),

customer_lines as (
    select
        order_lines.customer_id,
        order_lines.purchased_quantity,
        order_lines.purchase_amount,
        order_lines.return_amount,
        products.category,
        segment_categories.category_rank
    from order_lines
    inner join products
        on order_lines.product_id = products.product_id
    left join segment_categories
        on products.category = segment_categories.category
    where order_lines.customer_id is not null
),

lines_per_customer as (
    select
        customer_id,
        sum(purchased_quantity) as purchased_units,
        sum(purchase_amount) as purchase_spend,
        sum(return_amount) as returned_spend,
        {% for rank in range(1, top_categories + 1) -%}
            sum(
                case when category_rank = {{ rank }} then purchase_amount else 0 end
            ) as spend_category_{{ rank }},
        {% endfor -%}
        count(distinct case when purchased_quantity > 0 then category end)
            as count_distinct_categories
    from customer_lines
    group by customer_id
),

features_prepared as (
    select
        ---------- ids
        cast(customer_rfm.customer_id as {{ dbt.type_string() }}) as customer_id,

        ---------- numerics: RFM (fct_customer_rfm)
        customer_rfm.recency_days,
        customer_rfm.frequency,
        customer_rfm.monetary,
        customer_rfm.avg_order_value,
        customer_rfm.tenure_days,

        ---------- numerics: behaviour
        cast(
            lines_per_customer.purchased_units / customer_rfm.frequency
            as {{ crm_type_double() }}
        ) as avg_basket_units,
        cast(
            lines_per_customer.count_distinct_categories as {{ dbt.type_int() }}
        ) as count_distinct_categories,
        cast(
            least(1, lines_per_customer.returned_spend / lines_per_customer.purchase_spend)
            as {{ crm_type_double() }}
        ) as share_spend_returned,
        case
            when customer_rfm.frequency > 1
                then cast(
                        customer_rfm.tenure_days - customer_rfm.recency_days
                        as {{ crm_type_double() }}
                    ) / (customer_rfm.frequency - 1)
        end as avg_days_between_orders,
        (
            cast(customer_rfm.tenure_days as {{ crm_type_double() }}) / customer_rfm.frequency
        ) as days_per_order,
        cast(lines_per_customer.purchase_spend as {{ crm_type_double() }}) as purchase_spend,
        {% for rank in range(1, top_categories + 1) -%}
            cast(
                lines_per_customer.spend_category_{{ rank }} / lines_per_customer.purchase_spend
                as {{ crm_type_double() }}
            ) as share_spend_category_{{ rank }},
        {% endfor %}

        ---------- dates
        customer_rfm.as_of_date,
        customer_rfm.first_order_date,
        customer_rfm.last_order_date

    from customer_rfm
    inner join lines_per_customer
        on customer_rfm.customer_id = lines_per_customer.customer_id
)

select * from features_prepared
