#include "flash/flash_sales.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "base/clock.h"
#include "base/crypto.h"
#include "catalog/catalog.h"
#include "catalog/variants.h"
#include "cluster/cluster.h"
#include "flash/flash_store.h"
#include "inventory/inventory.h"
#include "orders/order.h"
#include "orders/paid_order.h"
#include "payments/gateway.h"
#include "pricing/catalog_lines.h"
#include "pricing/pricing.h"
#include "pricing/pricing_service.h"

namespace shopbox {

using json = nlohmann::json;

namespace {

// The gateway idempotency key of a flash checkout: one charge per permission
// token and card (a retry after a decline with another card is a new
// charge; the same card again gets the first answer). Recovery finds the
// charge of a claimed token by it.
std::string charge_key(const std::string& token, const std::string& card_token) {
  return flash_reservation_id(token) + ":" + card_token;
}

std::string key2(int64_t a, int64_t b) {
  return encode_u64_key(static_cast<uint64_t>(a)) + encode_u64_key(static_cast<uint64_t>(b));
}
std::string key3(int64_t a, int64_t b, int64_t c) {
  return key2(a, b) + encode_u64_key(static_cast<uint64_t>(c));
}

std::optional<json> get_json(const Txn& txn, MDB_dbi db, std::string_view key) {
  auto v = txn.get(db, key);
  if (!v) return std::nullopt;
  auto j = json::parse(*v, nullptr, false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}
void put_json(WriteTxn& txn, MDB_dbi db, std::string_view key, const json& j) {
  txn.put(db, key, j.dump());
}

int64_t i(const json& j, const char* k) {
  return j.value(k, static_cast<int64_t>(0));
}

FlashStatus status_of(const json& sale, const std::optional<json>& user, int64_t now) {
  FlashStatus s;
  if (!user) {
    s.state = now >= i(sale, "e") ? "ended" : "not_joined";
    return s;
  }
  const json& u = *user;
  s.bought = i(u, "bought");
  s.last_order_id = u.value("ord", "");
  std::string st = u.value("st", "");
  if (st == "queued") {
    if (now >= i(sale, "e")) {
      s.state = "ended";
    } else if (i(sale, "rem") == 0 && i(sale, "held") == 0) {
      s.state = "sold_out";
    } else {
      s.state = "queued";
      s.position = i(u, "seq") - i(sale, "head") + 1;
    }
  } else if (st == "granted") {
    s.state = "granted";
    s.token = u.value("tok", "");
    s.quantity = i(u, "q");
    s.expires_at = i(u, "exp");
  } else {
    s.state = st;  // purchased, expired
  }
  return s;
}

// A checkout's last LMDB step: the token is used, the units count as sold.
void finish_sale(WriteTxn& txn, Lmdb& kv, json& sale, int64_t sale_id, json& token, const std::string& token_value,
                 const std::string& order_id) {
  int64_t q = i(token, "q");
  token["st"] = "used";
  token["ord"] = order_id;
  put_json(txn, kv.db("flash_tokens"), token_value, token);
  sale["held"] = i(sale, "held") - q;
  sale["sold"] = i(sale, "sold") + q;
  put_json(txn, kv.db("flash_sales"), encode_u64_key(static_cast<uint64_t>(sale_id)), sale);
  std::string ukey = key2(sale_id, i(token, "u"));
  auto user = get_json(txn, kv.db("flash_users"), ukey);
  json u = user ? *user : json::object();
  u["st"] = "purchased";
  u["bought"] = i(u, "bought") + q;
  u["ord"] = order_id;
  u.erase("tok");
  put_json(txn, kv.db("flash_users"), ukey, u);
}

// Gives a claimed or active token's units back to the pool.
void expire_token(WriteTxn& txn, Lmdb& kv, json& sale, int64_t sale_id, json& token, const std::string& token_value) {
  int64_t q = i(token, "q");
  txn.del(kv.db("flash_expiry"), key3(sale_id, i(token, "exp"), i(token, "u")));
  token["st"] = "expired";
  put_json(txn, kv.db("flash_tokens"), token_value, token);
  sale["held"] = i(sale, "held") - q;
  sale["rem"] = i(sale, "rem") + q;
  std::string ukey = key2(sale_id, i(token, "u"));
  auto user = get_json(txn, kv.db("flash_users"), ukey);
  if (user && user->value("tok", "") == token_value) {
    (*user)["st"] = "expired";
    user->erase("tok");
    put_json(txn, kv.db("flash_users"), ukey, *user);
  }
}

// True when advance() has work for this sale: due tokens to expire, queued
// shoppers to serve, or unsold units to return after the end.
bool advance_due(const Txn& txn, Lmdb& kv, int64_t sale_id, int64_t now) {
  std::string prefix = encode_u64_key(static_cast<uint64_t>(sale_id));
  auto sale = get_json(txn, kv.db("flash_sales"), prefix);
  if (!sale) return false;
  bool running = now >= i(*sale, "s") && now < i(*sale, "e");
  if (running && i(*sale, "rem") > 0 && i(*sale, "head") < i(*sale, "next")) return true;
  if (now >= i(*sale, "e") && !sale->value("fin", false) && i(*sale, "held") == 0) return true;
  bool due = false;
  txn.scan(kv.db("flash_expiry"), prefix, [&](std::string_view k, std::string_view) {
    if (k.size() == 24 && k.substr(0, 8) == prefix && static_cast<int64_t>(decode_u64_key(k.substr(8, 8))) <= now)
      due = true;
    return false;
  });
  return due;
}

}  // namespace

FlashSales::FlashSales(const Dependencies& d)
    : db_(d.db),
      kv_(d.kv),
      catalog_(d.catalog),
      inventory_(d.inventory),
      payments_(d.payments),
      addresses_(d.addresses),
      payment_methods_(d.payment_methods),
      pricing_(d.pricing),
      config_(d.config) {}

Result<FlashSale> FlashSales::create(const FlashSaleInput& in, const std::string& actor) {
  auto bad = [](const char* f, const std::string& m) { return Status::Invalid(m, {{"field", f}}); };
  if (in.quantity < 1 || in.quantity > 1000000) return bad("quantity", "quantity must be between 1 and 1000000");
  if (in.per_user_limit < 1 || in.per_user_limit > in.quantity)
    return bad("per_user_limit", "per_user_limit must be between 1 and quantity");
  if (in.sale_price < 0) return bad("sale_price", "sale_price must not be negative");
  if (in.ends_at <= in.starts_at) return bad("ends_at", "ends_at must be after starts_at");
  if (in.ends_at <= now_seconds()) return bad("ends_at", "ends_at must be in the future");
  auto product = in.variant_id > 0 ? catalog_.product_of_variant(in.variant_id) : catalog_.product(in.product_id);
  if (!product.ok()) return product.status();
  if (in.product_id > 0 && in.product_id != product->id)
    return bad("variant_id", "variant_id is not a variant of product_id");
  const Variant* variant = in.variant_id > 0 ? product->variant(in.variant_id) : nullptr;
  if (!variant) {
    auto only = choose_variant(*product, nlohmann::json::object());
    if (!only.ok()) return only.status();
    variant = *only;
  }
  if (in.sale_price > variant->price) return bad("sale_price", "sale_price must not exceed the variant's list price");
  FlashSaleInput sale_in = in;
  sale_in.product_id = product->id;
  sale_in.variant_id = variant->id;

  FlashSale sale;
  Status st = db_.write([&](Connection& c) {
    sale.id = flash_store::insert_sale(c, sale_in, product->currency, actor, now_seconds());
    // Move the units from the product's stock into the sale, all or nothing,
    // before the SQLite row commits (a failure here rolls it back).
    return kv_.write([&](WriteTxn& txn) {
      auto taken = inventory_.take_in(txn, sale_in.variant_id, in.quantity, actor,
                                      "allocated to flash sale " + std::to_string(sale.id));
      if (!taken.ok()) {
        if (taken.status().code() != "out_of_stock") return taken.status();
        return Status::Conflict("out_of_stock", "not enough stock for this flash sale", taken.status().details());
      }
      // "p": the variant whose stock the units came from (and go back to).
      json state = {{"p", sale_in.variant_id},
                    {"n", in.quantity},
                    {"lim", in.per_user_limit},
                    {"s", in.starts_at},
                    {"e", in.ends_at},
                    {"rem", in.quantity},
                    {"held", 0},
                    {"sold", 0},
                    {"ret", 0},
                    {"next", 1},
                    {"head", 1},
                    {"fin", false}};
      put_json(txn, kv_.db("flash_sales"), encode_u64_key(static_cast<uint64_t>(sale.id)), state);
      return Status::Ok();
    });
  });
  if (!st.ok()) return st;
  return get(sale.id);
}

Result<FlashSale> FlashSales::change(int64_t sale_id, const FlashSaleChange& ch) {
  auto bad = [](const char* f, const std::string& m) { return Status::Invalid(m, {{"field", f}}); };
  auto def = definition(sale_id);
  if (!def.ok()) return def.status();
  const int64_t now = now_seconds();
  if (now >= def->ends_at) return Status::Conflict("sale_ended", "This flash sale has ended: it can no longer change");
  if (now >= def->starts_at && (ch.sale_price || ch.per_user_limit || ch.starts_at))
    return Status::Conflict("sale_started",
                            "This flash sale has started: only its end can change (shoppers in line joined for its "
                            "price and limit)");
  FlashSale next = *def;
  if (ch.sale_price) {
    if (*ch.sale_price < 0) return bad("sale_price", "The sale price must not be negative");
    auto product = catalog_.product_of_variant(def->variant_id);
    if (!product.ok()) return product.status();
    const Variant* variant = product->variant(def->variant_id);
    if (variant && *ch.sale_price > variant->price)
      return bad("sale_price", "The sale price must not be above the variant's list price");
    next.sale_price = *ch.sale_price;
  }
  if (ch.per_user_limit) {
    if (*ch.per_user_limit < 1 || *ch.per_user_limit > def->quantity)
      return bad("per_user_limit", "The limit per customer must be between 1 and the sale's quantity");
    next.per_user_limit = *ch.per_user_limit;
  }
  if (ch.starts_at) next.starts_at = std::max(*ch.starts_at, now);
  if (ch.ends_at) next.ends_at = *ch.ends_at;
  if (next.ends_at <= next.starts_at) return bad("ends_at", "The sale must end after it starts");
  if (next.ends_at <= now) return bad("ends_at", "The end must be in the future (to stop the sale now, end it)");
  if (auto st = write_terms(next); !st.ok()) return st;
  return get(sale_id);
}

Result<FlashSale> FlashSales::end_now(int64_t sale_id) {
  auto def = definition(sale_id);
  if (!def.ok()) return def.status();
  const int64_t now = now_seconds();
  if (now >= def->ends_at) return Status::Conflict("sale_ended", "This flash sale has already ended");
  FlashSale next = *def;
  next.ends_at = now;
  // A sale that never started keeps ends_at > starts_at (the table's CHECK)
  // with a start that has passed and an end that is now: nobody is let in.
  next.starts_at = std::min(def->starts_at, now - 1);
  if (auto st = write_terms(next); !st.ok()) return st;
  return get(sale_id);
}

// The definition (SQLite) and the live state's copy of the terms (LMDB),
// in one write as create() makes them, then the sale advances at `now`.
Status FlashSales::write_terms(const FlashSale& terms) {
  const int64_t now = now_seconds();
  return db_.write([&](Connection& c) {
    flash_store::update_sale_terms(c, terms);
    return kv_.write([&](WriteTxn& txn) {
      std::string skey = encode_u64_key(static_cast<uint64_t>(terms.id));
      auto state = get_json(txn, kv_.db("flash_sales"), skey);
      if (!state) return Status::NotFound("flash sale not found");
      (*state)["lim"] = terms.per_user_limit;
      (*state)["s"] = terms.starts_at;
      (*state)["e"] = terms.ends_at;
      put_json(txn, kv_.db("flash_sales"), skey, *state);
      return advance(txn, terms.id, now);
    });
  });
}

Result<FlashSale> FlashSales::definition(int64_t sale_id) {
  std::optional<FlashSale> s;
  Status st = db_.read([&](Connection& c) {
    s = flash_store::get_sale(c, sale_id);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  if (!s) return Status::NotFound("flash sale not found");
  return *s;
}

Result<FlashSale> FlashSales::get(int64_t sale_id) {
  auto def = definition(sale_id);
  if (!def.ok()) return def.status();
  FlashSale s = *def;
  // Expired tokens and the end of the sale are applied before answering.
  int64_t now = now_seconds();
  bool due = false;
  {
    ReadTxn txn(kv_);
    due = advance_due(txn, kv_, sale_id, now);
  }
  if (due) {
    Status adv = kv_.write([&](WriteTxn& txn) { return advance(txn, sale_id, now); });
    if (!adv.ok()) return adv;
  }
  ReadTxn txn(kv_);
  auto state = get_json(txn, kv_.db("flash_sales"), encode_u64_key(static_cast<uint64_t>(sale_id)));
  if (!state) return Status::NotFound("flash sale not found");
  s.remaining = i(*state, "rem");
  s.held = i(*state, "held");
  s.sold = i(*state, "sold");
  s.returned = i(*state, "ret");
  s.queued = i(*state, "next") - i(*state, "head");
  return s;
}

std::vector<FlashSale> FlashSales::list_current() {
  std::vector<int64_t> ids;
  log_if_failed(db_.read([&](Connection& c) {
    ids = flash_store::current_sale_ids(c, now_seconds(), 100);
    return Status::Ok();
  }),
                "flash: listing current sales");
  std::vector<FlashSale> out;
  for (int64_t id : ids)
    if (auto s = get(id); s.ok()) out.push_back(*s);
  return out;
}

// Inside the single LMDB writer: expires due tokens (their units return to
// the pool), grants tokens to the head of the queue while units remain and
// the sale runs, and after the end returns unsold units to stock.
Status FlashSales::advance(WriteTxn& txn, int64_t sale_id, int64_t now) {
  std::string skey = encode_u64_key(static_cast<uint64_t>(sale_id));
  auto state = get_json(txn, kv_.db("flash_sales"), skey);
  if (!state) return Status::NotFound("flash sale not found");
  json& sale = *state;
  bool changed = false;

  // 1. Expire due tokens.
  std::vector<std::pair<std::string, std::string>> due;  // expiry key, token
  std::string prefix = encode_u64_key(static_cast<uint64_t>(sale_id));
  txn.scan(kv_.db("flash_expiry"), prefix, [&](std::string_view k, std::string_view v) {
    if (k.size() != 24 || k.substr(0, 8) != prefix) return false;
    if (static_cast<int64_t>(decode_u64_key(k.substr(8, 8))) > now) return false;
    due.emplace_back(std::string(k), std::string(v));
    return true;
  });
  for (const auto& [ekey, tok] : due) {
    auto token = get_json(txn, kv_.db("flash_tokens"), tok);
    txn.del(kv_.db("flash_expiry"), ekey);
    if (!token || token->value("st", "") != "active") continue;
    expire_token(txn, kv_, sale, sale_id, *token, tok);
    changed = true;
  }

  // 2. Grant tokens in queue order while units remain and the sale runs.
  int64_t ttl = std::max(1, config_.flash_token_ttl_seconds);
  while (now >= i(sale, "s") && now < i(sale, "e") && i(sale, "rem") > 0 && i(sale, "head") < i(sale, "next")) {
    int64_t head = i(sale, "head");
    std::string qkey = key2(sale_id, head);
    auto entry = get_json(txn, kv_.db("flash_queue"), qkey);
    sale["head"] = head + 1;
    changed = true;
    if (!entry) continue;
    txn.del(kv_.db("flash_queue"), qkey);
    int64_t user_id = i(*entry, "u");
    std::string ukey = key2(sale_id, user_id);
    auto user = get_json(txn, kv_.db("flash_users"), ukey);
    if (!user || user->value("st", "") != "queued" || i(*user, "seq") != head) continue;
    int64_t q = std::min(i(*entry, "q"), i(sale, "rem"));
    std::string tok = "fst_" + random_hex(16);
    int64_t exp = now + ttl;
    put_json(txn, kv_.db("flash_tokens"), tok,
             {{"sale", sale_id}, {"u", user_id}, {"q", q}, {"exp", exp}, {"st", "active"}});
    txn.put(kv_.db("flash_expiry"), key3(sale_id, exp, user_id), tok);
    (*user)["st"] = "granted";
    (*user)["tok"] = tok;
    (*user)["q"] = q;
    (*user)["exp"] = exp;
    put_json(txn, kv_.db("flash_users"), ukey, *user);
    sale["rem"] = i(sale, "rem") - q;
    sale["held"] = i(sale, "held") + q;
  }

  // 3. After the end, once no token is outstanding, unsold units go back.
  if (now >= i(sale, "e") && i(sale, "held") == 0 && !sale.value("fin", false)) {
    int64_t back = i(sale, "rem");
    int64_t variant = i(sale, "p");
    if (back > 0) {
      auto back_in =
          inventory_.put_back_in(txn, variant, back, "system", "unsold units of flash sale " + std::to_string(sale_id));
      if (!back_in.ok()) return back_in.status();
    }
    sale["ret"] = i(sale, "ret") + back;
    sale["rem"] = 0;
    sale["fin"] = true;
    changed = true;
  }
  if (changed) put_json(txn, kv_.db("flash_sales"), skey, sale);
  return Status::Ok();
}

Result<FlashStatus> FlashSales::join(int64_t sale_id, int64_t user_id, int64_t quantity) {
  if (quantity < 1) return Status::Invalid("quantity must be at least 1", {{"field", "quantity"}});
  FlashStatus out;
  int64_t now = now_seconds();
  Status st = kv_.write([&](WriteTxn& txn) {
    if (auto a = advance(txn, sale_id, now); !a.ok()) return a;
    std::string skey = encode_u64_key(static_cast<uint64_t>(sale_id));
    json sale = *get_json(txn, kv_.db("flash_sales"), skey);
    if (now < i(sale, "s"))
      return Status::Conflict("sale_not_started", "this flash sale has not started yet",
                              {{"starts_at", iso8601(i(sale, "s"))}});
    if (now >= i(sale, "e")) return Status::Conflict("sale_ended", "this flash sale has ended");
    std::string ukey = key2(sale_id, user_id);
    auto user = get_json(txn, kv_.db("flash_users"), ukey);
    if (user) {
      std::string ust = user->value("st", "");
      if (ust == "queued" || ust == "granted") {  // joining again changes nothing
        out = status_of(sale, user, now);
        return Status::Ok();
      }
    }
    int64_t bought = user ? i(*user, "bought") : 0;
    int64_t left = i(sale, "lim") - bought;
    if (left <= 0)
      return Status::Conflict("limit_reached", "you have bought the most this sale allows per customer",
                              {{"per_user_limit", i(sale, "lim")}, {"bought", bought}});
    if (quantity > left)
      return Status::Invalid("quantity exceeds the per-customer limit",
                             {{"field", "quantity"}, {"per_user_limit", i(sale, "lim")}, {"bought", bought}});
    if (i(sale, "rem") == 0 && i(sale, "held") == 0) return Status::Conflict("sold_out", "this flash sale is sold out");
    int64_t seq = i(sale, "next");
    sale["next"] = seq + 1;
    put_json(txn, kv_.db("flash_sales"), skey, sale);
    put_json(txn, kv_.db("flash_queue"), key2(sale_id, seq), {{"u", user_id}, {"q", quantity}});
    json u = user ? *user : json::object();
    u["st"] = "queued";
    u["seq"] = seq;
    u["want"] = quantity;
    u["bought"] = bought;
    put_json(txn, kv_.db("flash_users"), ukey, u);
    if (auto a = advance(txn, sale_id, now); !a.ok()) return a;
    auto after = get_json(txn, kv_.db("flash_sales"), skey);
    out = status_of(*after, get_json(txn, kv_.db("flash_users"), ukey), now);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<FlashStatus> FlashSales::status(int64_t sale_id, int64_t user_id) {
  int64_t now = now_seconds();
  std::string skey = encode_u64_key(static_cast<uint64_t>(sale_id));
  {
    // Most polls change nothing: answer them from a read snapshot.
    ReadTxn txn(kv_);
    auto sale = get_json(txn, kv_.db("flash_sales"), skey);
    if (!sale) return Status::NotFound("flash sale not found");
    if (!advance_due(txn, kv_, sale_id, now))
      return status_of(*sale, get_json(txn, kv_.db("flash_users"), key2(sale_id, user_id)), now);
  }
  FlashStatus out;
  Status st = kv_.write([&](WriteTxn& txn) {
    if (auto a = advance(txn, sale_id, now); !a.ok()) return a;
    out = status_of(*get_json(txn, kv_.db("flash_sales"), skey),
                    get_json(txn, kv_.db("flash_users"), key2(sale_id, user_id)), now);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

// Checkout, step 1: claim the token. From here no one else can use it and
// it cannot expire. Returns the units it holds.
Result<int64_t> FlashSales::claim_token(int64_t sale_id, int64_t user_id, const std::string& token_value,
                                        const std::string& card_token) {
  int64_t quantity = 0;
  Status claim = kv_.write([&](WriteTxn& txn) {
    if (auto a = advance(txn, sale_id, now_seconds()); !a.ok()) return a;
    auto token = get_json(txn, kv_.db("flash_tokens"), token_value);
    if (!token || i(*token, "sale") != sale_id || i(*token, "u") != user_id)
      return Status(Kind::forbidden, "invalid_token", "this permission token is not valid for you and this sale");
    std::string st = token->value("st", "");
    if (st == "used")
      return Status::Conflict("token_used", "this permission token has been used",
                              {{"order_id", token->value("ord", "")}});
    if (st == "expired")
      return Status::Conflict("token_expired", "this permission token expired; join the queue again");
    if (st == "claimed") return Status::Conflict("checkout_in_progress", "a checkout with this token is in progress");
    quantity = i(*token, "q");
    txn.del(kv_.db("flash_expiry"), key3(sale_id, i(*token, "exp"), user_id));
    (*token)["st"] = "claimed";
    (*token)["src"] = card_token;  // recovery finds the charge by its idempotency key
    put_json(txn, kv_.db("flash_tokens"), token_value, *token);
    return Status::Ok();
  });
  if (!claim.ok()) return claim;
  return quantity;
}

// The compensation of claim_token (payment failed): the token is usable
// again until it expires. If that write fails the token stays claimed, and
// start-up recovery expires it (its units return to the sale).
void FlashSales::unclaim_token(int64_t sale_id, int64_t user_id, const std::string& token_value) {
  log_if_failed(kv_.write([&](WriteTxn& txn) {
    auto token = get_json(txn, kv_.db("flash_tokens"), token_value);
    if (!token || token->value("st", "") != "claimed") return Status::Ok();
    (*token)["st"] = "active";
    put_json(txn, kv_.db("flash_tokens"), token_value, *token);
    txn.put(kv_.db("flash_expiry"), key3(sale_id, i(*token, "exp"), user_id), token_value);
    return advance(txn, sale_id, now_seconds());  // expires it at once if its time is up
  }),
                "flash: giving a permission token back (recovery expires it)");
}

Result<Quote> FlashSales::price_sale(const FlashSale& sale, int64_t user_id, int64_t quantity, const json& address,
                                     const std::string& shipping_method) {
  // A sale of a product taken off sale sells nothing.
  auto product = catalog_.product_for_shoppers(sale.product_id);
  if (!product.ok()) return product.status();
  const Variant* variant = product->variant(sale.variant_id);
  if (!variant) return Status::NotFound("the flash sale's variant no longer exists");
  PricingRequest req;
  PricingLine line = pricing_line(catalog_, *product, *variant, quantity, sale.sale_price);
  line.discountable = false;  // the sale price is the discount
  req.lines = {line};
  req.destination = destination_of(address);
  req.shipping_method = shipping_method;
  req.customer.user_id = user_id;
  req.now = now_seconds();
  auto q = pricing_.quote(req, {});
  if (!q.ok()) return q.status();
  if (auto refused = shipping_refusal(*q, shipping_method); !refused.ok()) return refused;
  return q;
}

Result<Quote> FlashSales::quote(int64_t sale_id, int64_t user_id, int64_t quantity, const AddressChoice& shipping,
                                const std::string& shipping_method) {
  auto def = definition(sale_id);
  if (!def.ok()) return def.status();
  if (quantity < 1 || quantity > def->per_user_limit)
    return Status::Invalid("quantity must be between 1 and " + std::to_string(def->per_user_limit),
                           {{"field", "quantity"}});
  auto address = resolve_address(addresses_, user_id, shipping, "shipping_address_id");
  if (!address.ok()) return address.status();
  if (address->is_null()) return field_error("shipping_address", "shipping_address or shipping_address_id is required");
  return price_sale(*def, user_id, quantity, *address, shipping_method);
}

Result<FlashOrder> FlashSales::checkout(int64_t sale_id, int64_t user_id, const FlashCheckoutInput& in) {
  auto def = definition(sale_id);
  if (!def.ok()) return def.status();
  if (in.token.empty() || in.token.size() > 100)
    return Status::Invalid("token is required (the permission token from /status)", {{"field", "token"}});

  // Shipping address and payment source first: bad input never touches the
  // token. The same rules as every checkout (checkout/shopper_input.h).
  auto address = resolve_address(addresses_, user_id, in.shipping, "shipping_address_id");
  if (!address.ok()) return address.status();
  if (address->is_null()) return field_error("shipping_address", "shipping_address or shipping_address_id is required");
  auto payment = prepare_payment(payment_methods_, payments_, user_id, card_owner(user_id), in.payment);
  if (!payment.ok()) return payment.status();
  if (!payment->is_card()) return field_error("payment_method.type", "flash sales take cards (type card)");

  // The quote needs the token's quantity: priced for the sale's limit
  // first (a bad address or method never touches the token), then again
  // for what the token holds.
  if (auto pre = price_sale(*def, user_id, 1, *address, in.shipping_method); !pre.ok()) return pre.status();
  auto quantity = claim_token(sale_id, user_id, in.token, payment->source.token);
  if (!quantity.ok()) return quantity.status();
  auto quoted = price_sale(*def, user_id, *quantity, *address, in.shipping_method);
  if (!quoted.ok()) {
    unclaim_token(sale_id, user_id, in.token);
    return quoted.status();
  }

  FlashOrder o;
  o.sale_id = sale_id;
  o.user_id = user_id;
  o.product_id = def->product_id;
  auto product = catalog_.product(def->product_id);
  const Variant* variant = product.ok() ? product->variant(def->variant_id) : nullptr;
  o.product_name = product.ok() ? product->name : "";
  o.quantity = *quantity;
  o.unit_price = def->sale_price;
  const Quote& totals = *quoted;
  o.subtotal = totals.subtotal;
  o.tax = totals.tax;
  o.shipping = totals.shipping;
  o.total = totals.total;
  o.currency = def->currency;
  o.status = "paid";
  o.brand = payment->summary.value("brand", "");
  o.last4 = payment->summary.value("last4", "");
  o.shipping_address = *address;
  o.order_id = new_order_id(config_.shard_id);

  // Step 2, charge. One charge per token and card: a retry after a decline
  // with another card is a new charge; the same card again gets the first
  // answer.
  auto charge =
      payments_.authorize(charge_key(in.token, payment->source.token), payment->source, o.total, o.currency, true);
  if (!charge.ok()) {
    unclaim_token(sale_id, user_id, in.token);
    return charge.status();
  }
  o.charge_id = charge->charge_id;

  // Step 3, the order: a row in the shop's orders like any checkout's (so
  // order history, shipping, refunds and returns treat it alike), and the
  // sale's own ledger row that recovery and the invariants read - one SQLite
  // transaction. It has no inventory reservation: its units left the stock
  // when the sale was created, and the token stands where a reservation
  // would (orders.reservation_id is unique: one order per token).
  o.created_at = now_seconds();
  OrderDraft draft;
  draft.order_id = o.order_id;
  draft.user_id = user_id;
  draft.email = in.email;
  OrderItem line;
  line.product_id = o.product_id;
  line.variant_id = def->variant_id;
  line.name = o.product_name;
  if (variant) {
    line.image = variant_image(*product, *variant);
    line.sku = variant->sku;
    line.variant_title = variant_title(*variant);
    line.selected_options = selected_options_json(*product, *variant);
  }
  line.quantity = o.quantity;
  line.unit_price = o.unit_price;
  line.subtotal = o.subtotal;
  draft.items = {line};
  draft.quote = totals;
  draft.currency = o.currency;
  draft.shipping_address = draft.billing_address = *address;
  draft.payment_method = payment->summary;
  draft.reservation_id = draft.idempotency_key = flash_reservation_id(in.token);
  draft.card_fingerprint = payment->card_fingerprint;
  Order order = paid_order(draft, config_, o.created_at);
  auto t = PaymentTransaction::captured_charge(order, "card", payments_.name(), o.charge_id,
                                               flash_reservation_id(in.token), o.created_at);
  Status saved = db_.write([&](Connection& c) {
    record_paid_order(c, order, t, "flash sale " + std::to_string(sale_id) + ": authorized and captured " + o.charge_id,
                      config_.first_order_number);
    flash_store::insert_order(c, o, in.token);
    return Status::Ok();
  });
  if (!saved.ok()) {
    // Only a refund that happened gives the token back; otherwise it stays
    // claimed, and start-up recovery (claimed token, no order) refunds the
    // charge and expires the token: never a charge without an order or a retry.
    if (payments_.refund("flash-refund:" + o.charge_id, o.charge_id, o.total).ok())
      unclaim_token(sale_id, user_id, in.token);
    return saved;
  }

  // Step 4, count the units sold.
  Status done = kv_.write([&](WriteTxn& txn) {
    std::string skey = encode_u64_key(static_cast<uint64_t>(sale_id));
    auto sale = get_json(txn, kv_.db("flash_sales"), skey);
    auto token = get_json(txn, kv_.db("flash_tokens"), in.token);
    if (!sale || !token) return Status::Internal("flash sale state missing");
    finish_sale(txn, kv_, *sale, sale_id, *token, in.token, o.order_id);
    return Status::Ok();
  });
  if (!done.ok()) return done;  // recover() finishes it from the order row
  return o;
}

Result<FlashOrder> FlashSales::order(const std::string& order_id, int64_t user_id) {
  std::optional<FlashOrder> o;
  Status read = db_.read([&](Connection& c) {
    o = flash_store::get_order(c, order_id, user_id);
    return Status::Ok();
  });
  if (!read.ok()) return read;
  if (!o) return Status::NotFound("order not found");
  return *o;
}

Status FlashSales::recover() {
  // Claimed tokens are checkouts a crash interrupted.
  std::vector<std::pair<std::string, json>> claimed;
  {
    ReadTxn txn(kv_);
    txn.scan(kv_.db("flash_tokens"), "", [&](std::string_view k, std::string_view v) {
      auto j = json::parse(v, nullptr, false);
      if (!j.is_discarded() && j.value("st", "") == "claimed") claimed.emplace_back(std::string(k), j);
      return true;
    });
  }
  for (auto& entry : claimed) {
    // Named references, not a structured binding: clang before 16 cannot
    // capture a structured binding in the lambdas below.
    const std::string& tok = entry.first;
    const json& token = entry.second;
    std::string order_id;
    if (Status read = db_.read([&](Connection& c) {
          order_id = flash_store::order_id_for_token(c, tok);
          return Status::Ok();
        });
        !read.ok())
      return read;  // unknown is not "no order": the next start tries again
    int64_t sale_id = i(token, "sale");
    if (order_id.empty()) {
      // No order: a charge made before the crash is refunded. A refund that
      // fails leaves the token claimed for the next start.
      auto lookup = payments_.lookup(charge_key(tok, token.value("src", "")));
      if (!lookup.ok()) return lookup.status();  // cannot tell: the next start asks again
      if (auto& ch = *lookup; ch && ch->captured > ch->refunded) {
        auto r = payments_.refund("flash-refund:" + ch->charge_id, ch->charge_id, ch->captured - ch->refunded);
        if (!r.ok()) {
          log_if_failed(r.status(), "flash recovery: refunding a charge without an order (the next start retries)");
          continue;
        }
      }
    }
    Status settled = kv_.write([&](WriteTxn& txn) {
      auto sale = get_json(txn, kv_.db("flash_sales"), encode_u64_key(static_cast<uint64_t>(sale_id)));
      auto t = get_json(txn, kv_.db("flash_tokens"), tok);
      if (!sale || !t || t->value("st", "") != "claimed") return Status::Ok();
      if (!order_id.empty()) {
        finish_sale(txn, kv_, *sale, sale_id, *t, tok, order_id);
      } else {
        expire_token(txn, kv_, *sale, sale_id, *t, tok);
        put_json(txn, kv_.db("flash_sales"), encode_u64_key(static_cast<uint64_t>(sale_id)), *sale);
      }
      return Status::Ok();
    });
    if (!settled.ok()) return settled;
  }
  return Status::Ok();
}

void FlashSales::check_invariants(std::vector<std::string>& problems) {
  try {
    ReadTxn txn(kv_);
    std::map<int64_t, int64_t> held;  // sale -> units in active/claimed tokens
    txn.scan(kv_.db("flash_tokens"), "", [&](std::string_view, std::string_view v) {
      auto j = json::parse(v, nullptr, false);
      if (j.is_discarded()) return true;
      std::string st = j.value("st", "");
      if (st == "active" || st == "claimed") held[i(j, "sale")] += i(j, "q");
      return true;
    });
    txn.scan(kv_.db("flash_sales"), "", [&](std::string_view k, std::string_view v) {
      auto s = json::parse(v, nullptr, false);
      if (s.is_discarded() || k.size() != 8) {
        problems.push_back("flash: malformed sale record");
        return true;
      }
      int64_t id = static_cast<int64_t>(decode_u64_key(k));
      std::string who = "flash: sale " + std::to_string(id) + ": ";
      int64_t n = i(s, "n"), rem = i(s, "rem"), h = i(s, "held"), sold = i(s, "sold"), ret = i(s, "ret");
      if (rem < 0 || h < 0 || sold < 0 || ret < 0) problems.push_back(who + "negative counter");
      if (rem + h + sold + ret != n)
        problems.push_back(who + "remaining " + std::to_string(rem) + " + held " + std::to_string(h) + " + sold " +
                           std::to_string(sold) + " + returned " + std::to_string(ret) + " != quantity " +
                           std::to_string(n));
      if (held[id] != h)
        problems.push_back(who + "held " + std::to_string(h) + " but live tokens hold " + std::to_string(held[id]));
      return true;
    });
  } catch (const std::exception& e) {
    problems.push_back(std::string("flash: ") + e.what());
  }
  Status read = db_.read([&](Connection& c) {
    for (const auto& o : flash_store::oversold_sales(c))
      problems.push_back("flash: sale " + std::to_string(o.sale_id) + " has orders for " + std::to_string(o.ordered) +
                         " units of " + std::to_string(o.quantity) + " (oversold)");
    return Status::Ok();
  });
  if (!read.ok()) problems.push_back("flash: cannot read the sales' orders: " + read.message());
}

}  // namespace shopbox
