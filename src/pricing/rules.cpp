// Names of the rule enums as the API and the database spell them, and the
// one rule for what a discount code looks like.
#include "pricing/rules.h"

#include "base/text.h"

namespace shopbox {

const char* discount_type_name(DiscountType t) {
  switch (t) {
    case DiscountType::percentage:
      return "percentage";
    case DiscountType::fixed_amount:
      return "fixed_amount";
    case DiscountType::free_shipping:
      return "free_shipping";
    case DiscountType::buy_x_get_y:
      return "buy_x_get_y";
  }
  return "percentage";
}

std::optional<DiscountType> parse_discount_type(const std::string& text) {
  for (DiscountType t :
       {DiscountType::percentage, DiscountType::fixed_amount, DiscountType::free_shipping, DiscountType::buy_x_get_y})
    if (text == discount_type_name(t)) return t;
  return std::nullopt;
}

const char* discount_scope_name(DiscountScope s) {
  switch (s) {
    case DiscountScope::order:
      return "order";
    case DiscountScope::categories:
      return "categories";
    case DiscountScope::products:
      return "products";
    case DiscountScope::variants:
      return "variants";
  }
  return "order";
}

std::optional<DiscountScope> parse_discount_scope(const std::string& text) {
  for (DiscountScope s :
       {DiscountScope::order, DiscountScope::categories, DiscountScope::products, DiscountScope::variants})
    if (text == discount_scope_name(s)) return s;
  return std::nullopt;
}

const char* shipping_method_type_name(ShippingMethodType t) {
  switch (t) {
    case ShippingMethodType::flat:
      return "flat";
    case ShippingMethodType::weight:
      return "weight";
    case ShippingMethodType::free_over:
      return "free_over";
    case ShippingMethodType::pickup:
      return "pickup";
  }
  return "flat";
}

std::optional<ShippingMethodType> parse_shipping_method_type(const std::string& text) {
  for (ShippingMethodType t : {ShippingMethodType::flat, ShippingMethodType::weight, ShippingMethodType::free_over,
                               ShippingMethodType::pickup})
    if (text == shipping_method_type_name(t)) return t;
  return std::nullopt;
}

std::optional<std::string> normalize_code(const std::string& text) {
  // Shoppers type codes in any case and paste them with stray spaces
  // around; inside a code a space is a different code, so it is refused.
  std::string code = trim(text);
  if (code.empty() || code.size() > kMaxCodeLength) return std::nullopt;
  for (char& ch : code) {
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
    const bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
    if (!ok) return std::nullopt;
  }
  return code;
}

}  // namespace shopbox
