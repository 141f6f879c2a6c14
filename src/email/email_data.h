// What each email's template receives: the data built from an order, a
// user, a wishlist notification or a cart (the template variables are
// listed in docs/email.md). Pure functions of plain records.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "base/money.h"
#include "config.h"
#include "orders/order.h"

namespace shopbox {

// "$84.99", "€12.00", "84.99 CHF".
std::string email_money(Cents cents, const std::string& currency);
// Money given in JSON major units (an event payload's "amount").
std::string email_money_json(const nlohmann::json& amount, const std::string& currency);
// "#1001"; the order id when the order has no number yet.
std::string email_order_number(const Order& o);
// The carrier's public tracking page for UPS, USPS, FedEx and DHL; "" for
// any other carrier (the email then shows the number alone).
std::string tracking_url(const std::string& carrier, const std::string& tracking_number);
// Percent-encodes a URL query value.
std::string email_url_encode(const std::string& s);

// The order's number, customer, lines, totals and address, and `order_url`.
nlohmann::json order_email_data(const Order& o, const std::string& order_url);
// Lines of a refund or return (stored order lines: name, quantity).
nlohmann::json email_lines(const nlohmann::json& stored_lines, const Order& o);

}  // namespace shopbox
