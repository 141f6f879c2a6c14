#include <catch2/catch.hpp>

#include "app.h"
#include "base/clock.h"
#include "inventory/inventory.h"
#include "support/test_shop.h"

using namespace shopbox;

namespace {
struct Env {
  testing::TempDir dir;
  Config cfg;
  std::unique_ptr<Lmdb> kv;
  std::unique_ptr<Inventory> inv;
  Env() {
    auto k = Lmdb::open(dir.path() + "/kv", 64 << 20, kInventoryDbs);
    REQUIRE(k.ok());
    kv = std::move(k.value());
    inv = std::make_unique<Inventory>(*kv, cfg);
  }
  ~Env() { set_clock_offset(0); }
  std::vector<std::string> problems() {
    std::vector<std::string> p;
    inv->check_invariants(p);
    return p;
  }
};
}  // namespace

TEST_CASE("reserve is all-or-nothing and names every short line", "[unit][inventory]") {
  Env e;
  REQUIRE(e.inv->set_total(1, 5, "test", "count").ok());
  REQUIRE(e.inv->set_total(2, 1, "test", "count").ok());
  REQUIRE(e.inv->set_total(3, 10, "test", "count").ok());
  size_t audit_before = 0;
  e.inv->audit(1, 0, 100, "", &audit_before);

  auto r = e.inv->reserve({{1, 3}, {2, 2}, {3, 1}, {4, 1}}, "g:abc");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().kind() == Kind::conflict);
  CHECK(r.status().code() == "out_of_stock");
  auto items = r.status().details()["items"];
  REQUIRE(items.size() == 2);
  CHECK(items[0]["variant_id"] == "2");
  CHECK(items[0]["requested"] == 2);
  CHECK(items[0]["available"] == 1);
  CHECK(items[1]["variant_id"] == "4");
  CHECK(items[1]["available"] == 0);
  // Nothing changed: no stock held, no audit record written.
  CHECK(e.inv->level(1).reserved == 0);
  CHECK(e.inv->level(3).reserved == 0);
  size_t audit_after = 0;
  e.inv->audit(1, 0, 100, "", &audit_after);
  CHECK(audit_after == audit_before);

  auto ok = e.inv->reserve({{1, 3}, {3, 1}, {1, 2}}, "g:abc");  // product 1 twice: merged to 5
  REQUIRE(ok.ok());
  CHECK(ok->status == ReservationStatus::active);
  REQUIRE(ok->lines.size() == 2);
  CHECK(ok->lines[0].quantity == 5);
  CHECK(e.inv->level(1).available() == 0);
  CHECK(e.inv->level(1).reserved == 5);
  CHECK(e.inv->level(3).available() == 9);
  CHECK(ok->expires_at - ok->created_at == e.cfg.reservation_ttl_seconds);
  auto audit = e.inv->audit(1, 0, 10, "reserve");
  REQUIRE(audit.size() == 1);
  CHECK(audit[0].quantity_change == -5);
  CHECK(audit[0].before_available == 5);
  CHECK(audit[0].after_available == 0);
  CHECK(audit[0].reservation_id == ok->id);
  CHECK(e.problems().empty());
}

TEST_CASE("reserve rejects bad lines without touching stock", "[unit][inventory]") {
  Env e;
  REQUIRE(e.inv->set_total(1, 5, "test", "count").ok());
  CHECK(e.inv->reserve({}, "o").status().kind() == Kind::invalid);
  CHECK(e.inv->reserve({{1, 0}}, "o").status().kind() == Kind::invalid);
  CHECK(e.inv->reserve({{1, -1}}, "o").status().kind() == Kind::invalid);
  CHECK(e.inv->reserve({{1, e.cfg.max_quantity_per_line + 1}}, "o").status().kind() == Kind::invalid);
  CHECK(e.inv->reserve({{0, 1}}, "o").status().kind() == Kind::invalid);
  CHECK(e.inv->reserve({{1, 1}}, "").status().kind() == Kind::invalid);
  CHECK(e.inv->reserve({{1, 1}}, "o", 8 * 24 * 3600).status().kind() == Kind::invalid);
  CHECK(e.inv->level(1).reserved == 0);
  CHECK(e.inv->set_total(1, -1, "t", "r").status().kind() == Kind::invalid);
}

TEST_CASE("consume and release are idempotent and move stock exactly once", "[unit][inventory]") {
  Env e;
  REQUIRE(e.inv->set_total(7, 10, "test", "count").ok());
  auto r = e.inv->reserve({{7, 4}}, "u:1");
  REQUIRE(r.ok());

  auto c1 = e.inv->consume(r->id, "ord_1");
  REQUIRE(c1.ok());
  CHECK(c1->status == ReservationStatus::consumed);
  CHECK(e.inv->level(7).total == 6);
  CHECK(e.inv->level(7).reserved == 0);
  auto c2 = e.inv->consume(r->id, "ord_1");  // retry of the same order
  REQUIRE(c2.ok());
  CHECK(e.inv->level(7).total == 6);
  auto other = e.inv->consume(r->id, "ord_2");
  CHECK(other.status().code() == "reservation_not_active");
  auto rel = e.inv->release(r->id, "late");
  CHECK(rel.status().code() == "reservation_consumed");
  CHECK(e.inv->level(7).total == 6);
  CHECK(e.inv->audit(7, 0, 100, "consume").size() == 1);

  auto r2 = e.inv->reserve({{7, 6}}, "u:1");
  REQUIRE(r2.ok());
  CHECK(e.inv->level(7).available() == 0);
  REQUIRE(e.inv->release(r2->id, "payment declined").ok());
  auto again = e.inv->release(r2->id, "retry");
  REQUIRE(again.ok());
  CHECK(again->status == ReservationStatus::released);
  CHECK(again->reason == "payment declined");
  CHECK(e.inv->level(7).available() == 6);
  CHECK(e.inv->level(7).reserved == 0);
  CHECK(e.inv->audit(7, 0, 100, "release").size() == 1);
  CHECK(e.inv->consume(r2->id, "ord_3").status().code() == "reservation_not_active");

  CHECK(e.inv->consume("rsv_0000000000000000", "o").status().kind() == Kind::not_found);
  CHECK(e.inv->release("nonsense", "o").status().kind() == Kind::not_found);
  CHECK(e.inv->consume(r2->id, "").status().kind() == Kind::invalid);
  CHECK(e.problems().empty());
}

TEST_CASE("expired reservations return their stock: sweeper and lazy expiry", "[unit][inventory]") {
  Env e;
  REQUIRE(e.inv->set_total(1, 10, "test", "count").ok());
  auto a = e.inv->reserve({{1, 3}}, "g:a", 60);
  auto b = e.inv->reserve({{1, 2}}, "g:b", 600);
  auto c = e.inv->reserve({{1, 1}}, "g:c", 60);
  REQUIRE((a.ok() && b.ok() && c.ok()));
  CHECK(e.inv->sweep_expired() == 0);
  CHECK(e.inv->level(1).available() == 4);

  set_clock_offset(61);
  // consume() of an overdue reservation expires it on the spot.
  auto late = e.inv->consume(c->id, "ord_x");
  CHECK(late.status().code() == "reservation_not_active");
  CHECK(e.inv->reservation(c->id)->status == ReservationStatus::expired);
  CHECK(e.inv->level(1).available() == 5);

  CHECK(e.inv->sweep_expired() == 1);  // a; b is not due yet
  CHECK(e.inv->reservation(a->id)->status == ReservationStatus::expired);
  CHECK(e.inv->reservation(b->id)->status == ReservationStatus::active);
  CHECK(e.inv->level(1).available() == 8);
  CHECK(e.inv->level(1).reserved == 2);
  auto audit = e.inv->audit(1, 0, 10, "expire");
  REQUIRE(audit.size() == 2);
  CHECK(audit[0].quantity_change == 3);
  CHECK(e.inv->sweep_expired() == 0);
  CHECK(e.inv->release(a->id, "x")->status == ReservationStatus::expired);  // idempotent, no double return
  CHECK(e.inv->level(1).reserved == 2);
  CHECK(e.problems().empty());
}

TEST_CASE("the stock total cannot drop below what is reserved", "[unit][inventory]") {
  Env e;
  REQUIRE(e.inv->set_total(1, 10, "test", "count").ok());
  REQUIRE(e.inv->reserve({{1, 8}}, "o").ok());
  CHECK(e.inv->set_total(1, 7, "t", "r").status().code() == "stock_reserved");
  CHECK(e.inv->adjust(1, -3, "t", "r").status().code() == "stock_reserved");
  CHECK(e.inv->adjust(1, -2, "t", "r").ok());
  CHECK(e.inv->level(1).available() == 0);
  CHECK(e.inv->adjust(1, 5, "t", "restock").ok());
  CHECK(e.inv->level(1).available() == 5);
  CHECK(e.problems().empty());
}

TEST_CASE("check_invariants reports damaged stock records", "[unit][inventory]") {
  Env e;
  REQUIRE(e.inv->set_total(1, 10, "test", "count").ok());
  REQUIRE(e.inv->reserve({{1, 4}}, "o").ok());
  REQUIRE(e.problems().empty());
  REQUIRE(e.kv->write([&](WriteTxn& txn) {
                inventory_store::put(txn, *e.kv, 1, StockLevel{3, 5, 10});  // reserved > total, != active
                return Status::Ok();
              })
              .ok());
  auto p = e.problems();
  REQUIRE(p.size() == 1);
  CHECK(p[0].find("breaks 0 <= reserved <= total") != std::string::npos);
  REQUIRE(e.kv->write([&](WriteTxn& txn) {
                inventory_store::put(txn, *e.kv, 1, StockLevel{10, 5, 10});  // 5 reserved, active reservations hold 4
                return Status::Ok();
              })
              .ok());
  p = e.problems();
  REQUIRE(p.size() == 1);
  CHECK(p[0].find("reserved 5 but active reservations hold 4") != std::string::npos);
}

TEST_CASE("low-stock list pages through stocked products", "[unit][inventory]") {
  Env e;
  for (int i = 1; i <= 30; ++i) REQUIRE(e.inv->set_total(i, i, "t", "count").ok());
  size_t total = 0;
  auto low = e.inv->list(shopbox::StockFilter::low, 0, 5, &total);
  CHECK(total == 10);  // 1..10 are at or below the default threshold 10
  REQUIRE(low.size() == 5);
  CHECK(low[0].variant_id == 1);
  auto page2 = e.inv->list(shopbox::StockFilter::low, 5, 5, &total);
  CHECK(page2.front().variant_id == 6);
  CHECK(e.inv->list(shopbox::StockFilter::low, 10, 5, &total).empty());
  REQUIRE(e.inv->set_threshold(30, 40).ok());
  e.inv->list(shopbox::StockFilter::low, 0, 100, &total);
  CHECK(total == 11);
  e.inv->list(shopbox::StockFilter::all, 0, 100, &total);
  CHECK(total == 30);
  // Sold out: nothing available, whatever the alert level.
  REQUIRE(e.inv->set_total(31, 0, "t", "count").ok());
  auto sold_out = e.inv->list(shopbox::StockFilter::sold_out, 0, 100, &total);
  REQUIRE(total == 1);
  CHECK(sold_out.front().variant_id == 31);
}

TEST_CASE("start-up recovery returns stock of reservations that expired while down", "[unit][inventory]") {
  testing::TempDir dir;
  Config cfg;
  cfg.data_dir = dir.path();
  cfg.lmdb_map_size_mb = 64;
  cfg.sqlite_synchronous = "NORMAL";
  std::string id;
  {
    auto app = App::open(cfg);
    REQUIRE(app.ok());
    REQUIRE((*app)->inventory->set_total(5, 10, "t", "count").ok());
    auto r = (*app)->inventory->reserve({{5, 7}}, "g:x", 30);
    REQUIRE(r.ok());
    id = r->id;
  }
  set_clock_offset(31);
  {
    auto app = App::open(cfg);
    REQUIRE(app.ok());
    CHECK((*app)->inventory->level(5).reserved == 7);
    REQUIRE((*app)->recover().ok());
    CHECK((*app)->inventory->level(5).reserved == 0);
    CHECK((*app)->inventory->reservation(id)->status == ReservationStatus::expired);
  }  // ~App stops the sweeper thread
  set_clock_offset(0);
}
