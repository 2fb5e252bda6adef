{# The input contract: every input file the project reads, its layout and its columns. #}
{% macro crm_input_contract() %}
    {#-
        layout: which layout the file belongs to ('normalized', 'flat' or 'any').
        required: whether the layout fails without it.
        columns: columns that must be present when the file is present.
        optional_columns: columns read as null when the file lacks them.
    -#}
    {{ return({
        'orders': {
            'layout': 'normalized',
            'required': true,
            'columns': ['order_id', 'customer_id', 'order_date'],
            'optional_columns': [],
        },
        'order_items': {
            'layout': 'normalized',
            'required': true,
            'columns': ['order_id', 'product_id', 'quantity', 'unit_price'],
            'optional_columns': [],
        },
        'transactions': {
            'layout': 'flat',
            'required': true,
            'columns': [
                'order_id', 'customer_id', 'order_date',
                'product_id', 'quantity', 'unit_price',
            ],
            'optional_columns': ['product_name', 'category'],
        },
        'customers': {
            'layout': 'any',
            'required': false,
            'columns': ['customer_id'],
            'optional_columns': ['signup_date', 'country'],
        },
        'products': {
            'layout': 'any',
            'required': false,
            'columns': ['product_id'],
            'optional_columns': ['product_name', 'category', 'list_price'],
        },
        'reviews': {
            'layout': 'any',
            'required': false,
            'columns': ['review_id'],
            'optional_columns': [
                'customer_id', 'product_id', 'review_date', 'rating', 'review_text',
            ],
        },
    }) }}
{% endmacro %}
