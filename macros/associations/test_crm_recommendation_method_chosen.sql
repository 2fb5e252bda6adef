{#- Data test: a recommendation mart uses the method its evaluation chose, on every row. -#}
{% test crm_recommendation_method_chosen(model, recommendation_target) %}
    {#-
        Fails with the rows of model whose method is not the one fct_recommendation_evaluation
        marks is_chosen for recommendation_target (new_products, repeat_purchases).
    -#}
    with

    recommendations as (
        select * from {{ model }}
    ),

    recommendation_evaluation as (
        select * from {{ ref('fct_recommendation_evaluation') }}
    ),

    chosen_method as (
        select method
        from recommendation_evaluation
        where recommendation_target = '{{ recommendation_target }}' and is_chosen
    )

    select recommendations.*
    from recommendations
    left join chosen_method
        on recommendations.method = chosen_method.method
    where chosen_method.method is null
{% endtest %}
