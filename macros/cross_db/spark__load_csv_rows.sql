{# Seed rows on Spark as escaped SQL literals (dbt-spark's session bindings quote unescaped). #}
{% macro spark__load_csv_rows(model, agate_table) %}
    {#-
        Overrides dbt-spark's macro: with method: session it formats each value as '<value>'
        without escaping, so a quote in a value breaks the insert and an empty cell becomes
        the text 'None'. Here an empty cell is null and every other value a literal of its
        column type (column_types of seeds/_seeds.yml, else the inferred type).
        All rows go in one statement written as one file, so that the table scans in file
        order (several inserts make several files, read back in no set order) and
        crm_input_row_number numbers the rows as in the CSV file.
    -#}
    {%- set batch_size = agate_table.rows | length if agate_table.rows else 1 -%}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {#- Per column, once (not per cell: 150,000 cells in the sample): its type, and whether its
        literals need a cast (a quoted literal is a string already). -#}
    {%- set column_types = [] -%}
    {%- for col_name in agate_table.column_names -%}
        {%- do column_types.append(
            column_override.get(col_name, adapter.convert_type(agate_table, loop.index0))
        ) -%}
    {%- endfor -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(batch_size) -%}
        {%- set sql -%}
            insert into {{ this.render() }}
            select /*+ coalesce(1) */ * from values
            {% for row in chunk -%}
                (
                {%- for value in row -%}
                    {%- set type = column_types[loop.index0] -%}
                    {%- if value is none -%}
                        cast(null as {{ type }})
                    {%- else -%}
                        {#- spark__crm_sql_string's escaping, inline: a macro call per cell
                            (dbt's return() raises and catches) cost seconds per seed. -#}
                        {%- set literal = "'" ~ (value | string).replace('\\', '\\\\')
                            .replace("'", "\\'") ~ "'" -%}
                        {%- if type | lower == 'string' -%}
                            {{ literal }}
                        {%- else -%}
                            cast({{ literal }} as {{ type }})
                        {%- endif -%}
                    {%- endif -%}
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%}
                ){%- if not loop.last %},{% endif %}
            {% endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.index0 == 0 -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements[0]) }}
{% endmacro %}
