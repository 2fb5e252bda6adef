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
    {%- set formats = crm_date_formats() -%}
    {%- if formats is none -%}
        {{ return(crm_try_cast(expression, 'timestamp')) }}
    {%- endif -%}
    {%- set literals = [] -%}
    {%- for format in formats -%}
        {%- do literals.append(crm_sql_string(format)) -%}
    {%- endfor -%}
    {{ return(
        'coalesce(try_strptime(' ~ expression ~ ', [' ~ literals | join(', ') ~ ']), '
        ~ crm_try_cast(expression, 'timestamp') ~ ')'
    ) }}
{% endmacro %}

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
