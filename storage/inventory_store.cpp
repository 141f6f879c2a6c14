#include "storage/inventory_store.h"

#include <cstring>

#include <nlohmann/json.hpp>

#include "base/clock.h"

namespace shopbox::inventory_store {
namespace {
// Binary record: three little-endian int64 (total, reserved, threshold).
std::string encode(const StockLevel& s) {
  std::string out(24, '\0');
  std::memcpy(out.data(), &s.total, 8);
  std::memcpy(out.data() + 8, &s.reserved, 8);
  std::memcpy(out.data() + 16, &s.low_stock_threshold, 8);
  return out;
}
StockLevel decode(const std::string& v) {
  StockLevel s;
  if (v.size() >= 16) {
    std::memcpy(&s.total, v.data(), 8);
    std::memcpy(&s.reserved, v.data() + 8, 8);
  }
  if (v.size() >= 24) std::memcpy(&s.low_stock_threshold, v.data() + 16, 8);
  return s;
}
}  // namespace

std::optional<StockLevel> get(const Txn& txn, Lmdb& env, int64_t product_id) {
  auto v = txn.get(env.db("stock"), encode_u64_key(static_cast<uint64_t>(product_id)));
  if (!v) return std::nullopt;
  return decode(*v);
}

void put(WriteTxn& txn, Lmdb& env, int64_t product_id, const StockLevel& level) {
  txn.put(env.db("stock"), encode_u64_key(static_cast<uint64_t>(product_id)), encode(level));
}

void append_audit(WriteTxn& txn, Lmdb& env, StockAudit r) {
  // A global sequence in "meta" orders audit records across products.
  auto seq_raw = txn.get(env.db("meta"), "audit_seq");
  uint64_t seq = seq_raw ? decode_u64_key(*seq_raw) + 1 : 1;
  txn.put(env.db("meta"), "audit_seq", encode_u64_key(seq));
  r.seq = static_cast<int64_t>(seq);
  if (r.at == 0) r.at = now_seconds();
  nlohmann::json j = {{"action", r.action},         {"quantity_change", r.quantity_change},
                      {"before_available", r.before_available}, {"after_available", r.after_available},
                      {"before_total", r.before_total}, {"after_total", r.after_total},
                      {"reason", r.reason},         {"actor", r.actor},
                      {"at", r.at}};
  txn.put(env.db("stock_audit"), encode_u64_key(static_cast<uint64_t>(r.product_id)) + encode_u64_key(seq), j.dump());
}

std::vector<StockAudit> audit(const Txn& txn, Lmdb& env, int64_t product_id, size_t limit) {
  std::vector<StockAudit> all;
  std::string prefix = encode_u64_key(static_cast<uint64_t>(product_id));
  txn.scan(env.db("stock_audit"), prefix, [&](std::string_view k, std::string_view v) {
    if (k.substr(0, 8) != prefix) return false;
    auto j = nlohmann::json::parse(v, nullptr, false);
    if (j.is_discarded()) return true;
    StockAudit r;
    r.product_id = product_id;
    r.seq = static_cast<int64_t>(decode_u64_key(k.substr(8)));
    r.action = j.value("action", "");
    r.quantity_change = j.value("quantity_change", 0LL);
    r.before_available = j.value("before_available", 0LL);
    r.after_available = j.value("after_available", 0LL);
    r.before_total = j.value("before_total", 0LL);
    r.after_total = j.value("after_total", 0LL);
    r.reason = j.value("reason", "");
    r.actor = j.value("actor", "");
    r.at = j.value("at", 0LL);
    all.push_back(std::move(r));
    return true;
  });
  std::vector<StockAudit> out(all.rbegin(), all.rend());
  if (out.size() > limit) out.resize(limit);
  return out;
}

}  // namespace shopbox::inventory_store
