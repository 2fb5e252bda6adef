{# The output of a Python model, or typed nulls where the target runs no Python models. #}
{% macro crm_python_model_relation(
    model_name, null_columns, rows_from=none, key_columns=[], one_row=false
) %}
    {#-
        For the SQL models that read a Python model. With Python models on (see
        crm_python_models_enabled): ref(model_name). Otherwise (dbt-spark session/thrift, where
        the Python models are disabled) a subquery that never refs the disabled model, with
        every column of null_columns ({name: SQL type}) as a typed null, and as rows:
        - rows_from (a relation or a parenthesised subquery with an alias-free select): one row
          per row of it, carrying its key_columns (per-customer outputs: the customers stay,
          their ML columns are null);
        - else one_row=true: exactly one row (a single-row output such as model metrics);
        - else no row (outputs whose rows are the model's own: segments, k values, features).
        null_columns may list the key_columns too (the macro of macros/python_outputs/ declares
        every column a reader uses): those come from rows_from, not as nulls.
        Usage: select * from {{ crm_python_model_relation('int_churn_scores_predicted',
            {'churn_probability': crm_type_double(), 'churn_risk_band': dbt.type_string()},
            rows_from=ref('int_churn_features_snapshotted'), key_columns=['customer_id']) }}
    -#}
    {%- if crm_python_models_enabled() -%}
        {{ return(ref(model_name)) }}
    {%- endif -%}
    {%- if execute -%}
        {%- do log(
            "crm_mining: " ~ model.name ~ " reads no " ~ model_name ~ " (Python models are off"
            ~ " on target " ~ target.name ~ "): "
            ~ null_columns.keys() | reject('in', key_columns) | join(', ')
            ~ " are null"
            ~ ("" if rows_from is not none or one_row else ", and it has no row") ~ ".",
            info=true
        ) -%}
    {%- endif -%}
    (
        select
            {%- for key in key_columns %}
            python_model_rows.{{ key }},
            {%- endfor %}
            {%- for name, data_type in null_columns.items() if name not in key_columns %}
            cast(null as {{ data_type }}) as {{ name }}{{ ',' if not loop.last }}
            {%- endfor %}
        {%- if rows_from is not none %}
        from {{ rows_from }} as python_model_rows
        {%- elif not one_row %}
        where 1 = 0
        {%- endif %}
    ) as {{ model_name }}
{% endmacro %}
