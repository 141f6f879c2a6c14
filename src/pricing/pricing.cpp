#include "pricing/pricing.h"

#include <algorithm>

namespace shopbox {

Totals price_order(Cents subtotal, Cents discount, const Config& config) {
  Totals t;
  t.subtotal = std::max<Cents>(0, subtotal);
  t.discount = std::clamp<Cents>(discount, 0, t.subtotal);
  Cents taxable = t.subtotal - t.discount;
  t.tax = apply_basis_points(taxable, config.tax_rate_bp);
  if (t.subtotal == 0)
    t.shipping = 0;
  else
    t.shipping = taxable > config.free_shipping_threshold ? 0 : config.flat_shipping;
  t.total = taxable + t.tax + t.shipping;
  return t;
}

}  // namespace shopbox
