#include "cart/cart_store.h"

#include <set>

namespace shopbox::cart_store {
namespace {
using json = nlohmann::json;

json line_json(const CartLine& l) {
  return {{"id", l.cart_item_id},    {"p", l.product_id}, {"v", l.variant_id},    {"q", l.quantity},
          {"o", l.selected_options}, {"n", l.name},       {"pr", l.price_at_add}, {"at", l.added_at}};
}

std::optional<CartLine> parse_line(const json& j) {
  if (!j.is_object()) return std::nullopt;
  CartLine l;
  l.cart_item_id = j.value("id", "");
  l.product_id = j.value("p", int64_t{0});
  l.variant_id = j.value("v", l.product_id);
  l.quantity = j.value("q", int64_t{0});
  if (auto it = j.find("o"); it != j.end() && it->is_object()) l.selected_options = *it;
  l.name = j.value("n", "");
  l.price_at_add = j.value("pr", int64_t{0});
  l.added_at = j.value("at", int64_t{0});
  if (l.product_id <= 0 || l.quantity <= 0) return std::nullopt;
  return l;
}

std::string expiry_key(const CartRecord& c) {
  return encode_u64_key(static_cast<uint64_t>(c.expires_at < 0 ? 0 : c.expires_at)) + c.owner;
}
}  // namespace

std::optional<CartRecord> get(const Txn& txn, Lmdb& env, const std::string& owner) {
  auto v = txn.get(env.db("carts"), owner);
  if (!v) return std::nullopt;
  auto j = json::parse(*v, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  CartRecord c;
  c.owner = owner;
  c.cart_id = j.value("cart_id", "");
  c.created_at = j.value("created_at", int64_t{0});
  c.updated_at = j.value("updated_at", int64_t{0});
  c.expires_at = j.value("expires_at", int64_t{0});
  for (const char* key : {"items", "saved"}) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_array()) continue;
    auto& list = std::string(key) == "items" ? c.items : c.saved;
    for (const auto& lj : *it)
      if (auto l = parse_line(lj)) list.push_back(std::move(*l));
  }
  if (auto codes = j.find("codes"); codes != j.end() && codes->is_array())
    for (const auto& code : *codes)
      if (code.is_string()) c.discount_codes.push_back(code.get<std::string>());
  if (auto sh = j.find("ship"); sh != j.end() && sh->is_object()) {
    c.shipping.country = sh->value("country", "");
    c.shipping.state = sh->value("state", "");
    c.shipping.zip = sh->value("zip", "");
    c.shipping.address_id = sh->value("address_id", int64_t{0});
    c.shipping.method = sh->value("method", "");
  }
  return c;
}

void put(WriteTxn& txn, Lmdb& env, const CartRecord& c, const CartRecord* previous) {
  json items = json::array(), saved = json::array();
  for (const auto& l : c.items) items.push_back(line_json(l));
  for (const auto& l : c.saved) saved.push_back(line_json(l));
  json j = {{"cart_id", c.cart_id},
            {"created_at", c.created_at},
            {"updated_at", c.updated_at},
            {"expires_at", c.expires_at},
            {"items", items},
            {"saved", saved}};
  if (!c.discount_codes.empty()) j["codes"] = c.discount_codes;
  const CartShipping& sh = c.shipping;
  if (!sh.country.empty() || !sh.method.empty())
    j["ship"] = {{"country", sh.country},
                 {"state", sh.state},
                 {"zip", sh.zip},
                 {"address_id", sh.address_id},
                 {"method", sh.method}};
  if (previous) txn.del(env.db("cart_expiry"), expiry_key(*previous));
  txn.put(env.db("cart_expiry"), expiry_key(c), "");
  txn.put(env.db("carts"), c.owner, j.dump());
}

void remove(WriteTxn& txn, Lmdb& env, const CartRecord& c) {
  txn.del(env.db("cart_expiry"), expiry_key(c));
  txn.del(env.db("carts"), c.owner);
}

std::vector<std::string> due(const Txn& txn, Lmdb& env, int64_t now, size_t limit) {
  std::vector<std::string> owners;
  txn.scan(env.db("cart_expiry"), "", [&](std::string_view k, std::string_view) {
    if (k.size() < 8 || static_cast<int64_t>(decode_u64_key(k.substr(0, 8))) > now || owners.size() >= limit)
      return false;
    owners.emplace_back(k.substr(8));
    return true;
  });
  return owners;
}

// [email] abandoned-cart scan.
std::vector<CartRecord> idle_user_carts(const Txn& txn, Lmdb& env, int64_t idle_before, size_t limit) {
  std::vector<std::string> owners;
  txn.scan(env.db("carts"), "u:", [&](std::string_view k, std::string_view) {
    if (k.substr(0, 2) != "u:") return false;
    owners.emplace_back(k);
    return true;
  });
  std::vector<CartRecord> out;
  for (const auto& owner : owners) {
    if (out.size() >= limit) break;
    auto c = get(txn, env, owner);
    if (c && !c->items.empty() && c->updated_at <= idle_before) out.push_back(std::move(*c));
  }
  return out;
}

size_t count(const Txn& txn, Lmdb& env) {
  MDB_stat st;
  if (mdb_stat(const_cast<Txn&>(txn).raw(), env.db("carts"), &st) != MDB_SUCCESS) return 0;
  return st.ms_entries;
}

// [reports] cart_activity: "add/" and "out/" keys, each u64be(at) + cart_id.
namespace {
constexpr std::string_view kAddedPrefix = "add/";
constexpr std::string_view kOrderedPrefix = "out/";

std::string activity_key(std::string_view prefix, int64_t at, const std::string& cart_id) {
  return std::string(prefix) + encode_u64_key(static_cast<uint64_t>(at < 0 ? 0 : at)) + cart_id;
}

// The cart ids with a `prefix` entry in [since, until).
std::set<std::string> carts_noted(const Txn& txn, Lmdb& env, std::string_view prefix, int64_t since, int64_t until) {
  std::set<std::string> ids;
  const size_t head = prefix.size() + 8;
  txn.scan(env.db("cart_activity"), activity_key(prefix, since, ""), [&](std::string_view k, std::string_view) {
    if (k.size() < head || k.substr(0, prefix.size()) != prefix) return false;
    if (static_cast<int64_t>(decode_u64_key(k.substr(prefix.size(), 8))) >= until) return false;
    ids.emplace(k.substr(head));
    return true;
  });
  return ids;
}
}  // namespace

void note_item_added(WriteTxn& txn, Lmdb& env, const std::string& cart_id, int64_t at) {
  txn.put(env.db("cart_activity"), activity_key(kAddedPrefix, at, cart_id), "");
}

void note_checked_out(WriteTxn& txn, Lmdb& env, const std::string& cart_id, int64_t at) {
  txn.put(env.db("cart_activity"), activity_key(kOrderedPrefix, at, cart_id), "");
}

CartActivity activity(const Txn& txn, Lmdb& env, int64_t since, int64_t until) {
  CartActivity out;
  auto added = carts_noted(txn, env, kAddedPrefix, since, until);
  auto ordered = carts_noted(txn, env, kOrderedPrefix, since, until);
  out.carts_with_items_added = static_cast<int64_t>(added.size());
  for (const auto& id : added) out.carts_ordered += ordered.count(id) ? 1 : 0;
  return out;
}

size_t prune_activity(WriteTxn& txn, Lmdb& env, int64_t before, size_t limit) {
  std::vector<std::string> old;
  for (std::string_view prefix : {kAddedPrefix, kOrderedPrefix}) {
    txn.scan(env.db("cart_activity"), std::string(prefix), [&](std::string_view k, std::string_view) {
      if (k.size() < prefix.size() + 8 || k.substr(0, prefix.size()) != prefix || old.size() >= limit) return false;
      if (static_cast<int64_t>(decode_u64_key(k.substr(prefix.size(), 8))) >= before) return false;
      old.emplace_back(k);
      return true;
    });
  }
  for (const auto& k : old) txn.del(env.db("cart_activity"), k);
  return old.size();
}

}  // namespace shopbox::cart_store
