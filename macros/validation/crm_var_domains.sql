{#-
    The domain of every var that the SQL reads as a number, declared once: `integer` (a whole
    number) or `number`, its minimum and maximum (none: unbounded), and whether null is allowed
    (it then switches something off). Models and macros read these vars through
    crm_checked_var; the on-run-start hook crm_check_vars checks them all before any node runs.
    Vars that only the Python models read are checked by their settings classes; rfm_bins at
    parse time (crm_rfm_bins); dates by crm_date_var; lists where they are read.
-#}
{% macro crm_var_domains() %}
    {{ return({
        'order_date_max_gap_days': {'kind': 'integer', 'minimum': 1, 'nullable': true},
        'reject_warn_share': {'kind': 'number', 'minimum': 0, 'maximum': 1},
        'reject_error_share': {'kind': 'number', 'minimum': 0, 'maximum': 1},
        'assoc_min_support': {'kind': 'number', 'minimum': 0, 'maximum': 1},
        'assoc_min_confidence': {'kind': 'number', 'minimum': 0, 'maximum': 1},
        'assoc_min_pair_count': {'kind': 'integer', 'minimum': 0},
        'reco_top_n': {'kind': 'integer', 'minimum': 1},
        'reco_history_max_products': {'kind': 'integer', 'minimum': 1},
        'reco_cf_neighbours': {'kind': 'integer', 'minimum': 1},
        'reco_cf_shrinkage': {'kind': 'number', 'minimum': 0},
        'reco_eval_max_customers': {'kind': 'integer', 'minimum': 1, 'nullable': true},
        'reco_min_gain_z': {'kind': 'number', 'minimum': 0},
        'segment_top_categories': {'kind': 'integer', 'minimum': 0},
        'churn_horizon_days': {'kind': 'integer', 'minimum': 1},
        'clv_horizon_days': {'kind': 'integer', 'minimum': 1},
    }) }}
{% endmacro %}


{#- Why the value of var `name` is outside its domain (crm_var_domains), or '' when it is not. -#}
{% macro crm_var_error(name) %}
    {%- set domain = crm_mining.crm_var_domains()[name] -%}
    {%- set value = var(name) -%}
    {%- set minimum = domain['minimum'] -%}
    {%- set maximum = domain.get('maximum') -%}
    {%- set nullable = domain.get('nullable', false) -%}
    {%- if value is none and nullable -%}
        {{ return('') }}
    {%- endif -%}
    {%- set is_number = value is number and value is not boolean -%}
    {%- set is_valid = is_number and (domain['kind'] == 'number' or value == value | int)
        and value >= minimum and (maximum is none or value <= maximum) -%}
    {%- if is_valid -%}
        {{ return('') }}
    {%- endif -%}
    {%- if domain['kind'] == 'integer' and minimum == 1 and maximum is none -%}
        {%- set expected = 'a positive integer' -%}
    {%- else -%}
        {%- set expected = ('an integer' if domain['kind'] == 'integer' else 'a number')
            ~ ' of ' ~ minimum ~ ' or more'
            ~ ('' if maximum is none else ' and ' ~ maximum ~ ' or less') -%}
    {%- endif -%}
    {{ return(
        'var ' ~ name ~ ' must be ' ~ expected ~ (', or null' if nullable else '')
        ~ ", got '" ~ value ~ "'."
    ) }}
{% endmacro %}


{#-
    The value of var `name` (one of crm_var_domains), as an integer for an integer var, or a
    compile error naming the var and the value. Checked when dbt executes (execute is true), not
    at parse or lint time, when vars may not be final: there an invalid value stands as the
    minimum, which nothing builds with.
-#}
{% macro crm_checked_var(name) %}
    {%- set domain = crm_mining.crm_var_domains()[name] -%}
    {%- set error = crm_mining.crm_var_error(name) -%}
    {%- if error and execute is sameas true -%}
        {{ exceptions.raise_compiler_error("crm_mining: " ~ error) }}
    {%- endif -%}
    {%- set value = domain['minimum'] if error else var(name) -%}
    {%- if value is none -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(value | int if domain['kind'] == 'integer' else value) }}
{% endmacro %}


{#-
    on-run-start: every var of crm_var_domains checked before any node runs, when the
    invocation runs crm_mining's models (a consumer's build of its own models is left alone), so
    that a bad value builds nothing; all the errors in one message.
-#}
{% macro crm_check_vars() %}
    {%- if execute -%}
        {%- set ours = [] -%}
        {%- for unique_id in selected_resources if unique_id.startswith('model.crm_mining.') -%}
            {%- do ours.append(unique_id) -%}
        {%- endfor -%}
        {%- set errors = [] -%}
        {%- for name in crm_mining.crm_var_domains() if ours -%}
            {%- set error = crm_mining.crm_var_error(name) -%}
            {%- if error -%}
                {%- do errors.append(error) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if errors -%}
            {{ exceptions.raise_compiler_error(
                "crm_mining: " ~ errors | length ~ " var(s) out of range, nothing was built: "
                ~ errors | join(' ')
            ) }}
        {%- endif -%}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}
