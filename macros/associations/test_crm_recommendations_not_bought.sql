{#- Data test: no customer is recommended a product they already bought (or returned). -#}
{% test crm_recommendations_not_bought(model, basket_model, lines_model=none) %}
    {#-
        Fails with the recommendations of a product found in one of the customer's baskets,
        or, with lines_model (customer_id, product_id, quantity), on one of their return lines.
    -#}
    with

    recommendations as (
        select * from {{ model }}
    ),

    baskets as (
        select * from {{ basket_model }}
    ),

    taken as (
        select
            customer_id,
            product_id
        from baskets
        {%- if lines_model is not none %}
        union
        select
            customer_id,
            product_id
        from {{ lines_model }}
        where quantity < 0
        {%- endif %}
    )

    select distinct
        recommendations.customer_id,
        recommendations.product_id
    from recommendations
    inner join taken
        on
            recommendations.customer_id = taken.customer_id
            and recommendations.product_id = taken.product_id
{% endtest %}
