from clientpm.customers.models import Customer


def test_create_and_list_customer_through_api(api, account_manager):
    client = api(account_manager)
    response = client.post(
        "/api/v1/customers",
        {"name": "华东示例科技有限公司", "province": "31"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == "C-000001"
    assert body["owner"]["id"] == account_manager.pk
    listing = client.get("/api/v1/customers?q=华东").json()
    assert listing["count"] == 1
    assert Customer.objects.get().name == "华东示例科技有限公司"
