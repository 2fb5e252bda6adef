{# Seed rows on Spark: read by Spark's CSV reader (var spark_seeds_from_files), else literals. #}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- if var('spark_seeds_from_files') -%}
        {{ return(crm_mining.crm_spark_seed_from_file(model, agate_table)) }}
    {%- endif -%}
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

{% macro crm_spark_seed_from_file(model, agate_table) %}
    {#-
        When Spark sees the project's files (var spark_seeds_from_files), it reads the seed's
        CSV file itself: one scan instead of parsing a statement of every cell as a literal (the
        sample's 38,000 order lines: 4 s instead of 12 s, all five seeds 11 s instead of 25 s,
        in the tests' Spark build). The same values as dbt's reading (agate): an empty
        cell or the text null (any case) is null, every other value a cast of its text to the
        column's type. The file is read as one partition (multiLine), so the table keeps the
        file order, as the literal inserts do.
    -#}
    {%- set path = model['root_path'] ~ '/' ~ model['original_file_path'] -%}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set view = this.identifier ~ '__crm_csv' -%}
    {%- set read_sql -%}
        create or replace temporary view {{ view }}
        using csv
        options (
            path {{ crm_mining.crm_sql_string(path) }},
            header 'true',
            inferSchema 'false',
            multiLine 'true',
            escape '"',
            mode 'FAILFAST'
        )
    {%- endset -%}
    {%- do adapter.add_query(read_sql, abridge_sql_log=True) -%}
    {%- set insert_sql -%}
        insert into {{ this.render() }}
        select /*+ coalesce(1) */
        {%- for col_name in agate_table.column_names %}
            {%- set type = column_override.get(col_name, adapter.convert_type(agate_table, loop.index0)) %}
            case
                when lower(coalesce(`{{ col_name }}`, '')) in ('', 'null') then null
                else cast(`{{ col_name }}` as {{ type }})
            end as `{{ col_name }}`{{ "," if not loop.last }}
        {%- endfor %}
        from {{ view }}
    {%- endset -%}
    {%- do adapter.add_query(insert_sql, abridge_sql_log=True) -%}
    {%- do adapter.add_query('drop view if exists ' ~ view, abridge_sql_log=True) -%}
    {{ return(insert_sql) }}
{% endmacro %}
