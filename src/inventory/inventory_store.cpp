#include "inventory/inventory_store.h"

#include <cstring>
#include <nlohmann/json.hpp>

#include "base/clock.h"

namespace shopbox::inventory_store {
namespace {
using json = nlohmann::json;

// Binary record: three little-endian int64 (total, reserved, threshold).
std::string encode(const StockLevel& s) {
  std::string out(24, '\0');
  std::memcpy(out.data(), &s.total, 8);
  std::memcpy(out.data() + 8, &s.reserved, 8);
  std::memcpy(out.data() + 16, &s.low_stock_threshold, 8);
  return out;
}
StockLevel decode(std::string_view v) {
  StockLevel s;
  if (v.size() >= 16) {
    std::memcpy(&s.total, v.data(), 8);
    std::memcpy(&s.reserved, v.data() + 8, 8);
  }
  if (v.size() >= 24) std::memcpy(&s.low_stock_threshold, v.data() + 16, 8);
  return s;
}

std::string pkey(int64_t variant_id) {
  return encode_u64_key(static_cast<uint64_t>(variant_id));
}

std::string expiry_key(const Reservation& r) {
  return encode_u64_key(static_cast<uint64_t>(r.expires_at < 0 ? 0 : r.expires_at)) + r.id;
}

json reservation_json(const Reservation& r) {
  json lines = json::array();
  for (const auto& l : r.lines) lines.push_back({l.variant_id, l.quantity});
  return {{"id", r.id},
          {"owner", r.owner},
          {"lines", lines},
          {"status", status_name(r.status)},
          {"created_at", r.created_at},
          {"expires_at", r.expires_at},
          {"updated_at", r.updated_at},
          {"order_id", r.order_id},
          {"reason", r.reason}};
}

std::optional<Reservation> parse_reservation(std::string_view v) {
  auto j = json::parse(v, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  Reservation r;
  r.id = j.value("id", "");
  r.owner = j.value("owner", "");
  auto status = parse_reservation_status(j.value("status", ""));
  if (!status) return std::nullopt;  // a damaged record is not a reservation
  r.status = *status;
  r.created_at = j.value("created_at", int64_t{0});
  r.expires_at = j.value("expires_at", int64_t{0});
  r.updated_at = j.value("updated_at", int64_t{0});
  r.order_id = j.value("order_id", "");
  r.reason = j.value("reason", "");
  if (auto it = j.find("lines"); it != j.end() && it->is_array())
    for (const auto& l : *it)
      if (l.is_array() && l.size() == 2) r.lines.push_back({l[0].get<int64_t>(), l[1].get<int64_t>()});
  return r;
}

StockAudit parse_audit(int64_t variant_id, std::string_view k, std::string_view v) {
  StockAudit r;
  r.variant_id = variant_id;
  r.seq = static_cast<int64_t>(decode_u64_key(k.substr(8)));
  auto j = json::parse(v, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return r;
  r.action = j.value("action", "");
  r.quantity_change = j.value("quantity_change", int64_t{0});
  r.before_available = j.value("before_available", int64_t{0});
  r.after_available = j.value("after_available", int64_t{0});
  r.before_total = j.value("before_total", int64_t{0});
  r.after_total = j.value("after_total", int64_t{0});
  r.reason = j.value("reason", "");
  r.actor = j.value("actor", "");
  r.reservation_id = j.value("reservation_id", "");
  r.at = j.value("at", int64_t{0});
  return r;
}
}  // namespace

std::optional<StockLevel> get(const Txn& txn, Lmdb& env, int64_t variant_id) {
  auto v = txn.get(env.db("stock"), pkey(variant_id));
  if (!v) return std::nullopt;
  return decode(*v);
}

void put(WriteTxn& txn, Lmdb& env, int64_t variant_id, const StockLevel& level) {
  txn.put(env.db("stock"), pkey(variant_id), encode(level));
}

void scan_levels(const Txn& txn, Lmdb& env, int64_t from_variant,
                 const std::function<bool(int64_t, const StockLevel&)>& fn) {
  txn.scan(
      env.db("stock"), from_variant > 0 ? pkey(from_variant) : std::string(),
      [&](std::string_view k, std::string_view v) { return fn(static_cast<int64_t>(decode_u64_key(k)), decode(v)); });
}

void append_audit(WriteTxn& txn, Lmdb& env, StockAudit r) {
  // A global sequence in "meta" orders audit records across variants.
  auto seq_raw = txn.get(env.db("meta"), "audit_seq");
  uint64_t seq = seq_raw ? decode_u64_key(*seq_raw) + 1 : 1;
  txn.put(env.db("meta"), "audit_seq", encode_u64_key(seq));
  r.seq = static_cast<int64_t>(seq);
  if (r.at == 0) r.at = now_seconds();
  // nlohmann::json keeps keys sorted, so every record starts with
  // {"action":"<action>" — audit() filters on that prefix without parsing.
  json j = {{"action", r.action},
            {"quantity_change", r.quantity_change},
            {"before_available", r.before_available},
            {"after_available", r.after_available},
            {"before_total", r.before_total},
            {"after_total", r.after_total},
            {"reason", r.reason},
            {"actor", r.actor},
            {"at", r.at}};
  if (!r.reservation_id.empty()) j["reservation_id"] = r.reservation_id;
  txn.put(env.db("stock_audit"), pkey(r.variant_id) + encode_u64_key(seq), j.dump());
}

std::vector<StockAudit> audit(const Txn& txn, Lmdb& env, int64_t variant_id, size_t offset, size_t limit,
                              const std::string& action, size_t* total) {
  std::vector<StockAudit> out;
  size_t matched = 0;
  std::string prefix = pkey(variant_id);
  std::string wanted = "{\"action\":\"" + action + "\"";
  // Walk backwards from the first key after this variant's range: newest first.
  MDB_cursor* cur = nullptr;
  if (mdb_cursor_open(const_cast<Txn&>(txn).raw(), env.db("stock_audit"), &cur) != MDB_SUCCESS) return out;
  std::string after = pkey(variant_id + 1);
  MDB_val k{after.size(), after.data()}, v;
  int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
  rc = rc == MDB_SUCCESS ? mdb_cursor_get(cur, &k, &v, MDB_PREV) : mdb_cursor_get(cur, &k, &v, MDB_LAST);
  while (rc == MDB_SUCCESS) {
    std::string_view key(static_cast<const char*>(k.mv_data), k.mv_size);
    std::string_view val(static_cast<const char*>(v.mv_data), v.mv_size);
    if (key.size() != 16 || key.substr(0, 8) != prefix) break;
    if (action.empty() || val.substr(0, wanted.size()) == wanted) {
      if (matched >= offset && out.size() < limit) out.push_back(parse_audit(variant_id, key, val));
      ++matched;
    }
    rc = mdb_cursor_get(cur, &k, &v, MDB_PREV);
  }
  mdb_cursor_close(cur);
  if (total) *total = matched;
  return out;
}

std::optional<Reservation> get_reservation(const Txn& txn, Lmdb& env, const std::string& id) {
  auto v = txn.get(env.db("reservations"), id);
  if (!v) return std::nullopt;
  return parse_reservation(*v);
}

void put_reservation(WriteTxn& txn, Lmdb& env, const Reservation& r, const Reservation* previous) {
  if (previous && previous->status == ReservationStatus::active)
    txn.del(env.db("reservation_expiry"), expiry_key(*previous));
  if (r.status == ReservationStatus::active) txn.put(env.db("reservation_expiry"), expiry_key(r), "");
  txn.put(env.db("reservations"), r.id, reservation_json(r).dump());
}

std::vector<std::string> due_reservations(const Txn& txn, Lmdb& env, int64_t now, size_t limit) {
  std::vector<std::string> ids;
  txn.scan(env.db("reservation_expiry"), "", [&](std::string_view k, std::string_view) {
    if (k.size() < 8 || static_cast<int64_t>(decode_u64_key(k.substr(0, 8))) > now || ids.size() >= limit) return false;
    ids.emplace_back(k.substr(8));
    return true;
  });
  return ids;
}

void scan_active(const Txn& txn, Lmdb& env, const std::function<void(const Reservation&)>& fn) {
  txn.scan(env.db("reservation_expiry"), "", [&](std::string_view k, std::string_view) {
    if (k.size() <= 8) return true;
    if (auto r = get_reservation(txn, env, std::string(k.substr(8)))) fn(*r);
    return true;
  });
}

}  // namespace shopbox::inventory_store

namespace shopbox {

const char* status_name(ReservationStatus status) {
  switch (status) {
    case ReservationStatus::active:
      return "active";
    case ReservationStatus::consumed:
      return "consumed";
    case ReservationStatus::released:
      return "released";
    case ReservationStatus::expired:
      return "expired";
  }
  return "active";
}

std::optional<ReservationStatus> parse_reservation_status(std::string_view text) {
  for (auto s : {ReservationStatus::active, ReservationStatus::consumed, ReservationStatus::released,
                 ReservationStatus::expired})
    if (text == status_name(s)) return s;
  return std::nullopt;
}

}  // namespace shopbox
