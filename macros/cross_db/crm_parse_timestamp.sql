{# Input text as a timestamp (null when unreadable): the var date_formats, then ISO 8601. #}
{% macro crm_parse_timestamp(expression) %}
    {#-
        ISO 8601 (2023-01-02, 2023-01-02 08:31:40) is read whatever date_formats says, after
        the formats listed there: it is how typed DATE and TIMESTAMP columns of input tables
        reach staging (crm_column_as_text), and it cannot be mistaken for another format.
    -#}
    {{ return(adapter.dispatch('crm_parse_timestamp', 'crm_mining')(expression)) }}
{% endmacro %}

{% macro default__crm_parse_timestamp(expression) %}
    {#-
        The engine's cast. Postgres' and Snowflake's TIMESTAMP (without time zone) drop an
        offset where DuckDB's and Spark's staging read it as UTC time: an adapter that needs
        it implements <adapter>__crm_parse_timestamp.
    -#}
    {%- set formats = crm_date_formats() -%}
    {%- if formats is none -%}
        {{ return(crm_try_cast(expression, api.Column.translate_type('timestamp'))) }}
    {%- endif -%}
    {{ exceptions.raise_compiler_error(
        "crm_mining: the var date_formats is not implemented for adapter '" ~ adapter.type()
        ~ "'; implement " ~ adapter.type() ~ "__crm_parse_timestamp."
    ) }}
{% endmacro %}

{% macro duckdb__crm_parse_timestamp(expression) %}
    {#-
        The formats of date_formats in order, then ISO 8601. A value that names its time zone
        (a %z or %Z format, or ISO text with an offset or zone) is read as its UTC time, as
        Spark reads it and as typed TIMESTAMP WITH TIME ZONE columns reach staging
        (crm_column_as_text): DuckDB's cast to TIMESTAMP would drop the zone.
    -#}
    {%- set attempts = [] -%}
    {%- for format in crm_date_formats() or [] -%}
        {%- set parsed = 'try_strptime(' ~ expression ~ ', ' ~ crm_sql_string(format) ~ ')' -%}
        {%- if '%z' in format or '%Z' in format -%}
            {%- set parsed = "timezone('UTC', " ~ parsed ~ ")" -%}
        {%- endif -%}
        {%- do attempts.append(parsed) -%}
    {%- endfor -%}
    {%- do attempts.append(duckdb__crm_parse_iso_timestamp(expression)) -%}
    {%- if attempts | length == 1 -%}
        {{ return(attempts[0]) }}
    {%- endif -%}
    {{ return('coalesce(' ~ attempts | join(', ') ~ ')') }}
{% endmacro %}

{#
    ISO 8601 text as a timestamp. After the time, a letter (Z, a zone name) or a signed number
    (+05:30, -0500, -05) names the zone: the text is read as an instant and its UTC time kept
    (a blank before the offset, which DuckDB refuses there, is dropped first). Otherwise the
    text is a local time and read as written, whatever the session's time zone. Only text that
    starts with a digit is cast: DuckDB reads the words infinity, -infinity and epoch as
    timestamps (an infinite last order date slipped past the as_of_date check).
#}
{% macro duckdb__crm_parse_iso_timestamp(expression) -%}
    case
        when not regexp_matches({{ expression }}, '^\s*\d') then null
        when regexp_matches({{ expression }}, ':\d\d(\.\d*)?\s*([A-Za-z]|[+-]\d)')
            then timezone(
                'UTC',
                try_cast(regexp_replace({{ expression }}, '\s+([+-]\d)', '\1') as timestamptz)
            )
        else try_cast({{ expression }} as timestamp)
    end
{%- endmacro %}

{% macro spark__crm_parse_timestamp(expression) %}
    {#- Spark parses with Java datetime patterns: each strftime format is translated. -#}
    {%- set formats = crm_date_formats() -%}
    {%- if formats is none -%}
        {{ return(crm_try_cast(expression, 'timestamp')) }}
    {%- endif -%}
    {%- set attempts = [] -%}
    {%- for format in formats -%}
        {%- do attempts.append(
            'try_to_timestamp(' ~ expression ~ ', '
            ~ crm_sql_string(crm_java_datetime_pattern(format)) ~ ')'
        ) -%}
    {%- endfor -%}
    {%- do attempts.append(crm_try_cast(expression, 'timestamp')) -%}
    {{ return('coalesce(' ~ attempts | join(', ') ~ ')') }}
{% endmacro %}


{# A strftime format ('%d/%m/%Y %H:%M') as a lenient Java pattern ("d/M/yyyy H:mm"). #}
{% macro crm_java_datetime_pattern(format) %}
    {%- set codes = {
        'Y': 'yyyy', 'y': 'yy', 'm': 'M', 'd': 'd', 'H': 'H', 'I': 'h', 'M': 'mm', 'S': 'ss',
        'f': 'SSSSSS', 'p': 'a', 'b': 'MMM', 'B': 'MMMM', 'j': 'D', '%': '%',
    } -%}
    {%- set parts = [] -%}
    {%- set state = {'escape': false} -%}
    {%- for char in format -%}
        {%- if state['escape'] -%}
            {%- if char not in codes -%}
                {{ exceptions.raise_compiler_error(
                    "crm_mining: date format code %" ~ char ~ " of '" ~ format
                    ~ "' is not supported on Spark (supported: %" ~ codes.keys() | join(', %')
                    ~ ")."
                ) }}
            {%- endif -%}
            {%- do parts.append(codes[char]) -%}
            {%- do state.update({'escape': false}) -%}
        {%- elif char == '%' -%}
            {%- do state.update({'escape': true}) -%}
        {%- elif char.isalpha() or char == "'" -%}
            {%- do parts.append("'" ~ ("''" if char == "'" else char) ~ "'") -%}
        {%- else -%}
            {%- do parts.append(char) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(parts | join('')) }}
{% endmacro %}
