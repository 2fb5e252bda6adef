{#-
    One row per snapshot of int_clv_snapshots_resolved and customer with a purchase order
    before its cutoff: the BG/NBD and Gamma-Gamma summary of the macro crm_clv_summary.
-#}
with

customer_orders as (
    select * from {{ ref('int_orders_summarized') }}
),

clv_snapshots as (
    select * from {{ ref('int_clv_snapshots_resolved') }}
),

scoring_summary as (
    {{ crm_clv_summary(
        'customer_orders',
        "(select cutoff_date from clv_snapshots where snapshot_name = 'scoring')",
        relation_grain='order'
    ) }}
),

calibration_summary as (
    {{ crm_clv_summary(
        'customer_orders',
        "(select cutoff_date from clv_snapshots where snapshot_name = 'calibration')",
        relation_grain='order'
    ) }}
),

churn_training_summary as (
    {{ crm_clv_summary(
        'customer_orders',
        "(select cutoff_date from clv_snapshots where snapshot_name = 'churn_training')",
        relation_grain='order'
    ) }}
),

summaries_unioned as (
    select
        'scoring' as snapshot_name,
        scoring_summary.*
    from scoring_summary
    union all
    select
        'calibration' as snapshot_name,
        calibration_summary.*
    from calibration_summary
    union all
    select
        'churn_training' as snapshot_name,
        churn_training_summary.*
    from churn_training_summary
)

select * from summaries_unioned
