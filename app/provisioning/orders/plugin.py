"""How the IT-order module plugs into the app: orders, people, order catalogues, the order API, and their
navigation entries."""

from __future__ import annotations

from pathlib import Path

from accounts import permissions
from app.kit.i18n import _
from app.kit.plugins import NavItem, Plugin
from app.provisioning.orders import (
    api_routes,
    cli,
    contractor_routes,
    contractors,
    group_api,
    group_routes,
    order_routes,
    people_routes,
    service_reports,
    waiver_routes,
)
from app.provisioning.orders.audited_objects import AUDITED_OBJECTS
from app.provisioning.orders.catalogue import routes as catalogue_routes
from app.provisioning.orders.demo import DEMO

PLUGIN = Plugin(
    name="orders",
    routes=[*api_routes.routes, *group_api.routes, *order_routes.routes, *people_routes.routes,
            *catalogue_routes.routes, *group_routes.routes, *waiver_routes.routes, *contractor_routes.routes],
    navigation=[
        NavItem(_("IT orders"), "/orders", permissions.ORDERS_PLACE, 300),
        NavItem(_("People"), "/orders/people", permissions.ORDERS_PLACE, 310),
        NavItem(_("Order catalogues"), "/orders/catalogues", permissions.ORDERS_CATALOGUES, 320),
        NavItem(_("To confirm"), "/orders/confirmations", permissions.ORDERS_CATALOGUES, 322),
        NavItem(_("Fulfilling groups"), "/orders/groups/kept", permissions.ORDERS_CATALOGUES, 325),
        NavItem(_("Main contractors"), "/orders/contractors", permissions.ORDERS_CATALOGUES, 327),
        NavItem(_("Work queues"), "/orders/groups", permissions.ORDERS_FULFIL, 330),
    ],
    jobs=[service_reports.JOB, contractors.JOB],
    template_dirs=[Path(__file__).resolve().parent / "templates"],
    commands=[cli.COMMAND],
    demo=DEMO,
    audit_objects=AUDITED_OBJECTS,
)
