{# Contract constraints on Spark: applied to Delta tables only, else left to the data tests. #}
{% macro spark__persist_constraints(relation, model) %}
    {#-
        Overrides dbt-spark's macro, which treats an unset file_format as Delta and runs
        ALTER COLUMN ... SET NOT NULL, refused by the Parquet tables of open-source Spark.
        The format is the model's file_format, else the session's default table format
        (parquet on open-source Spark, delta on Databricks). On other formats the
        not_null constraints are not enforced: every key column also has a not_null test.
    -#}
    {%- set contract_config = config.get('contract') -%}
    {%- set file_format = config.get('file_format') -%}
    {%- if contract_config.enforced and file_format is none -%}
        {%- set file_format = run_query('set spark.sql.sources.default').columns[1].values()[0] -%}
    {%- endif -%}
    {%- if contract_config.enforced and file_format == 'delta' -%}
        {%- do alter_table_add_constraints(relation, model.constraints) -%}
        {%- do alter_column_set_constraints(relation, model.columns) -%}
    {%- elif contract_config.enforced -%}
        {%- do log(
            'crm_mining: ' ~ relation ~ ' is a ' ~ file_format ~ ' table: contract constraints'
            ~ ' are not enforced on Spark (the data tests check them).'
        ) -%}
    {%- endif -%}
{% endmacro %}
