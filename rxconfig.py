import reflex as rx

config = rx.Config(
    app_name="oms_dashboard",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(
                accent_color="indigo",
                gray_color="slate",
                radius="medium",
                scaling="100%",
                appearance="light",
            )
        ),
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
