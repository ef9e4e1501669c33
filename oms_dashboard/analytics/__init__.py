"""KPI facts (DataFrames from ``services.kpis``) turned into plotly figures."""
