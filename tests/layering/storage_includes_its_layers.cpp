// Must compile: what storage/ may include (its own headers and base/), so
// the layering.storage_up failure is about the upward include alone.
#include "base/status.h"
#include "storage/sqlite.h"
