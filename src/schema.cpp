#include "schema.h"

#include <algorithm>

#include "audit/audit.h"
#include "catalog/catalog_store.h"
#include "cluster/cluster_store.h"
#include "email/email.h"
#include "events/outbox.h"
#include "flash/flash_store.h"
#include "orders/order_store.h"
#include "payments/stripe_gateway.h"
#include "payments/test_gateway.h"
#include "pricing/pricing_store.h"
#include "recommendations/recommendations.h"
#include "reviews/review_store.h"
#include "settings/settings.h"
#include "users/user_store.h"
#include "wishlist/wishlist.h"

namespace shopbox {

const std::vector<Migration>& all_migrations() {
  static const std::vector<Migration> migrations = [] {
    std::vector<Migration> all;
    for (const auto* module :
         {&catalog_migrations(), &user_migrations(), &test_gateway_migrations(), &order_migrations(),
          &review_migrations(), &wishlist_migrations(), &recommendation_migrations(), &outbox_migrations(),
          &cluster_migrations(), &flash_migrations(), &pricing_migrations(), &email_migrations(), &stripe_migrations(),
          &audit::migrations(),
          &settings_migrations()})
      all.insert(all.end(), module->begin(), module->end());
    std::sort(all.begin(), all.end(), [](const Migration& a, const Migration& b) { return a.version < b.version; });
    return all;
  }();
  return migrations;
}

}  // namespace shopbox
