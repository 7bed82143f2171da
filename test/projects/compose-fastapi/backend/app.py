"""A products API, as the FastAPI half of such a repository has it."""
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

app = FastAPI()


class Product(BaseModel):
    id: int
    name: str
    price: float
    stock_quantity: int


products = {
    1: Product(id=1, name="apple", price=0.5, stock_quantity=100),
    2: Product(id=2, name="banana", price=0.6, stock_quantity=50),
}


@app.get("/products")
def list_products():
    return list(products.values())


@app.get("/products/{product_id}")
def get_product(product_id: int):
    if product_id not in products:
        raise HTTPException(status_code=404, detail="Product not found")
    return products[product_id]


@app.post("/products")
def add_product(product: Product):
    products[product.id] = product
    return product
