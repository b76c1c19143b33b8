from clientpm.customers.services import customer_create


def test_customer_pages_render(web, account_manager):
    customer = customer_create(actor=account_manager, name="示例客户", owner=account_manager, tags=["VIP"])
    client = web(account_manager)
    assert "示例客户" in client.get("/customers/").content.decode()
    assert client.get(f"/customers/{customer.pk}/").status_code == 200
    assert client.get(f"/customers/{customer.pk}/history/").status_code == 200
    assert client.get("/customers/new/").status_code == 200
    assert client.get(f"/customers/{customer.pk}/edit/").status_code == 200
    assert client.get("/accounts/tokens/").status_code == 200
    assert client.get("/accounts/profile/").status_code == 200
