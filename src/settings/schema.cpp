// The settings module's table (1101-1199).
// Schema migrations: never edit one that has shipped, add a new one
// (src/schema.h lists every module's and the version ranges).
#include "settings/settings.h"

namespace shopbox {

const std::vector<Migration>& settings_migrations() {
  static const std::vector<Migration> migrations = {
      {1101, "shop_settings",
       R"sql(
-- One row per setting the merchant saved ("name", "policy.returns.body"):
-- a key without a row takes its default from the config file, so a new
-- setting in a later version needs no migration.
CREATE TABLE shop_settings (
  key        TEXT PRIMARY KEY,
  value      TEXT NOT NULL,
  updated_at INTEGER NOT NULL  -- unix millis
);
)sql"},
  };
  return migrations;
}

}  // namespace shopbox
