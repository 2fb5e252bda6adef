-- crm_mining's order-level macros give the same result from order lines (the grain
-- docs/rfm.md shows for features at a custom cutoff) as from the package's order summary
-- (int_orders_summarized, relation_grain='order', which its own models use): the orders with
-- their purchase flag and net amount, and the RFM features built on them. Fails with the rows
-- that only one grain gives.
with

order_lines as (
    select * from {{ ref('crm_mining', 'int_order_lines_cleaned') }}
),

customer_orders as (
    select * from {{ ref('crm_mining', 'int_orders_summarized') }}
),

analysis_date as (
    select * from {{ ref('crm_mining', 'int_as_of_date_resolved') }}
),

orders_from_lines as (
    {{ crm_mining.crm_customer_orders_summarized(
        'order_lines', '(select as_of_date from analysis_date)'
    ) }}
),

orders_from_summary as (
    {{ crm_mining.crm_customer_orders_summarized(
        'customer_orders', '(select as_of_date from analysis_date)', relation_grain='order'
    ) }}
),

features_from_lines as (
    {{ crm_mining.crm_customer_rfm_features(
        'order_lines', '(select as_of_date from analysis_date)'
    ) }}
),

features_of_the_package as (
    select * from {{ ref('crm_mining', 'int_customers_rfm_aggregated') }}
),

orders_disagreeing as (
    select 'order only from lines' as side, order_id as row_key
    from (select * from orders_from_lines except select * from orders_from_summary) as only_lines
    union all
    select 'order only from the summary' as side, order_id as row_key
    from (select * from orders_from_summary except select * from orders_from_lines) as only_summary
),

features_disagreeing as (
    select 'features only from lines' as side, customer_id as row_key
    from (
        select * from features_from_lines
        except
        select * from features_of_the_package
    ) as only_lines
    union all
    select 'features only in the package' as side, customer_id as row_key
    from (
        select * from features_of_the_package
        except
        select * from features_from_lines
    ) as only_package
)

select * from orders_disagreeing
union all
select * from features_disagreeing
