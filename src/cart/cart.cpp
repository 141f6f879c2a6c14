#include "cart/cart.h"

#include <algorithm>
#include <map>

#include "base/clock.h"
#include "base/crypto.h"
#include "catalog/catalog.h"
#include "catalog/variants.h"
#include "inventory/inventory.h"
#include "pricing/pricing_service.h"

namespace shopbox {
namespace {
using json = nlohmann::json;

// Lines are per variant (cart_store.h).
template <typename List>
auto find_line(List& list, int64_t variant_id) {
  return std::find_if(list.begin(), list.end(), [&](const CartLine& l) { return l.variant_id == variant_id; });
}

Status out_of_stock(const CartLine& l, int64_t requested, int64_t available) {
  return Status::Conflict(
      "out_of_stock",
      available <= 0 ? "this product is out of stock" : "only " + std::to_string(available) + " available",
      {{"items", json::array({{{"product_id", std::to_string(l.product_id)},
                               {"variant_id", std::to_string(l.variant_id)},
                               {"requested", requested},
                               {"available", std::max<int64_t>(0, available)}}})}});
}

Status not_in_cart() {
  return Status::NotFound("product is not in the cart");
}

Status cart_full() {
  return Status(Kind::unprocessable, "cart_full",
                "a cart holds at most " + std::to_string(Cart::kMaxLines) + " different products");
}

CartRecord fresh_cart(const std::string& owner, int64_t now) {
  CartRecord c;
  c.cart_id = "cart_" + random_hex(8);
  c.owner = owner;
  c.created_at = now;
  return c;
}

}  // namespace

bool valid_cart_token(const std::string& t) {
  return t.size() == 32 &&
         std::all_of(t.begin(), t.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string new_cart_token() {
  return random_hex(16);
}

Status Cart::check_quantity(int64_t quantity) const {
  if (quantity < 1 || quantity > config_.max_quantity_per_line)
    return Status::Invalid("quantity must be between 1 and " + std::to_string(config_.max_quantity_per_line),
                           {{"field", "quantity"}});
  return Status::Ok();
}

Destination destination_of(const CartShipping& sh) {
  return {sh.country, sh.state, sh.zip};
}

Customer Cart::customer_of(const std::string& owner) {
  Customer who;
  if (owner.rfind("u:", 0) == 0) who.user_id = std::strtoll(owner.c_str() + 2, nullptr, 10);
  return who;
}

Result<CartView> Cart::render(const CartRecord& rec) {
  CartView v;
  v.exists = true;
  v.cart_id = rec.cart_id;
  v.owner = rec.owner;
  v.created_at = rec.created_at;
  v.updated_at = rec.updated_at;
  v.expires_at = rec.expires_at;
  std::map<int64_t, int64_t> available;
  {
    ReadTxn txn(kv_);
    for (const auto* list : {&rec.items, &rec.saved})
      for (const auto& l : *list) available[l.variant_id] = inventory_.available_in(txn, l.variant_id);
  }
  auto price = [&](const CartLine& l) {
    PricedLine p;
    p.line = l;
    p.name = l.name;
    p.available = available[l.variant_id];
    // A product taken off sale (archived, back to draft) prices as gone:
    // the line stays in the cart, unavailable, and checkout skips it.
    auto prod = catalog_.product_for_shoppers(l.product_id);
    const Variant* variant = prod.ok() ? prod->variant(l.variant_id) : nullptr;
    if (variant) {
      p.exists = true;
      p.name = prod->name;
      p.sku = variant->sku;
      p.variant_title = variant_title(*variant);
      p.image = variant_image(*prod, *variant);
      p.unit_price = variant->final_price();
      p.original_price = variant->price;
      p.weight_grams = variant->weight_grams.value_or(0);
      p.categories = catalog_.category_ancestry(prod->category_id);
    } else {
      p.unit_price = p.original_price = l.price_at_add;
    }
    p.subtotal = p.unit_price * l.quantity;
    p.unavailable = !p.exists || p.available <= 0;
    p.insufficient_stock = !p.unavailable && p.available < l.quantity;
    return p;
  };
  PricingRequest req;
  for (const auto& l : rec.items) {
    v.items.push_back(price(l));
    const auto& p = v.items.back();
    if (p.unavailable) continue;
    v.items_count += l.quantity;
    v.savings += std::max<Cents>(0, p.original_price - p.unit_price) * l.quantity;
    req.lines.push_back({p.line.product_id, p.line.variant_id, p.categories, l.quantity, p.unit_price, p.weight_grams});
  }
  for (const auto& l : rec.saved) v.saved.push_back(price(l));
  v.discount_codes = rec.discount_codes;
  v.shipping = rec.shipping;
  req.destination = destination_of(rec.shipping);
  req.shipping_method = rec.shipping.method;
  req.customer = customer_of(rec.owner);
  req.now = now_seconds();
  auto quote = pricing_.quote(std::move(req), rec.discount_codes);
  if (!quote.ok()) return quote.status();
  v.quote = std::move(*quote);
  return v;
}

Result<CartView> Cart::get(const std::string& owner) {
  std::optional<CartRecord> rec;
  {
    ReadTxn txn(kv_);
    rec = cart_store::get(txn, kv_, owner);
  }
  if (!rec || rec->expires_at <= now_seconds()) {
    CartRecord empty;
    empty.owner = owner;
    auto view = render(empty);
    if (view.ok()) view->exists = false;
    return view;
  }
  return render(*rec);
}

Result<CartView> Cart::change(const std::string& owner, const std::function<Status(WriteTxn&, CartRecord&)>& fn) {
  CartRecord result;
  Status st = kv_.write([&](WriteTxn& txn) {
    int64_t now = now_seconds();
    auto stored = cart_store::get(txn, kv_, owner);
    CartRecord rec = stored && stored->expires_at > now ? *stored : fresh_cart(owner, now);
    if (auto s = fn(txn, rec); !s.ok()) return s;
    rec.updated_at = now;
    rec.expires_at = now + config_.cart_ttl_seconds;
    cart_store::put(txn, kv_, rec, stored ? &*stored : nullptr);
    result = std::move(rec);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return render(result);
}

Result<CartView> Cart::add_item(const std::string& owner, const ItemChoice& choice, int64_t quantity) {
  if (auto s = check_quantity(quantity); !s.ok()) return s;
  // The variant: named, or chosen by options on the product.
  Result<Product> product =
      choice.variant_id > 0 ? catalog_.product_of_variant_for_shoppers(choice.variant_id)
                            : catalog_.product_for_shoppers(choice.product_id);
  if (!product.ok()) return product.status();
  if (choice.variant_id > 0 && choice.product_id > 0 && choice.product_id != product->id)
    return Status::Invalid("variant_id is not a variant of product_id", {{"field", "variant_id"}});
  const Variant* variant = choice.variant_id > 0 ? product->variant(choice.variant_id) : nullptr;
  if (!variant) {
    auto chosen = choose_variant(*product, choice.selected_options);
    if (!chosen.ok()) return chosen.status();
    variant = *chosen;
  }
  CartLine wanted;
  wanted.product_id = product->id;
  wanted.variant_id = variant->id;
  return change(owner, [&](WriteTxn& txn, CartRecord& rec) {
    int64_t available = inventory_.available_in(txn, variant->id);
    if (quantity > available) return out_of_stock(wanted, quantity, available);
    auto it = find_line(rec.items, variant->id);
    if (it == rec.items.end()) {
      if (rec.items.size() >= kMaxLines) return cart_full();
      CartLine l;
      if (auto s = find_line(rec.saved, variant->id); s != rec.saved.end()) {
        l = *s;  // keeps its cart_item_id
        rec.saved.erase(s);
      } else {
        l.cart_item_id = "item_" + random_hex(6);
      }
      l.product_id = product->id;
      l.variant_id = variant->id;
      l.added_at = now_seconds();
      rec.items.push_back(l);
      it = rec.items.end() - 1;
    }
    it->quantity = quantity;
    it->name = product->name;
    it->price_at_add = variant->final_price();
    it->selected_options = selected_options_json(*product, *variant);
    cart_store::note_item_added(txn, kv_, rec.cart_id, now_seconds());  // [reports] conversion
    return Status::Ok();
  });
}

Result<CartView> Cart::set_quantity(const std::string& owner, int64_t variant_id, int64_t quantity) {
  if (auto s = check_quantity(quantity); !s.ok()) return s;
  return change(owner, [&](WriteTxn& txn, CartRecord& rec) {
    auto it = find_line(rec.items, variant_id);
    if (it == rec.items.end()) return not_in_cart();
    // Lowering the quantity is always allowed; raising it needs the stock.
    int64_t available = inventory_.available_in(txn, variant_id);
    if (quantity > it->quantity && quantity > available) return out_of_stock(*it, quantity, available);
    it->quantity = quantity;
    return Status::Ok();
  });
}

Result<CartView> Cart::remove_item(const std::string& owner, int64_t variant_id) {
  return change(owner, [&](WriteTxn&, CartRecord& rec) {
    if (auto it = find_line(rec.items, variant_id); it != rec.items.end()) {
      rec.items.erase(it);
      return Status::Ok();
    }
    if (auto it = find_line(rec.saved, variant_id); it != rec.saved.end()) {
      rec.saved.erase(it);
      return Status::Ok();
    }
    return not_in_cart();
  });
}

Result<CartView> Cart::save_for_later(const std::string& owner, int64_t variant_id) {
  return change(owner, [&](WriteTxn&, CartRecord& rec) {
    auto it = find_line(rec.items, variant_id);
    if (it == rec.items.end()) {
      // Already saved: repeating the request changes nothing.
      return find_line(rec.saved, variant_id) != rec.saved.end() ? Status::Ok() : not_in_cart();
    }
    if (rec.saved.size() >= kMaxLines)
      return Status(Kind::unprocessable, "saved_full",
                    "at most " + std::to_string(kMaxLines) + " products can be saved for later");
    rec.saved.push_back(*it);
    rec.items.erase(it);
    return Status::Ok();
  });
}

Result<CartView> Cart::move_to_cart(const std::string& owner, int64_t variant_id) {
  if (auto p = catalog_.product_of_variant_for_shoppers(variant_id); !p.ok()) return p.status();
  return change(owner, [&](WriteTxn& txn, CartRecord& rec) {
    auto it = find_line(rec.saved, variant_id);
    if (it == rec.saved.end())
      return find_line(rec.items, variant_id) != rec.items.end() ? Status::Ok() : not_in_cart();
    int64_t available = inventory_.available_in(txn, variant_id);
    if (it->quantity > available) return out_of_stock(*it, it->quantity, available);
    if (rec.items.size() >= kMaxLines) return cart_full();
    rec.items.push_back(*it);
    rec.saved.erase(it);
    return Status::Ok();
  });
}

Result<CartView> Cart::apply_code(const std::string& owner, const std::string& text) {
  auto discount = pricing_.find_code(text);
  if (!discount.ok()) return discount.status();
  const std::string code = *discount->code;
  // Priced with the code first (nothing written): only a code that applies
  // to this cart is kept.
  CartRecord trial = current(owner);
  if (std::find(trial.discount_codes.begin(), trial.discount_codes.end(), code) == trial.discount_codes.end())
    trial.discount_codes.push_back(code);
  auto priced = render(trial);
  if (!priced.ok()) return priced.status();
  for (const auto& r : priced->quote.rejected)
    if (r.code == code) return code_refusal(r);
  return change(owner, [&](WriteTxn&, CartRecord& stored) {
    if (std::find(stored.discount_codes.begin(), stored.discount_codes.end(), code) == stored.discount_codes.end()) {
      if (stored.discount_codes.size() >= kMaxCodes)
        return Status(Kind::unprocessable, "too_many_codes",
                      "a cart holds at most " + std::to_string(kMaxCodes) + " discount codes");
      stored.discount_codes.push_back(code);
    }
    return Status::Ok();
  });
}

Result<CartView> Cart::remove_code(const std::string& owner, const std::string& text) {
  auto code = normalize_code(text);
  if (!code) return Status::NotFound("that code is not applied to the cart");
  return change(owner, [&](WriteTxn&, CartRecord& rec) {
    auto it = std::find(rec.discount_codes.begin(), rec.discount_codes.end(), *code);
    if (it == rec.discount_codes.end())
      return Status(Kind::not_found, "discount_not_applied", "the code " + *code + " is not applied to the cart");
    rec.discount_codes.erase(it);
    return Status::Ok();
  });
}

CartRecord Cart::current(const std::string& owner) {
  std::optional<CartRecord> rec;
  {
    ReadTxn txn(kv_);
    rec = cart_store::get(txn, kv_, owner);
  }
  int64_t now = now_seconds();
  return rec && rec->expires_at > now ? *rec : fresh_cart(owner, now);
}

Result<CartView> Cart::preview(const std::string& owner, const CartShipping& shipping) {
  CartRecord trial = current(owner);
  trial.shipping = shipping;
  return render(trial);
}

Result<CartView> Cart::set_shipping(const std::string& owner, const CartShipping& shipping) {
  if (!shipping.method.empty()) {
    auto priced = preview(owner, shipping);
    if (!priced.ok()) return priced.status();
    // A destination the shop does not serve is kept (the cart says so); a
    // method it does not offer there is refused.
    if (priced->quote.shipping_problem == "shipping_method_unavailable")
      return shipping_refusal(priced->quote, shipping.method);
  }
  return change(owner, [&](WriteTxn&, CartRecord& rec) {
    rec.shipping = shipping;
    return Status::Ok();
  });
}

Status Cart::remove_lines(const std::string& owner, const std::vector<int64_t>& variant_ids) {
  return kv_.write([&](WriteTxn& txn) {
    auto stored = cart_store::get(txn, kv_, owner);
    if (!stored) return Status::Ok();
    CartRecord rec = *stored;
    for (int64_t id : variant_ids)
      if (auto it = find_line(rec.items, id); it != rec.items.end()) rec.items.erase(it);
    if (rec.items.size() == stored->items.size()) return Status::Ok();
    if (rec.items.empty()) rec.discount_codes.clear();  // used by the order that emptied it
    rec.updated_at = now_seconds();
    cart_store::put(txn, kv_, rec, &*stored);
    cart_store::note_checked_out(txn, kv_, rec.cart_id, rec.updated_at);  // [reports] conversion
    return Status::Ok();
  });
}

Status Cart::merge(const std::string& from_owner, const std::string& to_owner) {
  if (from_owner == to_owner) return Status::Ok();
  return kv_.write([&](WriteTxn& txn) {
    int64_t now = now_seconds();
    auto from = cart_store::get(txn, kv_, from_owner);
    if (!from) return Status::Ok();
    if (from->expires_at <= now) {
      cart_store::remove(txn, kv_, *from);
      return Status::Ok();
    }
    auto stored = cart_store::get(txn, kv_, to_owner);
    CartRecord to = stored && stored->expires_at > now ? *stored : fresh_cart(to_owner, now);
    for (const auto& l : from->items) {
      if (auto it = find_line(to.items, l.variant_id); it != to.items.end()) {
        it->quantity = std::min<int64_t>(config_.max_quantity_per_line, it->quantity + l.quantity);
        continue;
      }
      if (auto s = find_line(to.saved, l.variant_id); s != to.saved.end()) to.saved.erase(s);
      if (to.items.size() < kMaxLines) to.items.push_back(l);
    }
    for (const auto& l : from->saved) {
      if (find_line(to.items, l.variant_id) != to.items.end() || find_line(to.saved, l.variant_id) != to.saved.end())
        continue;
      if (to.saved.size() < kMaxLines) to.saved.push_back(l);
    }
    // The guest's codes and destination come along (the account's own win).
    for (const auto& code : from->discount_codes)
      if (std::find(to.discount_codes.begin(), to.discount_codes.end(), code) == to.discount_codes.end())
        to.discount_codes.push_back(code);
    if (to.shipping.country.empty()) to.shipping = from->shipping;
    to.updated_at = now;
    to.expires_at = now + config_.cart_ttl_seconds;
    cart_store::remove(txn, kv_, *from);
    cart_store::put(txn, kv_, to, stored ? &*stored : nullptr);
    return Status::Ok();
  });
}

cart_store::CartActivity Cart::activity(int64_t since, int64_t until) {
  ReadTxn txn(kv_);
  return cart_store::activity(txn, kv_, since, until);
}

size_t Cart::sweep_expired() {
  size_t removed = 0;
  // [reports] Cart activity is kept for the reports' longest reach (a year
  // and its previous period), then dropped a batch per sweep.
  (void)kv_.write([&](WriteTxn& txn) {
    cart_store::prune_activity(txn, kv_, now_seconds() - kActivityKeptSeconds, 500);
    return Status::Ok();
  });
  for (;;) {
    std::vector<std::string> due;
    {
      ReadTxn txn(kv_);
      due = cart_store::due(txn, kv_, now_seconds(), 500);
    }
    if (due.empty()) return removed;
    size_t batch = 0;
    Status st = kv_.write([&](WriteTxn& txn) {
      int64_t now = now_seconds();
      for (const auto& owner : due) {
        auto c = cart_store::get(txn, kv_, owner);
        if (!c || c->expires_at > now) continue;  // renewed meanwhile
        cart_store::remove(txn, kv_, *c);
        ++batch;
      }
      return Status::Ok();
    });
    if (!st.ok()) return removed;
    removed += batch;
    if (batch == 0) return removed;
  }
}

// [email] abandoned-cart reminders.
std::vector<CartRecord> Cart::idle_user_carts(int64_t idle_before, size_t limit) {
  ReadTxn txn(kv_);
  auto carts = cart_store::idle_user_carts(txn, kv_, idle_before, limit);
  int64_t now = now_seconds();
  std::erase_if(carts, [&](const CartRecord& c) { return c.expires_at <= now; });
  return carts;
}

size_t Cart::count() {
  ReadTxn txn(kv_);
  return cart_store::count(txn, kv_);
}

json cart_json(const CartView& v, const Config& config) {
  auto line_json = [](const PricedLine& p) {
    return json{{"cart_item_id", p.line.cart_item_id},
                {"product_id", std::to_string(p.line.product_id)},
                {"variant_id", std::to_string(p.line.variant_id)},
                {"name", p.name},
                {"variant_title", p.variant_title},
                {"sku", p.sku},
                {"quantity", p.line.quantity},
                {"unit_price", cents_to_json(p.unit_price)},
                {"original_price", cents_to_json(p.original_price)},
                {"subtotal", cents_to_json(p.subtotal)},
                {"image", p.image.empty() ? json(nullptr) : json(p.image)},
                {"selected_options", p.line.selected_options},
                {"available", p.available},
                {"in_stock", p.available > 0},
                {"unavailable", p.unavailable},
                {"insufficient_stock", p.insufficient_stock},
                {"added_at", iso8601(p.line.added_at)}};
  };
  json items = json::array(), saved = json::array();
  for (const auto& p : v.items) items.push_back(line_json(p));
  for (const auto& p : v.saved) saved.push_back(line_json(p));
  const Quote& q = v.quote;
  json rejected = json::array();
  for (const auto& r : q.rejected) rejected.push_back({{"code", r.code}, {"reason", r.reason}, {"details", r.details}});
  return {{"cart_id", v.exists ? json(v.cart_id) : json(nullptr)},
          {"items", items},
          {"saved_for_later", saved},
          {"summary",
           {{"items_count", v.items_count},
            {"subtotal", cents_to_json(q.subtotal)},
            {"discount", cents_to_json(q.discount)},
            {"discounts", discounts_json(q.discounts)},
            {"savings", cents_to_json(v.savings)},
            {"tax", cents_to_json(q.tax)},
            {"taxes", taxes_json(q.taxes)},
            {"tax_included", cents_to_json(q.tax_included)},
            {"shipping", cents_to_json(q.shipping)},
            {"total", cents_to_json(q.total)},
            {"currency", config.currency},
            {"free_shipping_remaining",
             q.free_shipping_remaining ? cents_to_json(*q.free_shipping_remaining) : json(nullptr)}}},
          {"discount_codes", v.discount_codes},
          {"rejected_codes", rejected},
          {"shipping", shipping_json(q, v.shipping.address_id)},
          {"expires_at", v.exists ? json(iso8601(v.expires_at)) : json(nullptr)}};
}

json shipping_json(const Quote& q, int64_t address_id) {
  int64_t now = now_seconds();
  json options = json::array();
  for (const auto& o : q.shipping_options) options.push_back(shipping_option_json(o, now));
  json destination = {{"country", q.destination.country},
                      {"state", q.destination.state},
                      {"zip", q.destination.zip},
                      {"estimated", q.destination_estimated}};
  if (address_id > 0) destination["address_id"] = std::to_string(address_id);
  return {{"destination", destination},
          {"zone", q.zone_name.empty() ? json(nullptr) : json(q.zone_name)},
          {"method", q.shipping_method ? shipping_option_json(*q.shipping_method, now) : json(nullptr)},
          {"options", options},
          {"problem", q.shipping_problem}};
}

}  // namespace shopbox
