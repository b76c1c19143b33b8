"""A real browser logs in, creates a customer with a contact and finds it in the filtered list."""

from __future__ import annotations

import pytest

from clientpm.accounts import roles
from clientpm.accounts.services import user_create
from clientpm.customers.models import Contact, Customer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_create_customer_with_contact_and_find_it(live_server, page):
    user_create(
        actor=None,
        username="lin",
        password="pw-Secret-123",
        roles=[roles.ACCOUNT_MANAGER],
        display_name="Lin",
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "lin")
    page.fill("#id_password", "pw-Secret-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/customers/")

    page.click("text=New customer")
    page.fill("#id_name", "华东区域实施客户有限公司")
    page.select_option("#id_province", "31")
    page.select_option("#id_tier", "key")
    page.fill("#id_email", "not-an-email")
    page.click("button:has-text('Save')")
    # Bad input: the field error is shown next to the field and the typed name is kept.
    assert page.locator("#id_email ~ .invalid-feedback").is_visible()
    assert page.input_value("#id_name") == "华东区域实施客户有限公司"
    page.fill("#id_email", "info@huadong.example.com")
    page.click("button:has-text('Save')")
    page.wait_for_selector("[data-testid=customer-name]")
    assert page.text_content("[data-testid=customer-name]") == "华东区域实施客户有限公司"

    page.click("text=Add contact")
    page.fill("#id_name", "王敏")
    page.fill("#id_mobile", "13812345678")
    page.check("#id_is_primary")
    page.click("button:has-text('Save')")
    page.wait_for_selector("text=王敏")

    page.goto(f"{live_server.url}/customers/")
    page.select_option("#f-province", "31")
    page.fill("#f-q", "华东")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=**")
    rows = page.locator("[data-testid=customer-table] tbody tr")
    rows.first.wait_for()
    assert rows.count() == 1
    assert "华东区域实施客户有限公司" in rows.first.text_content()

    customer = Customer.objects.get()
    assert (customer.province, customer.tier) == ("31", "key")
    contact = Contact.objects.get()
    assert (contact.customer_id, contact.name, contact.is_primary) == (customer.pk, "王敏", True)
