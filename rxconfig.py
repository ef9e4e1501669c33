import reflex as rx

config = rx.Config(app_name="oms_dashboard", telemetry_enabled=False, show_built_with_reflex=False)
