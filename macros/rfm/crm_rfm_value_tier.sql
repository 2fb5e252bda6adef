{#- The value tier (high / medium / low) of a customer from its F and M scores on 1..5. -#}
{% macro crm_rfm_value_tier(f_score_on_5, m_score_on_5, monetary) %}
    {#- See the doc block value_tier in models/marts/rfm/_rfm__docs.md. -#}
    case
        when {{ monetary }} <= 0 then 'low'
        when {{ f_score_on_5 }} + {{ m_score_on_5 }} >= 8 then 'high'
        when {{ f_score_on_5 }} + {{ m_score_on_5 }} >= 5 then 'medium'
        else 'low'
    end
{% endmacro %}
