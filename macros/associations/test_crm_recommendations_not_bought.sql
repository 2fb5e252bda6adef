{#- Data test: no customer is recommended a product they already bought. -#}
{% test crm_recommendations_not_bought(model, basket_model) %}
    {#-
        Fails with the recommendations of a product found in one of the customer's baskets.
    -#}
    with

    recommendations as (
        select * from {{ model }}
    ),

    baskets as (
        select * from {{ basket_model }}
    )

    select distinct
        recommendations.customer_id,
        recommendations.product_id
    from recommendations
    inner join baskets
        on
            recommendations.customer_id = baskets.customer_id
            and recommendations.product_id = baskets.product_id
{% endtest %}
