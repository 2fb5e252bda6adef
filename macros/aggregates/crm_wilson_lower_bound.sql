{#- The lower end of the Wilson score interval of a share: a share that small samples cannot inflate. -#}
{% macro crm_wilson_lower_bound(share, count) %}
    {#-
        share: a column or expression in [0, 1], the share of `count` observations. Returns the
        lower end of its 95 % Wilson score interval (Wilson 1927), with z = 1.959963984540054
        (the normal distribution's 97.5 % quantile) and n = count:
        (p + z²/2n - z sqrt(p(1 - p)/n + z²/4n²)) / (1 + z²/n); 0 when the share is 0 (where
        the formula gives 0 up to rounding), null when count is 0 or the share is null. Sorting
        by it ranks a share of 1 over 1 observation (0.21) below 45 of 50 (0.79).
    -#}
    {%- set z = 1.959963984540054 %}
    {%- set n = 'cast(' ~ count ~ ' as ' ~ crm_mining.crm_type_double() ~ ')' %}
    case
        when {{ count }} > 0 and {{ share }} = 0 then 0.0
        when {{ count }} > 0 then
            (
                {{ share }} + {{ z * z }} / (2 * {{ n }})
                - {{ z }} * sqrt(
                    {{ share }} * (1 - {{ share }}) / {{ n }}
                    + {{ z * z }} / (4 * {{ n }} * {{ n }})
                )
            )
            / (1 + {{ z * z }} / {{ n }})
    end
{% endmacro %}
