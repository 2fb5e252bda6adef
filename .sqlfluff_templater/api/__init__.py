"""Lint-time stand-in for dbt's `api` namespace (sqlfluff jinja templater only)."""


class Column:
    @staticmethod
    def translate_type(data_type: str) -> str:
        return data_type
