// The checkout workflow built from its parts, with no App and no HTTP: a
// real database, inventory, catalog and cart, the test gateway behind a
// wrapper that injects a fault at each step, and the saga's promise checked
// after every one: a failed checkout keeps no money and no stock, and the
// shopper's retry with the same key buys exactly once.
#include <catch2/catch.hpp>

#include "cart/cart.h"
#include "cart/cart_store.h"
#include "catalog/catalog.h"
#include "checkout/checkout.h"
#include "config.h"
#include "inventory/inventory.h"
#include "orders/orders.h"
#include "payments/test_gateway.h"
#include "pricing/pricing_service.h"
#include "schema.h"
#include "support/test_shop.h"
#include "users/addresses.h"
#include "users/payment_methods.h"

using namespace shopbox;

namespace {

// The test gateway, with faults switched on by the test.
class FaultyGateway : public PaymentGateway {
 public:
  explicit FaultyGateway(PaymentGateway& real) : real_(real) {}
  bool decline = false;       // the card is declined
  bool down = false;          // the gateway answers 502 before charging
  bool lose_answer = false;   // the charge happens, its answer never arrives
  bool refunds_fail = false;  // refunds are refused
  void heal() { decline = down = lose_answer = refunds_fail = false; }

  std::string name() const override { return real_.name(); }
  Result<CardToken> tokenize(const CardInput& card, const std::string& owner) override {
    return real_.tokenize(card, owner);
  }
  std::optional<CardToken> token_info(const std::string& token) override { return real_.token_info(token); }
  Result<GatewayCharge> authorize(const std::string& key, const PaymentSource& source, Cents amount,
                                  const std::string& currency, bool capture) override {
    if (decline) return Status(Kind::payment_failed, "card_declined", "Your card was declined");
    if (down) return Status(Kind::unavailable, "gateway_error", "gateway answered 502");
    auto made = real_.authorize(key, source, amount, currency, capture);
    if (lose_answer) return Status(Kind::unavailable, "gateway_timeout", "no answer");
    return made;
  }
  Result<GatewayCharge> capture(const std::string& key, const std::string& charge_id, Cents amount) override {
    return real_.capture(key, charge_id, amount);
  }
  Result<GatewayCharge> void_charge(const std::string& charge_id) override { return real_.void_charge(charge_id); }
  Result<GatewayRefund> refund(const std::string& key, const std::string& charge_id, Cents amount) override {
    if (refunds_fail) return Status(Kind::unavailable, "gateway_error", "refunds are down");
    return real_.refund(key, charge_id, amount);
  }
  Result<std::optional<GatewayCharge>> lookup(const std::string& key) override { return real_.lookup(key); }
  std::optional<GatewayCharge> charge(const std::string& charge_id) override { return real_.charge(charge_id); }
  std::vector<GatewayRefund> refunds(const std::string& charge_id) override { return real_.refunds(charge_id); }

 private:
  PaymentGateway& real_;
};

struct Workflow {
  testing::TempDir dir;
  Config config;
  std::unique_ptr<Sqlite> db;
  std::unique_ptr<Lmdb> kv;
  std::unique_ptr<Inventory> inventory;
  std::unique_ptr<Catalog> catalog;
  std::unique_ptr<Pricing> pricing;
  std::unique_ptr<Cart> cart;
  std::unique_ptr<TestGateway> test_gateway;
  std::unique_ptr<FaultyGateway> gateway;
  std::unique_ptr<Orders> orders;
  std::unique_ptr<Addresses> addresses;
  std::unique_ptr<PaymentMethods> methods;
  std::unique_ptr<Checkout> checkout;
  int64_t product_id = 0;

  Workflow() {
    db = std::move(Sqlite::open(dir.path() + "/shop.db", all_migrations()).value());
    std::vector<std::string> dbs = kInventoryDbs;
    dbs.insert(dbs.end(), kCartDbs.begin(), kCartDbs.end());
    kv = std::move(Lmdb::open(dir.path() + "/kv", 64 << 20, dbs).value());
    inventory = std::make_unique<Inventory>(*kv, config);
    catalog = std::make_unique<Catalog>(*db, *inventory, config);
    pricing = std::make_unique<Pricing>(*db, config);
    cart = std::make_unique<Cart>(*kv, *catalog, *inventory, *pricing, config);
    test_gateway = std::make_unique<TestGateway>(*db, 0, 3000);
    gateway = std::make_unique<FaultyGateway>(*test_gateway);
    orders = std::make_unique<Orders>(*db, *inventory, *gateway, config);
    addresses = std::make_unique<Addresses>(*db);
    methods = std::make_unique<PaymentMethods>(*db, *gateway);
    checkout = std::make_unique<Checkout>(Checkout::Dependencies{*db, *inventory, *catalog, *cart, *gateway, *orders,
                                                                 *addresses, *methods, *pricing, config});
    Product p;
    p.name = "Enamel Teapot";
    p.sku = "teapot-1";
    p.price = 3000;
    auto made = catalog->create_product(p, 5, "test");
    REQUIRE(made.ok());
    product_id = made->id;
  }

  CheckoutResponse buy(const std::string& key, int64_t quantity = 2) {
    CheckoutRequest req;
    req.user_id = 7;
    req.idempotency_key = key;
    req.client_ip = "10.0.0.7";
    req.items = {{product_id, quantity}};
    req.shipping.given = {{"name", "Ada Shopper"}, {"street", "1 Main St"}, {"city", "Seattle"},
                          {"state", "WA"},         {"zip", "98101"},        {"country", "US"}};
    req.payment.source = PaymentChoice::Source::card;
    req.payment.card = {"4242424242424242", 12, 2099, "123"};
    return checkout->place_order(req);
  }
  int64_t count(const char* sql) {
    int64_t n = 0;
    REQUIRE(db->read([&](Connection& c) {
                auto st = c.prepare(sql);
                if (st.step()) n = st.int64(0);
                return Status::Ok();
              }).ok());
    return n;
  }
  // The promise after a failed checkout.
  void nothing_kept() {
    CHECK(count("SELECT count(*) FROM orders") == 0);
    CHECK(count("SELECT count(*) FROM gw_charges WHERE captured > refunded") == 0);
    CHECK(inventory->level(product_id).total == 5);
    CHECK(inventory->level(product_id).reserved == 0);
  }
  // The retry with the same key, once the fault is gone, buys exactly once.
  void retry_buys_once(const std::string& key) {
    gateway->heal();
    auto r = buy(key);
    INFO(r.body.dump());
    CHECK(r.status == 201);
    CHECK(buy(key).replayed);
    CHECK(count("SELECT count(*) FROM orders") == 1);
    CHECK(count("SELECT count(*) FROM gw_charges WHERE captured > refunded") == 1);
    CHECK(inventory->level(product_id).total == 3);
    std::vector<std::string> problems;
    inventory->check_invariants(problems);
    orders->check_invariants(problems);
    for (const auto& p : problems) UNSCOPED_INFO(p);
    CHECK(problems.empty());
  }
};

}  // namespace

TEST_CASE("checkout steps: each fault is compensated and the retry buys once", "[checkout][unit]") {
  Workflow w;

  SECTION("reserve: not enough stock is a stored 409, nothing charged") {
    auto r = w.buy("k-stock", 6);
    CHECK(r.status == 409);
    CHECK(r.body["error"]["code"] == "out_of_stock");
    w.nothing_kept();
    CHECK(w.buy("k-stock", 6).replayed);  // a definitive answer, replayed
  }
  SECTION("charge: a decline is a stored 402, the stock goes back") {
    w.gateway->decline = true;
    auto r = w.buy("k-decline");
    CHECK(r.status == 402);
    CHECK(r.body["error"]["details"]["decline_code"] == "card_declined");
    w.nothing_kept();
    CHECK(w.buy("k-decline").replayed);
  }
  SECTION("charge: the gateway is down, the key stays free for the retry") {
    w.gateway->down = true;
    auto r = w.buy("k-down");
    CHECK(r.status == 503);
    CHECK(r.body["error"]["code"] == "payment_unavailable");
    w.nothing_kept();
    w.retry_buys_once("k-down");
  }
  SECTION("charge: the card was charged but the answer was lost, so the charge is given back") {
    w.gateway->lose_answer = true;
    auto r = w.buy("k-lost");
    CHECK(r.status == 503);
    CHECK(w.count("SELECT count(*) FROM gw_charges") == 1);  // it did happen...
    w.nothing_kept();                                        // ...and was refunded
    w.retry_buys_once("k-lost");
  }
  SECTION("write_order: the order cannot be stored, so the money and the stock go back") {
    REQUIRE(w.db->write([](Connection& c) {
                  c.exec_script(
                      "CREATE TRIGGER no_orders BEFORE INSERT ON orders BEGIN SELECT RAISE(ABORT, 'full'); END;");
                  return Status::Ok();
                })
                .ok());
    auto r = w.buy("k-write");
    CHECK(r.status != 201);
    CHECK(r.body.contains("error"));
    w.nothing_kept();
    REQUIRE(w.db->write([](Connection& c) {
                  c.exec_script("DROP TRIGGER no_orders;");
                  return Status::Ok();
                })
                .ok());
    w.retry_buys_once("k-write");
  }
  SECTION("a charge that cannot be given back keeps the attempt open; recovery gives it back") {
    w.gateway->lose_answer = true;
    w.gateway->refunds_fail = true;
    auto r = w.buy("k-stuck");
    CHECK(r.status == 503);
    // The money is still with the shop, and the attempt says so.
    CHECK(w.count("SELECT count(*) FROM gw_charges WHERE captured > refunded") == 1);
    CHECK(w.count("SELECT count(*) FROM checkout_attempts WHERE step = 'charged'") == 1);
    CHECK(w.inventory->level(w.product_id).reserved == 0);
    w.gateway->heal();
    auto rep = w.checkout->recover();
    CHECK(rep.compensated == 1);
    w.nothing_kept();
    w.retry_buys_once("k-stuck");
  }
}

TEST_CASE("checkout recovery finishes an order whose last step a crash cut off", "[checkout][unit][recovery]") {
  Workflow w;
  auto r = w.buy("k-ok");
  REQUIRE(r.status == 201);
  // As if the process died between the order and its last step: the
  // attempt says 'ordered', and the reservation is still active.
  std::string attempt;
  REQUIRE(w.db->write([&](Connection& c) {
                auto st = c.prepare("SELECT attempt_id FROM checkout_attempts");
                if (st.step()) attempt = st.text(0);
                c.prepare("UPDATE checkout_attempts SET step = 'ordered'").exec();
                return Status::Ok();
              })
              .ok());
  auto rep = w.checkout->recover();
  CHECK(rep.finished == 1);
  CHECK(rep.compensated == 0);
  CHECK(w.count("SELECT count(*) FROM checkout_attempts WHERE step = 'completed'") == 1);
  CHECK(w.inventory->level(w.product_id).total == 3);  // taken once, not twice
}
