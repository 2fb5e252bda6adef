{#- The named RFM segment of a customer from its recency and frequency scores on 1..5. -#}
{% macro crm_rfm_segment(r_score_on_5, f_score_on_5) %}
    {#-
        A complete partition of the 5 x 5 grid of (R, F) scores; see the doc block
        rfm_segment in models/marts/rfm/_rfm__docs.md for the grid.
    -#}
    {%- set r = r_score_on_5 -%}
    {%- set f = f_score_on_5 -%}
    case
        when {{ r }} = 5 and {{ f }} >= 4 then 'Champions'
        when {{ r }} between 3 and 4 and {{ f }} >= 4 then 'Loyal'
        when {{ r }} >= 4 and {{ f }} between 2 and 3 then 'Potential Loyalists'
        when {{ r }} = 5 and {{ f }} = 1 then 'New Customers'
        when {{ r }} = 4 and {{ f }} = 1 then 'Promising'
        when {{ r }} = 3 and {{ f }} = 3 then 'Need Attention'
        when {{ r }} = 3 and {{ f }} <= 2 then 'About to Sleep'
        when {{ r }} <= 2 and {{ f }} = 5 then {{ crm_mining.crm_text_literal("Can't Lose Them") }}
        when {{ r }} <= 2 and {{ f }} between 3 and 4 then 'At Risk'
        when {{ r }} = 2 and {{ f }} <= 2 then 'Hibernating'
        when {{ r }} = 1 and {{ f }} <= 2 then 'Lost'
    end
{% endmacro %}
