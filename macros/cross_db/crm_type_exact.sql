{#
    Exact types of the project (README "Types"): prices and amounts are DECIMAL from staging
    to the marts, so that sums are exact and rebuilds byte-identical on every engine.
    Input prices are read to 4 decimals and quantities to 3 (more digits are rounded half
    away from zero); a line amount, quantity * unit_price, is rounded to 4 decimals.
#}

{# A unit price or list price: up to 14 digits before the point, 4 after. #}
{% macro crm_type_price() %}
    {{ return('decimal(18, 4)') }}
{% endmacro %}

{# A quantity of units: up to 15 digits before the point, 3 after (0.5 kg, -2 returned). #}
{% macro crm_type_quantity() %}
    {{ return('decimal(18, 3)') }}
{% endmacro %}

{# A sum of quantities: 38 digits on every engine (Spark's sum widens by 10 digits only). #}
{% macro crm_type_quantity_total() %}
    {{ return('decimal(38, 3)') }}
{% endmacro %}

{# An amount of money (a line amount, a revenue, a spend): sums of any size stay exact. #}
{% macro crm_type_amount() %}
    {{ return('decimal(38, 4)') }}
{% endmacro %}

{# quantity * unit_price as an amount: the exact product (7 decimals), rounded once to 4. #}
{% macro crm_line_amount(quantity, unit_price) %}
    {{ return(adapter.dispatch('crm_line_amount', 'crm_mining')(quantity, unit_price)) }}
{% endmacro %}

{% macro default__crm_line_amount(quantity, unit_price) %}
    {#-
        The product of the input types is exact where an engine widens it to the sum of the
        precisions (Spark, Snowflake: DECIMAL(37, 7); Postgres: numeric). Wider operands are
        not: past 38 digits Spark cuts the product to 6 decimals, so the amount was rounded
        twice (0.001 * 0.0495 came out 0.0001 instead of 0.0000).
    -#}
    cast(
        cast({{ quantity }} as {{ crm_mining.crm_type_quantity() }})
        * cast({{ unit_price }} as {{ crm_mining.crm_type_price() }})
        as {{ crm_mining.crm_type_amount() }}
    )
{% endmacro %}

{% macro duckdb__crm_line_amount(quantity, unit_price) %}
    {#-
        DuckDB keeps the product of two DECIMAL(18)s at 18 digits, DECIMAL(18, 7), and raises an
        error past 11 digits before the point: large lines multiply 38-digit operands. Rounding
        that 128-bit product costs about 20 times the 64-bit one (1.1 s against 0.06 s for
        10 M lines), so lines with |quantity| and |unit_price| below 100,000 (a product below
        10^10) take the 64-bit path. Both give the same value.
    -#}
    case
        when abs({{ quantity }}) < 100000 and abs({{ unit_price }}) < 100000
            then cast(
                cast({{ quantity }} as decimal(18, 3)) * cast({{ unit_price }} as decimal(18, 4))
                as {{ crm_mining.crm_type_amount() }}
            )
        else cast(
            cast({{ quantity }} as decimal(38, 3)) * cast({{ unit_price }} as decimal(38, 4))
            as {{ crm_mining.crm_type_amount() }}
        )
    end
{% endmacro %}

{#- amount / count as an amount: rounded to 4 decimals half away from zero, exactly. -#}
{% macro crm_amount_ratio(amount, count) %}
    {#-
        Engines divide decimals in floating point (DuckDB) or with their own scale rules, so
        the quotient of |amount| / count is a first guess g, off by many steps of 0.0001 once
        |amount| passes about 10^12 (a double's 16 digits). The exact remainder
        |amount| - g * count, divided by count (a small number, so its division is accurate),
        brings the guess q to within one step; exact decimal comparisons then make r the
        multiple of 0.0001 with (r - 0.00005) * count <= |amount| < (r + 0.00005) * count.
        count must be positive.
    -#}
    {%- set magnitude = 'abs(' ~ amount ~ ')' -%}
    {%- set amount_type = crm_mining.crm_type_amount() -%}
    {%- set first_guess = 'cast(' ~ magnitude ~ ' / ' ~ count ~ ' as ' ~ amount_type ~ ')' -%}
    {%- set guess = '(' ~ first_guess ~ ' + cast((' ~ magnitude ~ ' - ' ~ first_guess ~ ' * '
        ~ count ~ ') / ' ~ count ~ ' as ' ~ amount_type ~ '))' -%}
    cast(
        case when {{ amount }} < 0 then -1 else 1 end
        * case
            when ({{ guess }} - 0.00005) * {{ count }} > {{ magnitude }}
                then {{ guess }} - 0.0001
            when ({{ guess }} + 0.00005) * {{ count }} <= {{ magnitude }}
                then {{ guess }} + 0.0001
            else {{ guess }}
        end
        as {{ amount_type }}
    )
{%- endmacro %}

{# A share in [0, 1] (a customer's recall) held to 15 decimals: sums of them are exact. #}
{% macro crm_type_share() %}
    {{ return('decimal(28, 15)') }}
{% endmacro %}
