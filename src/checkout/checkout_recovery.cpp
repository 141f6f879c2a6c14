// Checkout recovery: the saga's compensations and its last step, run for
// the attempts a crash or a failed write left open (checkout.h).
#include <limits>
#include <tuple>

#include "base/clock.h"
#include "cart/cart.h"
#include "checkout/checkout.h"
#include "checkout/checkout_store.h"
#include "config.h"
#include "events/outbox.h"
#include "inventory/inventory.h"
#include "orders/orders.h"
#include "payments/gateway.h"
#include "pricing/pricing_service.h"

namespace shopbox {
using json = nlohmann::json;

void Checkout::finish_order(const std::string& attempt_id, const std::string& order_id,
                            const std::string& reservation_id, const std::string& cart_owner,
                            const std::vector<OrderItem>& items) {
  std::string error;
  auto consumed = d_.inventory.consume(reservation_id, order_id);
  if (!consumed.ok()) {
    if (consumed.status().kind() == Kind::unavailable || consumed.status().kind() == Kind::internal) {
      std::fprintf(stderr, "checkout: consume %s for %s failed (%s); recovery will retry\n", reservation_id.c_str(),
                   order_id.c_str(), consumed.status().message().c_str());
      return;  // stays 'ordered'; recovery retries
    }
    // The reservation is gone (expired or released while the order was being
    // written): the paid order cannot be fulfilled from it. Cancel and refund.
    error = "reservation " + reservation_id + " not consumable: " + consumed.status().message();
    std::fprintf(stderr, "checkout: %s; cancelling %s with a refund\n", error.c_str(), order_id.c_str());
    auto c = d_.orders.cancel(order_id, "system", "stock reservation lapsed before the order completed", false);
    if (!c.ok()) {
      std::fprintf(stderr, "checkout: cancel of %s failed: %s\n", order_id.c_str(), c.status().message().c_str());
      return;
    }
  }
  std::vector<int64_t> ids;
  for (const auto& it : items) ids.push_back(it.variant_id);
  if (!cart_owner.empty()) {
    // A read first: most explicit-item orders have nothing in the cart to
    // clear, and a cart write costs an LMDB commit (an fsync).
    bool in_cart = false;
    if (auto cart = d_.cart.get(cart_owner); cart.ok())
      for (const auto& l : cart->items)
        for (int64_t id : ids) in_cart = in_cart || l.line.variant_id == id;
    // The order stands without it: the shopper sees the lines and can remove them.
    if (in_cart) log_if_failed(d_.cart.remove_lines(cart_owner, ids), "checkout: clearing purchased cart lines");
  }
  json low = json::array();
  if (error.empty())
    for (const auto& it : items) {
      auto lvl = d_.inventory.level(it.variant_id);
      if (lvl.available() <= lvl.low_stock_threshold)
        low.push_back({{"product_id", std::to_string(it.product_id)},
                       {"variant_id", std::to_string(it.variant_id)},
                       {"sku", it.sku},
                       {"available", lvl.available()},
                       {"threshold", lvl.low_stock_threshold}});
    }
  // Deferred durability (no sync of its own): if a crash loses this step,
  // the attempt is still 'ordered' and start-up recovery runs finish_order
  // again (consume and cart removal are idempotent).
  log_if_failed(d_.db.write_deferred([&](Connection& c) {
    checkout_store::update_attempt(c, attempt_id, AttemptStep::completed, "", "", error);
    for (const auto& l : low) outbox::append(c, "inventory.low", l);
    return Status::Ok();
  }),
                "checkout: marking the attempt completed (recovery finishes it again)");
}

Checkout::RecoveryReport Checkout::recover_stale(int64_t min_age_seconds) {
  return recover_attempts(now_seconds() - min_age_seconds, "stale; compensated by the sweeper");
}

Checkout::RecoveryReport Checkout::recover_attempts(int64_t updated_before, const char* when) {
  RecoveryReport rep;
  std::vector<CheckoutAttempt> open;
  Status read = d_.db.read([&](Connection& c) {
    open = checkout_store::unfinished_attempts(c);
    return Status::Ok();
  });
  if (!read.ok()) {
    log_if_failed(read, "recovery: reading unfinished checkouts (the next sweep retries)");
    return rep;
  }
  for (const auto& a : open) {
    if (a.updated_at >= updated_before) continue;  // may still be in flight
    auto order = d_.orders.find(a.order_id);
    if (!order.ok()) {
      // Unknown is not "no order": compensating a paid order would refund it.
      log_if_failed(order.status(), "recovery: reading an order (the next sweep retries)");
      continue;
    }
    if (*order) {
      // The order stands: only its last step may be missing.
      if (a.step == AttemptStep::ordered) {
        finish_order(a.id, a.order_id, a.reservation_id, a.cart_owner, (*order)->items);
        ++rep.finished;
      }
      continue;
    }
    // No order was written: give back whatever the attempt took.
    if (Status undone = undo_charge(a.id); !undone.ok()) {
      log_if_failed(undone, "recovery: giving back an attempt's charge (the next sweep retries)");
      continue;
    }
    if (!a.reservation_id.empty())
      log_if_failed(d_.inventory.release(a.reservation_id, "checkout interrupted").status_or_ok(),
                    "recovery: releasing a reservation (it expires by itself)");
    Status logged = d_.db.write([&](Connection& c) {
      checkout_store::update_attempt(c, a.id, AttemptStep::compensated, "", "", when);
      Pricing::release_attempt_uses(c, a.id, now_seconds());  // the discount uses it held
      // The client never got an answer: its retry with the key starts afresh.
      auto rec = checkout_store::get_idempotency(c, a.user_id, a.idempotency_key);
      if (rec && rec->status == "processing" && rec->attempt_id == a.id)
        checkout_store::delete_idempotency(c, a.user_id, a.idempotency_key);
      return Status::Ok();
    });
    if (!logged.ok()) {
      // Every step above is idempotent: the next sweep repeats them.
      log_if_failed(logged, "recovery: recording a compensation (the next sweep retries)");
      continue;
    }
    ++rep.compensated;
  }
  return rep;
}

Checkout::RecoveryReport Checkout::recover() {
  // Nothing is in flight before the first request: every attempt counts.
  RecoveryReport rep = recover_attempts(std::numeric_limits<int64_t>::max(), "interrupted; compensated at start-up");
  rep.finished += take_stock_for_restored_orders();
  return rep;
}

int Checkout::take_stock_for_restored_orders() {
  // Orders whose stock never left through their reservation (a data
  // directory restored from a backup taken while shoppers bought: the LMDB
  // copy predates the SQLite one). Active: consume it now. Gone: take the
  // stock directly, or cancel and refund when it is no longer there.
  // Flash-sale orders took their units when the sale was created, never
  // through a reservation (the store leaves them out).
  int finished = 0;
  auto awaiting = d_.orders.awaiting_stock();
  if (!awaiting.ok()) {
    // Start-up continues: the shop serves, and the next start looks again.
    log_if_failed(awaiting.status(), "recovery: reading orders whose stock never left");
    return finished;
  }
  std::vector<std::tuple<std::string, std::string, std::vector<OrderItem>>> orders;
  for (auto& o : *awaiting) {
    auto r = d_.inventory.reservation(o.reservation_id);
    if (r.ok() && r->status == ReservationStatus::consumed) continue;
    orders.push_back({o.id, o.reservation_id, std::move(o.items)});
  }
  for (auto& [oid, rid, items] : orders) {
    auto r = d_.inventory.reservation(rid);
    if (r.ok() && r->status == ReservationStatus::active && d_.inventory.consume(rid, oid).ok()) {
      ++finished;
      continue;
    }
    bool taken = true;
    std::vector<std::pair<int64_t, int64_t>> done;
    for (const auto& it : items) {
      if (!d_.inventory.adjust(it.variant_id, -it.quantity, "system", "order " + oid + ": stock taken at recovery")
               .ok()) {
        taken = false;
        break;
      }
      done.push_back({it.variant_id, it.quantity});
    }
    if (taken) {
      log_if_failed(d_.orders.note_stock_taken(oid), "recovery: noting stock taken for an order");
    } else {
      for (auto& [pid, q] : done)
        log_if_failed(d_.inventory.adjust(pid, q, "system", "order " + oid + ": undo partial take").status_or_ok(),
                      "recovery: giving back a partial stock take (shopbox check reports it)");
      log_if_failed(d_.orders.cancel(oid, "system", "stock no longer available after recovery", false).status_or_ok(),
                    "recovery: cancelling an order whose stock is gone");
    }
    ++finished;
  }
  return finished;
}

int64_t Checkout::purge_idempotency() {
  int64_t n = 0;
  int64_t before = now_seconds() - int64_t(d_.config.idempotency_retention_hours) * 3600;
  log_if_failed(d_.db.write([&](Connection& c) {
    n = checkout_store::purge_idempotency(c, before);
    return Status::Ok();
  }),
                "checkout: purging old idempotency records (the next sweep retries)");
  return n;
}

}  // namespace shopbox
