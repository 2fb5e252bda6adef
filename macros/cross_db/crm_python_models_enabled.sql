{# Whether the target runs dbt Python models (dbt-spark's session and thrift methods do not). #}
{% macro crm_python_models_enabled() %}
    {{ return(adapter.dispatch('crm_python_models_enabled', 'crm_mining')()) }}
{% endmacro %}

{% macro default__crm_python_models_enabled() %}
    {{ return(true) }}
{% endmacro %}

{% macro databricks__crm_python_models_enabled() %}
    {#- dbt-databricks (type databricks) runs Python models on its clusters. -#}
    {{ return(true) }}
{% endmacro %}

{% macro spark__crm_python_models_enabled() %}
    {#-
        dbt-spark submits Python models to Databricks only (methods http and odbc, which need
        a cluster or a SQL warehouse endpoint); methods session and thrift run none. dbt's
        `target` does not hold the method (only host, port, cluster, endpoint, schema,
        organization): a cluster or an endpoint tells Databricks.
    -#}
    {{ return((target.cluster or target.endpoint) is not none) }}
{% endmacro %}

{# Log line of a run on a target without Python models (for on-run-start; renders no SQL). #}
{% macro crm_python_models_notice() %}
    {%- if execute and not crm_python_models_enabled() -%}
        {%- do log(
            "crm_mining: target '" ~ target.name ~ "' (" ~ target.type ~ ", no Databricks"
            ~ " cluster or endpoint) runs no dbt Python models: the models of python_models/"
            ~ " are disabled and the marts that read them build with null ML columns (see"
            ~ " README, Running on Spark / Databricks).",
            info=true
        ) -%}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}
