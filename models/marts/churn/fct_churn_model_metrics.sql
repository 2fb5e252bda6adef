{#- Exactly one row: the churn model chosen, its validation metrics, or why it fell back. -#}
{%- set baseline_columns = int_clv_churn_baseline_evaluated_columns() %}
with

{# Targets without Python models: one row, every model column null. #}
churn_model as (
    select * from {{ crm_python_model_relation('int_churn_model_trained', {
        'model_name': dbt.type_string(),
        'is_model_trained': dbt.type_boolean(),
        'fallback_reason': dbt.type_string(),
        'calibration_method': dbt.type_string(),
        'roc_auc': crm_type_double(),
        'pr_auc': crm_type_double(),
        'brier_score': crm_type_double(),
        'max_decile_calibration_gap': crm_type_double(),
        'recency_baseline_roc_auc': crm_type_double(),
        'logistic_regression_roc_auc': crm_type_double(),
        'hist_gradient_boosting_roc_auc': crm_type_double(),
        'base_rate': crm_type_double(),
        'training_customers': dbt.type_int(),
        'churned_training_customers': dbt.type_int(),
        'fit_customers': dbt.type_int(),
        'validation_customers': dbt.type_int(),
        'scored_customers': dbt.type_int(),
        'random_seed': dbt.type_int(),
    }, one_row=true) }}
),

{# The P(alive) baseline, computed with the CLV models (python_models/clv). #}
clv_churn_baseline as (
    select * from {{ crm_python_model_relation(
        'int_clv_churn_baseline_evaluated', baseline_columns, one_row=true
    ) }}
),

churn_snapshots as (
    select * from {{ ref('int_churn_snapshots_resolved') }}
),

training_snapshot as (
    select
        as_of_date,
        cutoff_date,
        churn_horizon_days
    from churn_snapshots
    where snapshot_name = 'training'
),

metrics_typed as (
    select
        cast(training_snapshot.as_of_date as date) as as_of_date,
        cast(training_snapshot.cutoff_date as date) as training_cutoff_date,
        cast(training_snapshot.churn_horizon_days as {{ dbt.type_int() }}) as churn_horizon_days,
        cast(churn_model.model_name as {{ dbt.type_string() }}) as model_name,
        cast(churn_model.is_model_trained as {{ dbt.type_boolean() }}) as is_model_trained,
        cast(churn_model.fallback_reason as {{ dbt.type_string() }}) as fallback_reason,
        cast(churn_model.calibration_method as {{ dbt.type_string() }}) as calibration_method,
        cast(churn_model.roc_auc as {{ crm_type_double() }}) as roc_auc,
        cast(churn_model.pr_auc as {{ crm_type_double() }}) as pr_auc,
        cast(churn_model.brier_score as {{ crm_type_double() }}) as brier_score,
        cast(churn_model.max_decile_calibration_gap as {{ crm_type_double() }})
            as max_decile_calibration_gap,
        cast(churn_model.recency_baseline_roc_auc as {{ crm_type_double() }})
            as recency_baseline_roc_auc,
        cast(clv_churn_baseline.p_alive_roc_auc as {{ baseline_columns['p_alive_roc_auc'] }})
            as p_alive_baseline_roc_auc,
        cast(churn_model.logistic_regression_roc_auc as {{ crm_type_double() }})
            as logistic_regression_roc_auc,
        cast(churn_model.hist_gradient_boosting_roc_auc as {{ crm_type_double() }})
            as hist_gradient_boosting_roc_auc,
        cast(churn_model.base_rate as {{ crm_type_double() }}) as base_rate,
        cast(churn_model.training_customers as {{ dbt.type_int() }}) as training_customers,
        cast(churn_model.churned_training_customers as {{ dbt.type_int() }})
            as churned_training_customers,
        cast(churn_model.fit_customers as {{ dbt.type_int() }}) as fit_customers,
        cast(churn_model.validation_customers as {{ dbt.type_int() }}) as validation_customers,
        cast(churn_model.scored_customers as {{ dbt.type_int() }}) as scored_customers,
        cast(churn_model.random_seed as {{ dbt.type_int() }}) as random_seed
    from churn_model
    cross join clv_churn_baseline
    cross join training_snapshot
)

select * from metrics_typed
