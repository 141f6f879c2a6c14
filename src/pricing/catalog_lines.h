// A variant as the pricing engine sees it: its price, weight and the
// categories its product sits in. Cart, checkout and flash-sale checkout
// build their lines with this, so the three price the same facts.
#pragma once

#include "catalog/catalog.h"
#include "catalog/product.h"
#include "pricing/pricing.h"

namespace shopbox {

inline PricingLine pricing_line(Catalog& catalog, const Product& p, const Variant& v, int64_t quantity,
                                Cents unit_price) {
  PricingLine l;
  l.product_id = p.id;
  l.variant_id = v.id;
  l.categories = catalog.category_ancestry(p.category_id);
  l.quantity = quantity;
  l.unit_price = unit_price;
  l.weight_grams = v.weight_grams.value_or(0);
  return l;
}

}  // namespace shopbox
