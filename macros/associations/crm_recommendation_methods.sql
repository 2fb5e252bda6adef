{#- The recommendation methods of each target, simplest first, and the one a var forces. -#}
{% macro crm_recommendation_methods() %}
    {#-
        Returns {target: [methods, simplest first]}: new_products (the lists of
        fct_customer_recommendations) and repeat_purchases (fct_customer_buy_again). The order
        breaks ties in fct_recommendation_evaluation.
    -#}
    {{ return({
        'new_products': ['popularity', 'association_rules', 'item_cf', 'blend'],
        'repeat_purchases': ['popularity', 'buy_again'],
    }) }}
{% endmacro %}

{% macro crm_forced_recommendation_method(target) %}
    {#-
        The method a var forces for target (reco_method for new_products,
        reco_buy_again_method for repeat_purchases), none when the var is null; a compilation
        error names the allowed methods when the var holds another value.
    -#}
    {%- set forced = var('reco_method') if target == 'new_products'
        else var('reco_buy_again_method') %}
    {%- set allowed = crm_recommendation_methods()[target] %}
    {%- if forced is not none and forced not in allowed %}
        {{ exceptions.raise_compiler_error(
            "crm_mining: the method '" ~ forced ~ "' forced for " ~ target
            ~ " is not one of " ~ allowed | join(', ')
        ) }}
    {%- endif %}
    {{ return(forced) }}
{% endmacro %}

{% macro crm_recommendation_method_rows(target=none, exclude=[]) %}
    {#-
        A select (usable as a CTE body) with one row per target and method:
        recommendation_target, method, simplicity_rank (1 = the simplest), is_forced. Only the
        methods of target when given, without those in exclude.
    -#}
    {%- set rows = [] %}
    {%- for method_target, methods in crm_recommendation_methods().items()
        if target is none or method_target == target %}
        {%- set forced = crm_forced_recommendation_method(method_target) %}
        {%- for method in methods %}
            {%- if method not in exclude %}
                {%- set _ = rows.append((method_target, method, loop.index, method == forced)) %}
            {%- endif %}
        {%- endfor %}
    {%- endfor %}
    {%- for method_target, method, simplicity_rank, is_forced in rows %}
    select
        '{{ method_target }}' as recommendation_target,
        '{{ method }}' as method,
        {{ simplicity_rank }} as simplicity_rank,
        {{ 'true' if is_forced else 'false' }} as is_forced
        {%- if not loop.last %}
    union all
        {%- endif %}
    {%- endfor %}
{% endmacro %}

{% macro crm_method_component_rows() %}
    {#-
        A select (usable as a CTE body) with one row per new-product method and the method
        whose list it needs: itself, and for the blend the three lists it fuses.
    -#}
    {%- set rows = [
        ('popularity', 'popularity'),
        ('association_rules', 'association_rules'),
        ('item_cf', 'item_cf'),
        ('blend', 'popularity'),
        ('blend', 'association_rules'),
        ('blend', 'item_cf'),
    ] %}
    {%- for method, component in rows %}
    select
        '{{ method }}' as method,
        '{{ component }}' as component_method
        {%- if not loop.last %}
    union all
        {%- endif %}
    {%- endfor %}
{% endmacro %}
