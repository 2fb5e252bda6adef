{#
    Setup of the integration tests (`dbt run-operation load_shop_tables --args
    '{source_dir: /abs/path/to/crm_mining/seeds}'`): stands in for the loader that fills a
    warehouse (Fivetran, Airbyte, a Spark job). Writes the bundled sample of crm_mining as
    typed tables in the schema raw_shop, as a shop's warehouse holds them: timestamps,
    dates, integers, decimals and doubles, text ids, a column named in upper case, order
    lines under another table name, and a load time column the contract does not know.
    A value its column's type cannot hold (the sample's 30 February, its quantity 'three')
    is null, as a typed load leaves it.
#}
{% macro load_shop_tables(source_dir) %}
    {%- set tables = {
        'orders': ['sample_orders', {
            'order_id': 'string', 'customer_id': 'string', 'order_date': 'timestamp'}],
        'order_lines': ['sample_order_items', {
            'order_id': 'string', 'product_id': 'string', 'quantity': 'int',
            'unit_price': 'decimal(10,2)'}],
        'customers': ['sample_customers', {
            'customer_id': 'string', 'signup_date': 'date', 'country': 'string'}],
        'products': ['sample_products', {
            'product_id': 'string', 'product_name': 'string', 'category': 'string',
            'list_price': 'double'}],
        'reviews': ['sample_reviews', {
            'review_id': 'string', 'customer_id': 'string', 'product_id': 'string',
            'review_date': 'date', 'rating': 'int', 'review_text': 'string'}],
    } -%}
    {%- set renamed = {'customer_id': 'Customer_ID'} -%}
    {%- set database = target.database or none -%}
    {%- do adapter.create_schema(api.Relation.create(database=database, schema='raw_shop')) -%}
    {%- for name, (file_name, columns) in tables.items() -%}
        {%- set relation = api.Relation.create(
            database=database, schema='raw_shop', identifier=name, type='table') -%}
        {%- set text_relation = relation.incorporate(path={'identifier': name ~ '_text'}) -%}
        {%- do adapter.drop_relation(relation) -%}
        {%- do adapter.drop_relation(text_relation) -%}
        {#- The file as text first: DuckDB would push the casts into its CSV reader. -#}
        {%- do run_query(
            'create table ' ~ text_relation ~ ' as select * from '
            ~ shop_csv_file(source_dir ~ '/' ~ file_name ~ '.csv')
        ) -%}
        {%- set typed = [] -%}
        {%- for column, data_type in columns.items() -%}
            {%- do typed.append(
                'try_cast(' ~ column ~ ' as ' ~ data_type ~ ') as '
                ~ (renamed[column] if name == 'customers' and column in renamed else column)
            ) -%}
        {%- endfor -%}
        {%- do run_query(
            'create table ' ~ relation ~ ' as select ' ~ typed | join(', ')
            ~ ', current_timestamp as _loaded_at from ' ~ text_relation
        ) -%}
        {%- do adapter.drop_relation(text_relation) -%}
        {{ log('load_shop_tables: ' ~ relation, info=true) }}
    {%- endfor -%}
{% endmacro %}


{# A CSV file (with a header) as a relation whose columns are all text. #}
{% macro shop_csv_file(path) %}
    {{ return(adapter.dispatch('shop_csv_file', 'crm_mining_integration_tests')(path)) }}
{% endmacro %}

{% macro duckdb__shop_csv_file(path) %}
    {{ return("read_csv('" ~ path ~ "', header = true, all_varchar = true)") }}
{% endmacro %}

{% macro spark__shop_csv_file(path) %}
    {%- do run_query(
        "create or replace temporary view shop_csv_file using csv options (path '" ~ path
        ~ "', header 'true', inferSchema 'false', multiLine 'true', escape '\"')"
    ) -%}
    {{ return('shop_csv_file') }}
{% endmacro %}
