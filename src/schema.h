// Every module's tables: the shop's schema migrations, in version order.
//
// Each module owns its tables and their migrations, next to its store
// (src/<module>/schema.cpp). Rules: never edit a migration that has
// shipped; add a new one with the next version in the module's range, so
// parallel work never collides:
//   100s catalog · 200s users/auth · 301, 303 test gateway · 302, 304+
//   orders/payments/checkout · 401 reviews · 402 wishlist · 403
//   recommendations · 500s outbox/webhooks · 700s
//   cluster/replication · 800s flash sales · 900s pricing · 1001-1099 email
//   · 1101-1199 settings · 1201-1299 audit log
// Sqlite::open applies, in this order, every one a database lacks.
#pragma once

#include <vector>

#include "storage/sqlite.h"

namespace shopbox {

const std::vector<Migration>& all_migrations();

}  // namespace shopbox
