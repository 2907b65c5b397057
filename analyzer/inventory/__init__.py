"""The organisation-wide NHI inventory (DESIGN section 7): many repositories' models as
Parquet tables, cross-repository questions in SQL (DuckDB), Ray for the map at scale."""
