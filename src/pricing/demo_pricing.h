// The demo shop's pricing (`shopbox demo`, `shopbox init --demo`): shipping
// zones with US states with and without sales tax and an EU zone with VAT
// included, a few promotions and codes. The rates are examples: real rates
// are the merchant's responsibility (docs/pricing.md).
#pragma once

#include "base/status.h"

namespace shopbox {

class Catalog;
class Pricing;

// Does nothing when the shop already has zones or discounts.
[[nodiscard]] Status load_demo_pricing(Pricing& pricing, Catalog& catalog);

}  // namespace shopbox
