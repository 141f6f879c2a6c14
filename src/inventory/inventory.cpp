#include "inventory/inventory.h"

#include <algorithm>
#include <map>

#include "base/clock.h"
#include "base/crypto.h"

namespace shopbox {
namespace {

StockLevel stored_or_empty(const Txn& txn, Lmdb& kv, int64_t variant_id, const Config& config) {
  return inventory_store::get(txn, kv, variant_id).value_or(StockLevel{0, 0, config.low_stock_threshold});
}

// Returns a reservation's stock ("release" or "expire"): reserved drops by
// each line, with one audit record per line. The caller stores the record.
void give_back(WriteTxn& txn, Lmdb& kv, const Config& config, const Reservation& r, const std::string& action,
               const std::string& actor, const std::string& reason) {
  for (const auto& l : r.lines) {
    StockLevel before = stored_or_empty(txn, kv, l.variant_id, config);
    StockLevel after = before;
    // Never below zero even if the data were damaged; check_invariants reports that.
    after.reserved = std::max<int64_t>(0, before.reserved - l.quantity);
    inventory_store::put(txn, kv, l.variant_id, after);
    inventory_store::append_audit(txn, kv,
                                  {l.variant_id, 0, action, after.available() - before.available(), before.available(),
                                   after.available(), before.total, after.total, reason, actor, r.id, 0});
  }
}

void expire_in_txn(WriteTxn& txn, Lmdb& kv, const Config& config, Reservation r, int64_t now) {
  Reservation previous = r;
  give_back(txn, kv, config, r, "expire", "system", "reservation expired");
  r.status = ReservationStatus::expired;
  r.updated_at = now;
  inventory_store::put_reservation(txn, kv, r, &previous);
}

}  // namespace

bool valid_reservation_id(const std::string& id) {
  if (id.size() != 20 || id.compare(0, 4, "rsv_") != 0) return false;
  return std::all_of(id.begin() + 4, id.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

StockLevel Inventory::level(int64_t variant_id) {
  ReadTxn txn(kv_);
  return stored_or_empty(txn, kv_, variant_id, config_);
}

std::vector<StockLevel> Inventory::levels(const std::vector<int64_t>& variant_ids) {
  std::vector<StockLevel> out;
  out.reserve(variant_ids.size());
  ReadTxn txn(kv_);
  for (int64_t id : variant_ids) out.push_back(stored_or_empty(txn, kv_, id, config_));
  return out;
}

int64_t Inventory::available_in(const Txn& txn, int64_t variant_id) {
  auto l = inventory_store::get(txn, kv_, variant_id);
  return l ? std::max<int64_t>(0, l->available()) : 0;
}

Result<StockLevel> Inventory::set_total(int64_t variant_id, int64_t total, const std::string& actor,
                                        const std::string& reason) {
  if (total < 0) return Status::Invalid("stock must not be negative", {{"field", "total"}});
  StockLevel after;
  Status st = kv_.write([&](WriteTxn& txn) {
    auto before = stored_or_empty(txn, kv_, variant_id, config_);
    if (total < before.reserved)
      return Status::Conflict("stock_reserved", "total cannot drop below the reserved quantity",
                              {{"total", before.total}, {"reserved", before.reserved}});
    after = before;
    after.total = total;
    inventory_store::put(txn, kv_, variant_id, after);
    inventory_store::append_audit(txn, kv_,
                                  {variant_id, 0, "set", total - before.total, before.available(), after.available(),
                                   before.total, after.total, reason, actor, "", 0});
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return after;
}

Result<StockLevel> Inventory::adjust_in(WriteTxn& txn, int64_t variant_id, int64_t delta, const std::string& actor,
                                        const std::string& reason) {
  auto before = stored_or_empty(txn, kv_, variant_id, config_);
  if (before.total + delta < before.reserved)
    return Status::Conflict("stock_reserved", "adjustment would drop stock below the reserved quantity",
                            {{"total", before.total}, {"reserved", before.reserved}});
  if (before.total + delta > 1'000'000'000)
    return Status::Invalid("stock would exceed 1000000000", {{"field", "delta"}});
  StockLevel after = before;
  after.total += delta;
  inventory_store::put(txn, kv_, variant_id, after);
  inventory_store::append_audit(txn, kv_,
                                {variant_id, 0, "adjust", delta, before.available(), after.available(), before.total,
                                 after.total, reason, actor, "", 0});
  return after;
}

Result<StockLevel> Inventory::adjust(int64_t variant_id, int64_t delta, const std::string& actor,
                                     const std::string& reason) {
  StockLevel after;
  Status st = kv_.write([&](WriteTxn& txn) {
    auto r = adjust_in(txn, variant_id, delta, actor, reason);
    if (!r.ok()) return r.status();
    after = *r;
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return after;
}

Result<StockLevel> Inventory::take_in(WriteTxn& txn, int64_t variant_id, int64_t quantity, const std::string& actor,
                                      const std::string& reason) {
  auto level = stored_or_empty(txn, kv_, variant_id, config_);
  if (level.available() < quantity)
    return Status::Conflict("out_of_stock", "not enough stock",
                            {{"items", nlohmann::json::array({{{"variant_id", std::to_string(variant_id)},
                                                               {"requested", quantity},
                                                               {"available", level.available()}}})}});
  return adjust_in(txn, variant_id, -quantity, actor, reason);
}

Result<StockLevel> Inventory::put_back_in(WriteTxn& txn, int64_t variant_id, int64_t quantity, const std::string& actor,
                                          const std::string& reason) {
  return adjust_in(txn, variant_id, quantity, actor, reason);
}

Result<StockLevel> Inventory::set_threshold(int64_t variant_id, int64_t threshold) {
  if (threshold < 0)
    return Status::Invalid("low_stock_threshold must not be negative", {{"field", "low_stock_threshold"}});
  StockLevel after;
  Status st = kv_.write([&](WriteTxn& txn) {
    after = stored_or_empty(txn, kv_, variant_id, config_);
    after.low_stock_threshold = threshold;
    inventory_store::put(txn, kv_, variant_id, after);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return after;
}

std::vector<StockAudit> Inventory::audit(int64_t variant_id, size_t offset, size_t limit, const std::string& action,
                                         size_t* total) {
  ReadTxn txn(kv_);
  return inventory_store::audit(txn, kv_, variant_id, offset, limit, action, total);
}

bool stock_matches(const StockLevel& level, StockFilter filter) {
  switch (filter) {
    case StockFilter::all: return true;
    case StockFilter::low: return level.available() <= level.low_stock_threshold;
    case StockFilter::sold_out: return level.available() <= 0;
  }
  return true;
}

std::vector<StockRow> Inventory::list(StockFilter filter, size_t offset, size_t limit, size_t* total) {
  std::vector<StockRow> out;
  size_t matched = 0;
  ReadTxn txn(kv_);
  inventory_store::scan_levels(txn, kv_, 0, [&](int64_t id, const StockLevel& l) {
    if (!stock_matches(l, filter)) return true;
    if (matched >= offset && out.size() < limit) out.push_back({id, l});
    ++matched;
    return true;
  });
  if (total) *total = matched;
  return out;
}

Result<Reservation> Inventory::reserve(std::vector<ReservationLine> lines, const std::string& owner,
                                       int64_t ttl_seconds) {
  if (lines.empty()) return Status::Invalid("a reservation needs at least one line", {{"field", "lines"}});
  if (lines.size() > kMaxLines)
    return Status::Invalid("at most " + std::to_string(kMaxLines) + " lines per reservation", {{"field", "lines"}});
  if (owner.empty() || owner.size() > 200)
    return Status::Invalid("owner must be 1..200 characters", {{"field", "owner"}});
  // Merge lines naming the same variant, keeping first-seen order.
  std::vector<ReservationLine> merged;
  std::map<int64_t, size_t> index;
  for (const auto& l : lines) {
    if (l.variant_id <= 0) return Status::Invalid("variant_id must be a positive id", {{"field", "variant_id"}});
    if (l.quantity < 1 || l.quantity > config_.max_quantity_per_line)
      return Status::Invalid("quantity must be between 1 and " + std::to_string(config_.max_quantity_per_line),
                             {{"field", "quantity"}, {"variant_id", std::to_string(l.variant_id)}});
    auto [it, fresh] = index.emplace(l.variant_id, merged.size());
    if (fresh)
      merged.push_back(l);
    else
      merged[it->second].quantity += l.quantity;
  }
  if (ttl_seconds <= 0) ttl_seconds = config_.reservation_ttl_seconds;
  if (ttl_seconds > 7 * 24 * 3600)
    return Status::Invalid("ttl_seconds must be at most 604800", {{"field", "ttl_seconds"}});

  Reservation r;
  r.id = "rsv_" + random_hex(8);
  r.owner = owner;
  r.lines = merged;
  r.status = ReservationStatus::active;
  Status st = kv_.write([&](WriteTxn& txn) {
    int64_t now = now_seconds();
    r.created_at = r.updated_at = now;
    r.expires_at = now + ttl_seconds;
    std::vector<StockLevel> levels;
    nlohmann::json short_lines = nlohmann::json::array();
    for (const auto& l : merged) {
      levels.push_back(stored_or_empty(txn, kv_, l.variant_id, config_));
      if (levels.back().available() < l.quantity)
        short_lines.push_back({{"variant_id", std::to_string(l.variant_id)},
                               {"requested", l.quantity},
                               {"available", std::max<int64_t>(0, levels.back().available())}});
    }
    if (!short_lines.empty())
      return Status::Conflict(
          "out_of_stock",
          short_lines.size() == 1 ? "not enough stock for one line" : "not enough stock for several lines",
          {{"items", short_lines}});
    for (size_t i = 0; i < merged.size(); ++i) {
      const auto& before = levels[i];
      StockLevel after = before;
      after.reserved += merged[i].quantity;
      inventory_store::put(txn, kv_, merged[i].variant_id, after);
      inventory_store::append_audit(txn, kv_,
                                    {merged[i].variant_id, 0, "reserve", -merged[i].quantity, before.available(),
                                     after.available(), before.total, after.total, "reservation", owner, r.id, 0});
    }
    inventory_store::put_reservation(txn, kv_, r, nullptr);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return r;
}

Result<Reservation> Inventory::consume(const std::string& id, const std::string& order_id) {
  if (!valid_reservation_id(id)) return Status::NotFound("reservation not found");
  if (order_id.empty() || order_id.size() > 100)
    return Status::Invalid("order_id must be 1..100 characters", {{"field", "order_id"}});
  Reservation out;
  bool expired_now = false;
  Status st = kv_.write([&](WriteTxn& txn) {
    auto r = inventory_store::get_reservation(txn, kv_, id);
    if (!r) return Status::NotFound("reservation not found");
    int64_t now = now_seconds();
    if (r->status == ReservationStatus::active && r->expires_at <= now) {
      expire_in_txn(txn, kv_, config_, *r, now);
      expired_now = true;
      out = *r;
      out.status = ReservationStatus::expired;
      return Status::Ok();  // commit the expiry, then report it
    }
    if (r->status == ReservationStatus::consumed && r->order_id == order_id) {
      out = *r;
      return Status::Ok();
    }
    if (r->status != ReservationStatus::active)
      return Status::Conflict("reservation_not_active", std::string("reservation is ") + status_name(r->status),
                              {{"reservation_id", id}, {"status", status_name(r->status)}});
    Reservation previous = *r;
    for (const auto& l : r->lines) {
      StockLevel before = stored_or_empty(txn, kv_, l.variant_id, config_);
      if (before.reserved < l.quantity || before.total < l.quantity)
        return Status::Internal("stock record of variant " + std::to_string(l.variant_id) +
                                " holds less than its active reservation");
      StockLevel after = before;
      after.total -= l.quantity;
      after.reserved -= l.quantity;
      inventory_store::put(txn, kv_, l.variant_id, after);
      inventory_store::append_audit(txn, kv_,
                                    {l.variant_id, 0, "consume", -l.quantity, before.available(), after.available(),
                                     before.total, after.total, "order " + order_id, r->owner, id, 0});
    }
    r->status = ReservationStatus::consumed;
    r->order_id = order_id;
    r->updated_at = now;
    inventory_store::put_reservation(txn, kv_, *r, &previous);
    out = *r;
    return Status::Ok();
  });
  if (!st.ok()) return st;
  if (expired_now)
    return Status::Conflict("reservation_not_active", "reservation is expired",
                            {{"reservation_id", id}, {"status", "expired"}});
  return out;
}

Result<Reservation> Inventory::release(const std::string& id, const std::string& reason) {
  if (!valid_reservation_id(id)) return Status::NotFound("reservation not found");
  Reservation out;
  Status st = kv_.write([&](WriteTxn& txn) {
    auto r = inventory_store::get_reservation(txn, kv_, id);
    if (!r) return Status::NotFound("reservation not found");
    if (r->status == ReservationStatus::released || r->status == ReservationStatus::expired) {
      out = *r;
      return Status::Ok();
    }
    if (r->status == ReservationStatus::consumed)
      return Status::Conflict("reservation_consumed", "reservation was consumed by order " + r->order_id,
                              {{"reservation_id", id}, {"order_id", r->order_id}});
    Reservation previous = *r;
    int64_t now = now_seconds();
    give_back(txn, kv_, config_, *r, "release", r->owner, reason.empty() ? "released" : reason);
    r->status = ReservationStatus::released;
    r->reason = reason.empty() ? "released" : reason;
    r->updated_at = now;
    inventory_store::put_reservation(txn, kv_, *r, &previous);
    out = *r;
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<Reservation> Inventory::reservation(const std::string& id) {
  if (!valid_reservation_id(id)) return Status::NotFound("reservation not found");
  ReadTxn txn(kv_);
  auto r = inventory_store::get_reservation(txn, kv_, id);
  if (!r) return Status::NotFound("reservation not found");
  return *r;
}

size_t Inventory::sweep_expired() {
  size_t expired = 0;
  for (;;) {
    std::vector<std::string> due;
    {
      ReadTxn txn(kv_);
      due = inventory_store::due_reservations(txn, kv_, now_seconds(), 500);
    }
    if (due.empty()) return expired;
    size_t batch = 0;
    // Batches of up to 500 per write transaction keep the writer lock short.
    Status st = kv_.write([&](WriteTxn& txn) {
      int64_t now = now_seconds();
      for (const auto& id : due) {
        auto r = inventory_store::get_reservation(txn, kv_, id);
        // Re-checked inside the writer: it may have been consumed or released since.
        if (!r || r->status != ReservationStatus::active || r->expires_at > now) continue;
        expire_in_txn(txn, kv_, config_, *r, now);
        ++batch;
      }
      return Status::Ok();
    });
    if (!st.ok()) return expired;
    expired += batch;
    if (batch == 0) return expired;  // nothing left that is still due
  }
}

void Inventory::check_invariants(std::vector<std::string>& problems, bool check_bounds) {
  ReadTxn txn(kv_);
  std::map<int64_t, int64_t> reserved_by_active;
  inventory_store::scan_active(txn, kv_, [&](const Reservation& r) {
    if (r.status != ReservationStatus::active)
      problems.push_back("reservation " + r.id + " is in the expiry index but " + status_name(r.status));
    for (const auto& l : r.lines) reserved_by_active[l.variant_id] += l.quantity;
  });
  inventory_store::scan_levels(txn, kv_, 0, [&](int64_t id, const StockLevel& l) {
    std::string p = "variant " + std::to_string(id) + ": ";
    int64_t active = 0;
    if (auto it = reserved_by_active.find(id); it != reserved_by_active.end()) {
      active = it->second;
      reserved_by_active.erase(it);
    }
    if (l.total < 0 || l.reserved < 0 || l.reserved > l.total) {
      if (check_bounds)
        problems.push_back(p + "total " + std::to_string(l.total) + ", reserved " + std::to_string(l.reserved) +
                           ": breaks 0 <= reserved <= total");
      return true;
    }
    if (active != l.reserved)
      problems.push_back(p + "reserved " + std::to_string(l.reserved) + " but active reservations hold " +
                         std::to_string(active));
    return true;
  });
  for (const auto& [id, q] : reserved_by_active)
    problems.push_back("variant " + std::to_string(id) + ": no stock record but active reservations hold " +
                       std::to_string(q));
}

int64_t Inventory::check_stored_levels(std::vector<std::string>& problems) {
  int64_t n = 0;
  try {
    ReadTxn txn(kv_);
    txn.scan(kv_.db("stock"), "", [&](std::string_view key, std::string_view value) {
      ++n;
      if (key.size() != 8 || value.size() < 16) {
        problems.push_back("stock: malformed record (key " + std::to_string(key.size()) + " bytes, value " +
                           std::to_string(value.size()) + " bytes)");
        return true;
      }
      int64_t product = static_cast<int64_t>(decode_u64_key(key));
      auto level = inventory_store::get(txn, kv_, product);
      if (!level) return true;
      std::string who = "stock: variant " + std::to_string(product) + ": ";
      if (level->total < 0) problems.push_back(who + "total " + std::to_string(level->total) + " is negative");
      if (level->reserved < 0) problems.push_back(who + "reserved " + std::to_string(level->reserved) + " is negative");
      if (level->reserved > level->total)
        problems.push_back(who + "reserved " + std::to_string(level->reserved) + " exceeds total " +
                           std::to_string(level->total) + " (available " + std::to_string(level->available()) +
                           " < 0)");
      return true;
    });
  } catch (const std::exception& e) {
    problems.push_back(std::string("lmdb: ") + e.what());
  }
  return n;
}

Status Inventory::for_each_reservation(const std::function<void(const Reservation&)>& fn) {
  try {
    ReadTxn txn(kv_);
    txn.scan(kv_.db("reservations"), "", [&](std::string_view key, std::string_view) {
      if (auto r = inventory_store::get_reservation(txn, kv_, std::string(key))) fn(*r);
      return true;
    });
  } catch (const std::exception& e) {
    return Status(Kind::unavailable, "storage_unavailable", std::string("cannot scan reservations: ") + e.what());
  }
  return Status::Ok();
}

}  // namespace shopbox
