"""Products, created by admins or by a seller for itself."""

from __future__ import annotations

from fastapi import APIRouter

from oms_dashboard.api.deps import EngineDep, require_role
from oms_dashboard.api.problems import responses
from oms_dashboard.api.schemas import ProductCreate, ProductOut
from oms_dashboard.domain.money import format_minor
from oms_dashboard.models import Product
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.catalog import NewProduct, create_product

router = APIRouter(tags=["catalog"])


@router.post(
    "/api/v1/products",
    status_code=201,
    response_model=ProductOut,
    responses=responses(401, 403, 409, 422),
)
def post_product(
    body: ProductCreate,
    engine: EngineDep,
    actor: Actor = require_role(Role.ADMIN, Role.SELLER),
) -> ProductOut:
    """Its stock starts at 0 (`PUT /inventory/{sku}` to count it).
    403 for another seller's `seller_id`; 409 `sku-exists` when the sku is taken."""
    product = create_product(engine, actor=actor, new=NewProduct(**body.model_dump()))
    return product_out(product)


def product_out(product: Product) -> ProductOut:
    data = product.model_dump(exclude={"price_minor"})
    return ProductOut(**data, price=format_minor(product.price_minor, product.currency))
