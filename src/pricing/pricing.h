// Pricing rules, in one place (DESIGN.md "Cart rules"; the numbers live in
// Config, never as constants in code):
//   taxable  = subtotal - discount (never below zero)
//   tax      = taxable * Config::tax_rate_bp / 10000, rounded half-up to the cent
//   shipping = 0 when taxable > Config::free_shipping_threshold (strictly over),
//              else Config::flat_shipping; 0 when there is nothing to ship
//              (subtotal == 0, an empty cart)
//   total    = taxable + tax + shipping
// The cart summary and checkout both call price_order, so a cart's total is
// the order's total.
#pragma once

#include "base/money.h"
#include "config.h"

namespace shopbox {

struct Totals {
  Cents subtotal = 0;
  Cents discount = 0;
  Cents tax = 0;
  Cents shipping = 0;
  Cents total = 0;
};

Totals price_order(Cents subtotal, Cents discount, const Config& config);

}  // namespace shopbox
