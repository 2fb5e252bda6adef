{# A typed column (input table, Parquet file) as the text a CSV file holds; none: unreadable. #}
{% macro crm_column_as_text(column, data_type) %}
    {#-
        column: the quoted column name; data_type: its type as the adapter reports it (of an
        input table, or of a Parquet file's column). Text stays as is; numbers become their
        canonical text (30.99, 3, 1e-05), written with the var decimal_separator so that
        staging reads them back unchanged; a whole floating-point number is written as an
        integer (12346.0 as 12346: pandas stores an integer column with missing values as
        float64, and its ids must match the same ids written as integers elsewhere); dates and
        timestamps become ISO 8601 text (2023-01-02, 2023-01-02 08:31:40), which staging
        always reads whatever date_formats says. Nested and binary types: none.
    -#}
    {%- set kind = crm_type_kind(data_type) -%}
    {%- if kind in ['nested', 'binary'] -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(adapter.dispatch('crm_column_as_text', 'crm_mining')(column, kind)) }}
{% endmacro %}

{% macro default__crm_column_as_text(column, kind) %}
    {%- set text = 'cast(' ~ column ~ ' as ' ~ dbt.type_string() ~ ')' -%}
    {%- if kind == 'float' -%}
        {#- Below 1e15 a whole double is exact and fits a bigint; NaN and infinities are not. -#}
        {%- set text = 'case when ' ~ column ~ ' = floor(' ~ column ~ ') and abs(' ~ column
            ~ ') < 1e15 then cast(cast(' ~ column ~ ' as ' ~ dbt.type_bigint() ~ ') as '
            ~ dbt.type_string() ~ ') else ' ~ text ~ ' end' -%}
    {%- endif -%}
    {%- if kind in ['number', 'float'] and var('decimal_separator') | string == ',' -%}
        {{ return("replace(" ~ text ~ ", '.', ',')") }}
    {%- endif -%}
    {{ return(text) }}
{% endmacro %}

{% macro duckdb__crm_column_as_text(column, kind) %}
    {%- if kind == 'timestamp_tz' -%}
        {#- Its text would carry the session's time zone: the instant as UTC time instead. -#}
        {{ return(default__crm_column_as_text("timezone('UTC', " ~ column ~ ")", kind)) }}
    {%- endif -%}
    {{ return(default__crm_column_as_text(column, kind)) }}
{% endmacro %}


{#
    The kind of a column type: number (exact), float (floating point), date, timestamp,
    timestamp_tz, nested, binary, text.
#}
{% macro crm_type_kind(data_type) %}
    {#- Type names of DuckDB (INTEGER[], STRUCT(...)), Spark (array<int>, decimal(18,2)) and
        other warehouses (Snowflake VARIANT, Postgres bytea), matched on lower case. -#}
    {%- set name = data_type | string | lower | trim -%}
    {%- set base = name.split('(')[0].split('<')[0] | trim -%}
    {%- if name.endswith(']') or base in [
        'struct', 'map', 'list', 'array', 'union', 'row', 'variant', 'object', 'super',
        'geography', 'geometry'] -%}
        {{ return('nested') }}
    {%- elif base in ['blob', 'bytea', 'binary', 'varbinary', 'bytes'] -%}
        {{ return('binary') }}
    {%- elif base in ['double', 'double precision', 'float', 'float4', 'float8', 'real'] -%}
        {{ return('float') }}
    {%- elif base in [
        'tinyint', 'smallint', 'integer', 'int', 'bigint', 'hugeint', 'utinyint', 'usmallint',
        'uinteger', 'ubigint', 'uhugeint', 'int1', 'int2', 'int4', 'int8', 'long', 'short',
        'byte', 'decimal', 'numeric', 'number', 'dec', 'bignum', 'varint'] -%}
        {{ return('number') }}
    {%- elif base == 'date' -%}
        {{ return('date') }}
    {%- elif 'with time zone' in name or base in ['timestamptz', 'timestamp_tz'] -%}
        {{ return('timestamp_tz') }}
    {%- elif base.startswith('timestamp') or base == 'datetime' -%}
        {{ return('timestamp') }}
    {%- endif -%}
    {{ return('text') }}
{% endmacro %}
