{#-
    A date var (as_of_date, min_order_date) as ISO text (YYYY-MM-DD), or none when it is
    unset; anything else is a compile error naming the var and the value. YAML reads an
    unquoted 2024-02-01 as a date, which is accepted as its ISO text. Checked when dbt
    executes, not at parse or lint time, when vars may not be final: there an invalid value
    stands as 1970-01-01, which nothing builds with. An engine's own cast would not do: DuckDB
    rejects 01/02/2024, but Spark without ANSI mode casts it to null, and the build would stop
    on "no valid order" instead.
-#}
{% macro crm_date_var(name) %}
    {%- set value = var(name) -%}
    {%- if value is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set text = value | string -%}
    {%- set is_valid = modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', text) is not none -%}
    {%- if is_valid -%}
        {%- set year, month, day = text.split('-') | map('int') | list -%}
        {%- set is_valid = 1 <= month <= 12 and year >= 1 -%}
        {%- if is_valid -%}
            {#- the month's last day: the day before the first of the next month -#}
            {%- set next_month = modules.datetime.date(year + month // 12, month % 12 + 1, 1) -%}
            {%- set last_day = (next_month - modules.datetime.timedelta(days=1)).day -%}
            {%- set is_valid = 1 <= day <= last_day -%}
        {%- endif -%}
    {%- endif -%}
    {%- if execute is sameas true and not is_valid -%}
        {{ exceptions.raise_compiler_error(
            "crm_mining: var " ~ name ~ " must be a date written YYYY-MM-DD"
            ~ " (e.g. 2024-02-01), got '" ~ text ~ "'."
        ) }}
    {%- endif -%}
    {{ return(text if is_valid else '1970-01-01') }}
{% endmacro %}

{#- The var as_of_date, checked (crm_date_var). -#}
{% macro crm_as_of_date_var() %}
    {{ return(crm_date_var('as_of_date')) }}
{% endmacro %}
