// Must compile: what a module may include (other modules, config, schema,
// storage, search, base), so the module_includes_* failures are about the
// upward include alone.
#include "base/status.h"
#include "catalog/catalog.h"
#include "checkout/checkout.h"
#include "config.h"
#include "schema.h"
#include "search/index.h"
#include "storage/sqlite.h"
