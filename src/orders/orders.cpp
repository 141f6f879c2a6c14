#include "orders/orders.h"

#include <algorithm>
#include <map>

#include "base/clock.h"
#include "base/crypto.h"
#include "config.h"
#include "events/outbox.h"
#include "inventory/inventory.h"
#include "payments/gateway.h"
#include "pricing/pricing.h"
#include "pricing/pricing_service.h"

namespace shopbox {
using json = nlohmann::json;

namespace {

// The order line a refund or return line names (orders.h RefundLine).
Result<const OrderItem*> find_line(const Order& o, const RefundLine& l) {
  const OrderItem* found = nullptr;
  for (const auto& it : o.items) {
    if (l.variant_id > 0 ? it.variant_id != l.variant_id : it.product_id != l.product_id) continue;
    if (found)
      return Status(Kind::invalid, "variant_required",
                    "this order holds several variants of product " + std::to_string(l.product_id) +
                        ": name the line by variant_id",
                    {{"field", "lines"}, {"product_id", std::to_string(l.product_id)}});
    found = &it;
  }
  if (!found) {
    std::string what =
        l.variant_id > 0 ? "variant " + std::to_string(l.variant_id) : "product " + std::to_string(l.product_id);
    return Status::Invalid(what + " is not in this order", {{"field", "lines"}});
  }
  return found;
}

// How refunds and returns store a line: lines stored before variants had
// no variant_id, and named the product's only variant (same id).
json stored_line(const OrderItem& it, int64_t quantity) {
  return {{"product_id", std::to_string(it.product_id)},
          {"variant_id", std::to_string(it.variant_id)},
          {"quantity", quantity}};
}
int64_t stored_variant(const json& l) {
  return std::stoll(l.value("variant_id", l["product_id"].get<std::string>()));
}
int64_t stored_quantity(const json& l) {
  return l["quantity"].get<int64_t>();
}

// What refunding `quantity` more units of `it` gives back: their share of
// what the line cost (pricing.h line_refund). A line kept its share of the
// discounts and tax at checkout; one stored before that shares the order's
// tax by subtotal (its orders had no discounts).
Cents line_refund_amount(const Order& o, const OrderItem& it, int64_t quantity) {
  Cents net = it.subtotal - it.discount;
  if (it.tax) {
    net += *it.tax;
  } else {
    Cents taxable = o.subtotal - o.discount;
    net += allocate(o.tax, {it.subtotal, taxable - it.subtotal}).front();
  }
  return line_refund(net, it.quantity, it.refunded_quantity, quantity);
}

}  // namespace

bool order_transition_allowed(OrderStatus from, OrderStatus to) {
  using S = OrderStatus;
  switch (from) {
    case S::pending:
    case S::pending_payment:
      return to == S::paid || to == S::cancelled;
    case S::paid:
      return to == S::shipped || to == S::cancelled || to == S::partially_refunded || to == S::refunded;
    case S::partially_refunded:
      return to == S::shipped || to == S::delivered || to == S::cancelled || to == S::partially_refunded ||
             to == S::refunded;
    case S::shipped:
      return to == S::delivered || to == S::partially_refunded || to == S::refunded;
    case S::delivered:
      return to == S::partially_refunded || to == S::refunded;
    case S::cancelled:
    case S::refunded:
      return false;
  }
  return false;
}

const char* action_name(OrderAction a) {
  switch (a) {
    case OrderAction::ship:
      return "ship";
    case OrderAction::add_tracking_event:
      return "add_tracking_event";
    case OrderAction::deliver:
      return "deliver";
    case OrderAction::cancel:
      return "cancel";
    case OrderAction::refund:
      return "refund";
    case OrderAction::request_return:
      return "request_return";
  }
  return "";
}

int64_t units_in_requested_returns(const std::vector<ReturnRecord>& returns, int64_t variant_id,
                                   int64_t except_return) {
  int64_t n = 0;
  for (const auto& r : returns) {
    if (r.status != "requested" || r.id == except_return) continue;
    for (const auto& l : r.lines)
      if (stored_variant(l) == variant_id) n += stored_quantity(l);
  }
  return n;
}

int64_t returnable_quantity(const Order& o, const std::vector<ReturnRecord>& returns, const OrderItem& it) {
  if (!o.delivered_at || o.status == OrderStatus::refunded || o.status == OrderStatus::cancelled) return 0;
  // Approved returns are refunded, so refunded_quantity counts them.
  return std::max<int64_t>(0, it.quantity - it.refunded_quantity - units_in_requested_returns(returns, it.variant_id));
}

bool order_action_allowed(const Order& o, const std::vector<ReturnRecord>& returns, OrderAction a) {
  // A partial refund leaves a shipped order on its way: partially_refunded
  // is a money state, so where the parcel is comes from shipped_at and
  // delivered_at, never from the status alone.
  bool in_transit = o.shipped_at && !o.delivered_at;
  switch (a) {
    case OrderAction::ship:
      return !o.shipped_at && order_transition_allowed(o.status, OrderStatus::shipped);
    case OrderAction::add_tracking_event:
      return in_transit && o.status != OrderStatus::refunded && o.status != OrderStatus::cancelled;
    case OrderAction::deliver:
      return in_transit && order_transition_allowed(o.status, OrderStatus::delivered);
    case OrderAction::cancel:
      return !o.shipped_at && order_transition_allowed(o.status, OrderStatus::cancelled);
    case OrderAction::refund:
      return o.total > o.refunded && (order_transition_allowed(o.status, OrderStatus::partially_refunded) ||
                                      order_transition_allowed(o.status, OrderStatus::refunded));
    case OrderAction::request_return:
      for (const auto& it : o.items)
        if (returnable_quantity(o, returns, it) > 0) return true;
      return false;
  }
  return false;
}

std::vector<OrderAction> order_actions(const Order& o, const std::vector<ReturnRecord>& returns) {
  std::vector<OrderAction> out;
  for (auto a : {OrderAction::ship, OrderAction::add_tracking_event, OrderAction::deliver, OrderAction::cancel,
                 OrderAction::refund, OrderAction::request_return})
    if (order_action_allowed(o, returns, a)) out.push_back(a);
  return out;
}

namespace {
Status action_refused(const Order& o, OrderAction a) {
  return Status::Conflict("invalid_transition",
                          "order " + o.id + " is " + status_name(o.status) + ": it cannot " + action_name(a) +
                              " now",
                          {{"status", status_name(o.status)}, {"requested", action_name(a)}});
}
Status order_not_found() {
  return Status::NotFound("order not found");
}
const std::string kCancelPrefix = "cancelled: ";
}  // namespace

Result<OrderDetails> Orders::get(const std::string& order_id, std::optional<int64_t> user_id) {
  OrderDetails d;
  bool found = false;
  Status st = db_.read([&](Connection& c) {
    auto o = order_store::get_order(c, order_id);
    if (!o || (user_id && o->user_id != *user_id)) return Status::Ok();
    found = true;
    d.order = std::move(*o);
    d.transactions = order_store::transactions(c, order_id);
    d.shipments = order_store::shipments(c, order_id);
    d.refunds = order_store::refunds(c, order_id);
    d.returns = order_store::returns_of(c, order_id);
    d.history = order_store::order_events(c, order_id);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  if (!found) return order_not_found();
  return d;
}

Result<int64_t> Orders::count_placed_since(const char* by, const std::string& value, int64_t since) {
  int64_t n = 0;
  Status read = db_.read([&](Connection& c) {
    n = order_store::count_orders_by(c, by, value, since);
    return Status::Ok();
  });
  if (!read.ok()) return read;
  return n;
}

Result<std::optional<Order>> Orders::find(const std::string& order_id) {
  std::optional<Order> o;
  Status read = db_.read([&](Connection& c) {
    o = order_store::get_order(c, order_id);
    return Status::Ok();
  });
  if (!read.ok()) return read;
  return o;
}

Result<std::vector<Order>> Orders::awaiting_stock() {
  std::vector<Order> out;
  Status read = db_.read([&](Connection& c) {
    for (const auto& [oid, rid] : order_store::orders_awaiting_stock(c))
      if (auto o = order_store::get_order(c, oid)) out.push_back(std::move(*o));
    return Status::Ok();
  });
  if (!read.ok()) return read;
  return out;
}

Status Orders::note_stock_taken(const std::string& order_id) {
  return db_.write([&](Connection& c) {
    if (auto o = order_store::get_order(c, order_id))
      order_store::set_status(c, order_id, o->status, o->status, "system", "stock taken at recovery");
    return Status::Ok();
  });
}

Result<std::vector<Order>> Orders::list(const OrderFilter& f, int64_t* total) {
  std::vector<Order> out;
  Status st = db_.read([&](Connection& c) {
    out = order_store::list_orders(c, f, total);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<OrderDetails> Orders::transition(const std::string& order_id, OrderAction action, OrderStatus to,
                                        const std::string& actor, const std::string& note,
                                        const std::function<void(Connection&, const Order&)>& extra) {
  Status st = db_.write([&](Connection& c) {
    auto o = order_store::get_order(c, order_id);
    if (!o) return order_not_found();
    if (!order_action_allowed(*o, order_store::returns_of(c, order_id), action)) return action_refused(*o, action);
    order_store::set_status(c, order_id, o->status, to, actor, note);
    if (extra) extra(c, *o);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return get(order_id);
}

Result<OrderDetails> Orders::ship(const std::string& order_id, const std::string& carrier, const std::string& tracking,
                                  const std::string& actor) {
  return transition(order_id, OrderAction::ship, OrderStatus::shipped, actor,
                    carrier + " " + tracking, [&](Connection& c, const Order& o) {
                      int64_t now = now_seconds();
                      int64_t sid = order_store::insert_shipment(c, order_id, carrier, tracking, now);
                      order_store::add_tracking_event(c, sid, {0, "shipped", "", "Shipped with " + carrier, now});
                      outbox::append(c, "order.shipped",
                                     {{"order_id", o.id},
                                      {"user_id", std::to_string(o.user_id)},
                                      {"carrier", carrier},
                                      {"tracking_number", tracking}});
                    });
}

Result<OrderDetails> Orders::add_tracking_event(const std::string& order_id, const TrackingEvent& e,
                                                const std::string& actor) {
  Status st = db_.write([&](Connection& c) {
    auto o = order_store::get_order(c, order_id);
    if (!o) return order_not_found();
    if (!order_action_allowed(*o, {}, OrderAction::add_tracking_event))
      return action_refused(*o, OrderAction::add_tracking_event);
    auto ships = order_store::shipments(c, order_id);
    if (ships.empty()) return Status::Conflict("not_shipped", "order " + order_id + " has not been shipped");
    order_store::add_tracking_event(c, ships.back().id, e);
    outbox::append(c, "order.tracking",
                   {{"order_id", o->id}, {"status", e.status}, {"location", e.location}, {"actor", actor}});
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return get(order_id);
}

Result<OrderDetails> Orders::deliver(const std::string& order_id, const std::string& actor) {
  // A shipped order that was partly refunded is still on its way: the rule
  // (order_action_allowed) looks at shipped_at, not only the status.
  return transition(
      order_id, OrderAction::deliver, OrderStatus::delivered, actor, "",
      [&](Connection& c, const Order& o) {
        int64_t now = now_seconds();
        auto ships = order_store::shipments(c, order_id);
        if (!ships.empty()) order_store::add_tracking_event(c, ships.back().id, {0, "delivered", "", "Delivered", now});
        order_store::mark_shipments_delivered(c, order_id, now);
        outbox::append(c, "order.delivered", {{"order_id", o.id}, {"user_id", std::to_string(o.user_id)}});
      });
}

Result<OrderDetails> Orders::cancel(const std::string& order_id, const std::string& actor, const std::string& reason,
                                    bool restock, std::optional<int64_t> user_id) {
  RefundSpec spec;
  spec.restock = restock;
  spec.reason = kCancelPrefix + reason;
  auto r = refund_impl(order_id, spec, actor, true, user_id);
  if (!r.ok()) return r.status();
  return get(order_id);
}

Result<RefundRecord> Orders::refund(const std::string& order_id, const RefundSpec& spec, const std::string& actor) {
  if (spec.reason.rfind(kCancelPrefix, 0) == 0) return Status::Invalid("reason must not start with 'cancelled: '");
  return refund_impl(order_id, spec, actor, false, std::nullopt);
}

namespace {
// What a refund gives back and which units it takes off the order.
struct RefundPlan {
  Cents amount = 0;
  json lines = json::array();
  std::vector<std::pair<int64_t, int64_t>> item_changes;  // order item id, units
};

// A refund by lines: each line's share of what it cost, never units
// already refunded or waiting in a return request (except the return
// `return_id` this refund approves: refunding them twice would pay twice).
Result<RefundPlan> plan_line_refund(const Order& o, const std::vector<ReturnRecord>& returns,
                                    const std::vector<RefundLine>& spec_lines, int64_t return_id) {
  RefundPlan plan;
  Cents lines_amount = 0;
  std::map<int64_t, int64_t> units;  // order item id -> units refunded by this refund
  for (const auto& l : spec_lines) {
    auto found = find_line(o, l);
    if (!found.ok()) return found.status();
    const OrderItem* item = *found;
    int64_t in_returns = units_in_requested_returns(returns, item->variant_id, return_id);
    int64_t refundable = item->quantity - item->refunded_quantity - in_returns - units[item->id];
    if (l.quantity < 1 || l.quantity > refundable) {
      std::string why = "at most " + std::to_string(std::max<int64_t>(refundable, 0)) + " of " + item->sku +
                        " can be refunded";
      if (in_returns > 0)
        why += " (" + std::to_string(in_returns) + " are in a return request: approve or reject it instead)";
      return Status(Kind::unprocessable, "refund_exceeds_quantity", why,
                    {{"product_id", std::to_string(item->product_id)},
                     {"variant_id", std::to_string(item->variant_id)},
                     {"refundable", std::max<int64_t>(refundable, 0)},
                     {"in_return_requests", in_returns}});
    }
    OrderItem counted = *item;
    counted.refunded_quantity += units[item->id];
    lines_amount += line_refund_amount(o, counted, l.quantity);
    units[item->id] += l.quantity;
    plan.lines.push_back(stored_line(*item, l.quantity));
    plan.item_changes.push_back({item->id, l.quantity});
  }
  // The refund that leaves no unit unrefunded gives back all that is left
  // (shipping and its tax too): refunding every line refunds exactly what
  // was captured.
  bool last = true;
  for (const auto& it : o.items)
    if (it.refunded_quantity + units[it.id] < it.quantity) last = false;
  Cents remaining = o.total - o.refunded;
  plan.amount = last ? remaining : std::min(lines_amount, remaining);
  return plan;
}

Result<RefundPlan> plan_refund(const Order& o, const std::vector<ReturnRecord>& returns, const RefundSpec& spec,
                               bool cancel, int64_t return_id) {
  Cents remaining = o.total - o.refunded;
  RefundPlan plan;
  if (cancel) {
    plan.amount = remaining;
    for (const auto& it : o.items) {
      int64_t q = it.quantity - it.refunded_quantity;
      if (q > 0) {
        plan.lines.push_back(stored_line(it, q));
        plan.item_changes.push_back({it.id, q});
      }
    }
  } else if (!spec.lines.empty()) {
    auto lines = plan_line_refund(o, returns, spec.lines, return_id);
    if (!lines.ok()) return lines.status();
    plan = std::move(*lines);
  } else if (spec.amount) {
    plan.amount = *spec.amount;
  } else {
    return Status::Invalid("give amount or lines", {{"field", "amount"}});
  }
  if (plan.amount <= 0 && !cancel) return Status::Invalid("refund amount must be positive", {{"field", "amount"}});
  if (plan.amount > remaining)
    return Status(Kind::unprocessable, "refund_exceeds_captured", "a refund can never exceed what was captured",
                  {{"captured", cents_to_json(o.total)},
                   {"refunded", cents_to_json(o.refunded)},
                   {"refundable", cents_to_json(remaining)}});
  return plan;
}
}  // namespace

Result<RefundRecord> Orders::refund_impl(const std::string& order_id, const RefundSpec& spec, const std::string& actor,
                                         bool cancel, std::optional<int64_t> user_id, int64_t return_id) {
  RefundRecord r;
  std::string charge_id;
  Status st = db_.write([&](Connection& c) {
    auto o = order_store::get_order(c, order_id);
    if (!o || (user_id && o->user_id != *user_id)) return order_not_found();
    auto returns = order_store::returns_of(c, order_id);
    OrderAction action = cancel ? OrderAction::cancel : OrderAction::refund;
    if (!order_action_allowed(*o, returns, action)) return action_refused(*o, action);
    Cents pending = 0;
    for (const auto& pr : order_store::refunds(c, order_id))
      if (pr.status == "pending") pending += pr.amount;
    if (pending > 0)
      return Status::Conflict("refund_pending", "a refund of this order is still pending; retry shortly");
    auto plan = plan_refund(*o, returns, spec, cancel, return_id);
    if (!plan.ok()) return plan.status();
    for (const auto& t : order_store::transactions(c, order_id))
      if (t.kind == "charge") charge_id = t.provider_id;
    int64_t now = now_seconds();
    r.id = "rf_" + random_hex(10);
    r.order_id = order_id;
    r.amount = plan->amount;
    r.lines = plan->lines;
    r.restock = spec.restock && !plan->lines.empty();
    r.reason = spec.reason;
    r.status = "pending";
    r.actor = actor;
    r.created_at = r.updated_at = now;
    if (r.amount == 0) {  // nothing left to refund (cancel of a fully refunded order is refused above)
      r.status = "succeeded";
    }
    // Approving a return and writing its refund are one transaction: the
    // second of two approvals finds the return decided and writes nothing.
    if (return_id != 0) {
      if (!order_store::decide_return(c, return_id, "approved", r.id, actor, "", now))
        return Status::Conflict("return_decided", "this return has already been decided");
      outbox::append(c, "return.decided",
                     {{"return_id", std::to_string(return_id)},
                      {"order_id", order_id},
                      {"status", "approved"},
                      {"refund_id", r.id},
                      {"lines", r.lines}});
    }
    auto& item_changes = plan->item_changes;
    order_store::insert_refund(c, r);
    for (auto& [item, q] : item_changes) order_store::add_item_counts(c, item, q, 0, 0);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  if (r.amount > 0) {
    auto g = payments_.refund(r.id, charge_id, r.amount);
    if (!g.ok()) {
      if (g.status().kind() == Kind::unavailable)
        return Status(Kind::unavailable, "refund_pending",
                      "the payment gateway is unavailable; the refund is recorded and will be retried",
                      {{"refund_id", r.id}});
      // The gateway said no: the refund is marked failed and its lines
      // refundable again. If that cannot be written the refund stays
      // 'pending' and recovery retries it at the gateway.
      log_if_failed(db_.write([&](Connection& c) {
        order_store::update_refund(c, r.id, "failed", "");
        // The gateway refused the money back: the return waits for a new
        // decision instead of showing "approved" with nothing refunded.
        if (return_id != 0) order_store::reopen_return(c, return_id);
        for (const auto& l : r.lines) {
          int64_t variant = stored_variant(l);
          auto o = order_store::get_order(c, r.order_id);
          for (const auto& it : o->items)
            if (it.variant_id == variant) order_store::add_item_counts(c, it.id, -stored_quantity(l), 0, 0);
        }
        return Status::Ok();
      }),
                    "orders: marking a declined refund failed (recovery retries it)");
      return g.status();
    }
    r.provider_refund_id = g->refund_id;
  }
  if (auto cst = complete_refund(r); !cst.ok()) return cst;
  restock(r);
  r.status = "succeeded";
  return r;
}

Status Orders::complete_refund(const RefundRecord& r) {
  return db_.write([&](Connection& c) {
    auto cur = order_store::get_refund(c, r.id);
    if (cur && cur->status == "succeeded" && cur->amount > 0) return Status::Ok();  // already done
    auto o = order_store::get_order(c, r.order_id);
    if (!o) return order_not_found();
    bool cancel = r.reason.rfind(kCancelPrefix, 0) == 0;
    Cents refunded = o->refunded + r.amount;
    order_store::update_refund(c, r.id, "succeeded", r.provider_refund_id);
    order_store::set_refunded(c, o->id, refunded);
    OrderStatus to = cancel                 ? OrderStatus::cancelled
                     : refunded >= o->total ? OrderStatus::refunded
                                            : OrderStatus::partially_refunded;
    if (to != o->status || to == OrderStatus::partially_refunded)
      order_store::set_status(c, o->id, o->status, to, r.actor, r.reason.empty() ? "refund " + r.id : r.reason);
    // A cancelled or wholly refunded order gives its discount uses back; a
    // partial refund keeps them (pricing_service.h).
    if (to == OrderStatus::cancelled || to == OrderStatus::refunded)
      Pricing::release_order_uses(c, o->id, now_seconds());
    if (r.amount > 0) {
      int64_t now = now_seconds();
      std::string charge_txn, method;
      for (const auto& t : order_store::transactions(c, o->id))
        if (t.kind == "charge") {
          charge_txn = t.id;
          method = t.method;
        }
      PaymentTransaction t{"txn_" + random_hex(10),
                           o->id,
                           "refund",
                           method,
                           payments_.name(),
                           r.provider_refund_id,
                           r.amount,
                           o->currency,
                           "completed",
                           r.id,
                           now,
                           now};
      order_store::insert_transaction(c, t, "refund " + r.id);
      if (!charge_txn.empty())
        order_store::set_transaction_status(c, charge_txn, refunded >= o->total ? "refunded" : "partially_refunded",
                                            r.amount, "refund " + r.id);
      outbox::append(c, "refund.created",
                     {{"refund_id", r.id},
                      {"order_id", o->id},
                      {"amount", cents_to_json(r.amount)},
                      {"currency", o->currency},
                      {"lines", r.lines}});
    }
    if (cancel)
      outbox::append(
          c, "order.cancelled",
          {{"order_id", o->id}, {"user_id", std::to_string(o->user_id)}, {"refunded", cents_to_json(r.amount)}});
    return Status::Ok();
  });
}

void Orders::restock(const RefundRecord& r) {
  if (!r.restock) return;
  bool done = false;
  Status read = db_.read([&](Connection& c) {
    auto cur = order_store::get_refund(c, r.id);
    done = cur && cur->restocked;
    return Status::Ok();
  });
  if (!read.ok()) {
    // Unknown is not "not restocked yet": restocking twice invents stock.
    log_if_failed(read, "orders: reading a refund before restocking (recovery retries)");
    return;
  }
  if (done) return;
  for (const auto& l : r.lines) {
    // A failed adjust is in the log and the audit trail shows what was
    // returned; the refund is still marked restocked, because repeating the
    // lines that did go back would invent stock.
    log_if_failed(
        inventory_
            .adjust(stored_variant(l), stored_quantity(l), r.actor, "restock: refund " + r.id + " of " + r.order_id)
            .status_or_ok(),
        "orders: restocking a refunded line (adjust the variant's stock by hand)");
  }
  log_if_failed(db_.write([&](Connection& c) {
    order_store::set_refund_restocked(c, r.id);
    auto o = order_store::get_order(c, r.order_id);
    for (const auto& l : r.lines) {
      int64_t variant = stored_variant(l);
      for (const auto& it : o->items)
        if (it.variant_id == variant) order_store::add_item_counts(c, it.id, 0, 0, stored_quantity(l));
    }
    return Status::Ok();
  }),
                "orders: marking a refund restocked (recovery would restock it again)");
}

Result<ReturnRecord> Orders::request_return(const std::string& order_id, int64_t user_id,
                                            const std::vector<RefundLine>& lines, const std::string& reason) {
  ReturnRecord r;
  Status st = db_.write([&](Connection& c) {
    auto o = order_store::get_order(c, order_id);
    if (!o || o->user_id != user_id) return order_not_found();
    auto returns = order_store::returns_of(c, order_id);
    if (!o->delivered_at || o->status == OrderStatus::refunded || o->status == OrderStatus::cancelled)
      return Status::Conflict("not_delivered", "only delivered orders can be returned",
                              {{"status", status_name(o->status)}});
    if (lines.empty()) return Status::Invalid("lines must not be empty", {{"field", "lines"}});
    json jl = json::array();
    std::vector<int64_t> seen;  // order item ids
    for (const auto& l : lines) {
      auto found = find_line(*o, l);
      if (!found.ok()) return found.status();
      const OrderItem* item = *found;
      if (std::find(seen.begin(), seen.end(), item->id) != seen.end())
        return Status(Kind::invalid, "duplicate_line", item->sku + " is listed twice: give each line once",
                      {{"field", "lines"}, {"variant_id", std::to_string(item->variant_id)}});
      seen.push_back(item->id);
      int64_t left = returnable_quantity(*o, returns, *item);
      if (l.quantity < 1 || l.quantity > left)
        return Status(Kind::unprocessable, "return_exceeds_quantity",
                      "at most " + std::to_string(left) + " of " + item->sku + " can be returned",
                      {{"product_id", std::to_string(item->product_id)},
                       {"variant_id", std::to_string(item->variant_id)},
                       {"returnable", left}});
      order_store::add_item_counts(c, item->id, 0, l.quantity, 0);
      jl.push_back(stored_line(*item, l.quantity));
    }
    r.order_id = order_id;
    r.user_id = user_id;
    r.lines = jl;
    r.reason = reason;
    r.status = "requested";
    r.created_at = now_seconds();
    r.id = order_store::insert_return(c, r);
    outbox::append(c, "return.requested", {{"return_id", std::to_string(r.id)}, {"order_id", order_id}, {"lines", jl}});
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return r;
}

Result<ReturnRecord> Orders::decide_return(int64_t return_id, bool approve, bool restock_items,
                                           const std::string& actor, const std::string& reason) {
  std::optional<ReturnRecord> ret;
  Status read = db_.read([&](Connection& c) {
    ret = order_store::get_return(c, return_id);
    return Status::Ok();
  });
  if (!read.ok()) return read;
  if (!ret) return Status::NotFound("return not found");
  if (ret->status != "requested") return Status::Conflict("return_decided", "return is already " + ret->status);
  if (!approve && reason.empty())
    return Status::Invalid("give a reason: the shopper reads why their return was rejected", {{"field", "reason"}});
  if (approve) {
    std::vector<RefundLine> lines;
    for (const auto& l : ret->lines)
      lines.push_back({std::stoll(l["product_id"].get<std::string>()), stored_quantity(l), stored_variant(l)});
    RefundSpec spec;
    spec.lines = lines;
    spec.restock = restock_items;
    spec.reason = "return " + std::to_string(return_id);
    auto r = refund_impl(ret->order_id, spec, actor, false, std::nullopt, return_id);
    if (!r.ok()) return r.status();
  } else {
    Status decided = db_.write([&](Connection& c) {
      if (!order_store::decide_return(c, return_id, "rejected", std::nullopt, actor, reason, now_seconds()))
        return Status::Conflict("return_decided", "this return has already been decided");
      // The units are the shopper's again: returnable and refundable.
      auto o = order_store::get_order(c, ret->order_id);
      for (const auto& l : ret->lines)
        for (const auto& it : o->items)
          if (it.variant_id == stored_variant(l)) order_store::add_item_counts(c, it.id, 0, -stored_quantity(l), 0);
      outbox::append(c, "return.decided",
                     {{"return_id", std::to_string(return_id)},
                      {"order_id", ret->order_id},
                      {"status", "rejected"},
                      {"reason", reason},
                      {"lines", ret->lines}});
      return Status::Ok();
    });
    if (!decided.ok()) return decided;
  }
  if (Status again = db_.read([&](Connection& c) {
        ret = order_store::get_return(c, return_id);
        return Status::Ok();
      });
      !again.ok())
    return again;
  if (!ret) return Status::NotFound("return not found");
  return *ret;
}

int Orders::recover() {
  std::vector<RefundRecord> work;
  if (Status read = db_.read([&](Connection& c) {
        work = order_store::refunds_needing_work(c);
        return Status::Ok();
      });
      !read.ok()) {
    log_if_failed(read, "recovery: reading refunds that need work (the next start retries)");
    return 0;
  }
  int n = 0;
  for (auto r : work) {
    if (r.status == "pending") {
      std::string charge_id;
      if (Status read = db_.read([&](Connection& c) {
            for (const auto& t : order_store::transactions(c, r.order_id))
              if (t.kind == "charge") charge_id = t.provider_id;
            return Status::Ok();
          });
          !read.ok()) {
        log_if_failed(read, "recovery: reading a refund's charge (the next start retries)");
        continue;
      }
      auto g = payments_.refund(r.id, charge_id, r.amount);
      if (!g.ok()) {
        std::fprintf(stderr, "recovery: refund %s still failing: %s\n", r.id.c_str(), g.status().message().c_str());
        continue;
      }
      r.provider_refund_id = g->refund_id;
      if (!complete_refund(r).ok()) continue;
    }
    restock(r);
    ++n;
  }
  return n;
}

void Orders::check_invariants(std::vector<std::string>& problems) {
  int64_t now = now_seconds();
  // A check that cannot read is a problem of its own, never a clean bill.
  auto checked = [&](const Status& st) {
    if (!st.ok()) problems.push_back("orders: cannot read the data to check: " + st.message());
  };
  // Every consumed reservation belongs to exactly one order (the one it names).
  std::vector<std::pair<std::string, std::string>> consumed;  // reservation, order
  checked(inventory_.for_each_reservation([&](const Reservation& r) {
    if (r.status == ReservationStatus::consumed) consumed.push_back({r.id, r.order_id});
    if (r.status == ReservationStatus::active && r.expires_at + 60 + 2 * int64_t(config_.sweep_interval_seconds) < now)
      problems.push_back("reservation " + r.id + " is still active " + std::to_string(now - r.expires_at) +
                         " s past its expiry");
  }));
  checked(db_.read([&](Connection& c) {
    for (const auto& [rid, oid] : consumed) {
      auto st = c.prepare("SELECT order_id FROM orders WHERE reservation_id = ?");
      st.bind(1, rid);
      int n = 0;
      bool match = false;
      while (st.step()) {
        ++n;
        match = match || st.text(0) == oid;
      }
      if (n != 1 || !match)
        problems.push_back("consumed reservation " + rid + " (order " + oid + ") belongs to " + std::to_string(n) +
                           " orders" + (n == 1 && !match ? " (a different one)" : ""));
    }
    return Status::Ok();
  }));
  checked(db_.read([&](Connection& c) {
    // Every order: exactly one charge, captured at the gateway for its total;
    // refunded equals its succeeded refunds.
    auto st = c.prepare(
        "SELECT o.order_id, o.total_cents, o.refunded_cents, o.status, o.reservation_id, "
        "(SELECT count(*) FROM payment_transactions t WHERE t.order_id = o.order_id AND t.kind = 'charge'), "
        "(SELECT provider_transaction_id FROM payment_transactions t WHERE t.order_id = o.order_id AND t.kind = "
        "'charge' LIMIT 1), "
        "(SELECT coalesce(sum(amount_cents), 0) FROM refunds r WHERE r.order_id = o.order_id AND r.status = "
        "'succeeded'), "
        "o.created_at, "
        "(SELECT count(*) FROM order_events e WHERE e.order_id = o.order_id AND e.note = 'stock taken at recovery') "
        "FROM orders o");
    while (st.step()) {
      std::string id = st.text(0);
      Cents total = st.int64(1), refunded = st.int64(2), refunds_sum = st.int64(7);
      std::optional<OrderStatus> status = parse_order_status(st.text(3));
      std::string rsv = st.text(4);
      if (st.int64(5) != 1)
        problems.push_back("order " + id + " has " + std::to_string(st.int64(5)) + " charge transactions (want 1)");
      if (refunded != refunds_sum)
        problems.push_back("order " + id + " refunded " + format_cents(refunded) + " but its refunds sum to " +
                           format_cents(refunds_sum));
      auto ch = payments_.charge(st.opt_text(6).value_or(""));
      if (!ch)
        problems.push_back("order " + id + " has no charge at the gateway");
      else if (ch->captured != total)
        problems.push_back("order " + id + " total " + format_cents(total) + " but gateway captured " +
                           format_cents(ch->captured));
      else if (ch->refunded != refunded)
        problems.push_back("order " + id + " refunded " + format_cents(refunded) + " but gateway refunded " +
                           format_cents(ch->refunded));
      // The order's stock left the shop through its reservation. Orders
      // younger than the in-flight window are skipped: their consume may be
      // under way (or, in a backup taken while shoppers bought, the LMDB copy
      // predates it; start-up recovery completes those). Flash-sale orders
      // ("flash:<token>") have no reservation: their units left stock when
      // the sale began.
      if (is_flash_order_reservation(rsv)) continue;
      bool settled = st.int64(8) < now - config_.reservation_ttl_seconds - 600;
      bool taken_at_recovery = st.int64(9) > 0;
      auto r = inventory_.reservation(rsv);
      if (!settled || taken_at_recovery) {
        if (r.ok() && r->status == ReservationStatus::consumed && r->order_id != id)
          problems.push_back("order " + id + ": reservation " + rsv + " was consumed by " + r->order_id);
      } else if (!r.ok())
        problems.push_back("order " + id + ": reservation " + rsv + " not found");
      else if (r->status == ReservationStatus::consumed && r->order_id != id)
        problems.push_back("order " + id + ": reservation " + rsv + " was consumed by " + r->order_id);
      else if (r->status != ReservationStatus::consumed && !(status == OrderStatus::cancelled && refunded == total))
        problems.push_back("order " + id + ": reservation " + rsv + " is " + status_name(r->status) +
                           " (want consumed)");
    }
    // Every captured gateway charge belongs to an order or is refunded
    // (charges of checkouts still in flight are skipped).
    auto g = c.prepare(
        "SELECT g.charge_id, g.idempotency_key, g.captured, g.refunded FROM gw_charges g "
        "WHERE g.captured > g.refunded AND NOT EXISTS (SELECT 1 FROM payment_transactions t "
        "WHERE t.kind = 'charge' AND t.provider_transaction_id = g.charge_id) "
        // Flash-sale orders written before they joined `orders` keep their
        // charge only in flash_orders (checked by FlashSales).
        "AND NOT EXISTS (SELECT 1 FROM flash_orders f WHERE f.charge_id = g.charge_id) "
        "AND NOT EXISTS (SELECT 1 FROM checkout_attempts a WHERE a.attempt_id = g.idempotency_key "
        "AND a.step IN ('started','reserved','charged') AND a.updated_at > ?)");
    g.bind(1, now - 600);
    while (g.step())
      problems.push_back("captured charge " + g.text(0) + " (" + format_cents(g.int64(2) - g.int64(3)) +
                         " unrefunded) belongs to no order");
    // Checkouts stuck half-way, idempotency keys stuck processing.
    auto a = c.prepare(
        "SELECT attempt_id, step FROM checkout_attempts WHERE step IN ('started','reserved','charged','ordered') AND "
        "updated_at < ?");
    a.bind(1, now - 600);
    while (a.step()) problems.push_back("checkout " + a.text(0) + " stuck at step " + a.text(1));
    auto k = c.prepare("SELECT count(*) FROM idempotency_keys WHERE status = 'processing' AND updated_at < ?");
    k.bind(1, now - 600);
    if (k.step() && k.int64(0) > 0)
      problems.push_back(std::to_string(k.int64(0)) + " idempotency keys stuck in processing");
    auto p = c.prepare("SELECT count(*) FROM refunds WHERE status = 'pending' AND updated_at < ?");
    p.bind(1, now - 600);
    if (p.step() && p.int64(0) > 0) problems.push_back(std::to_string(p.int64(0)) + " refunds stuck pending");
    return Status::Ok();
  }));
}

}  // namespace shopbox
