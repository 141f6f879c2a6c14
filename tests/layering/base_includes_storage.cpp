// Must NOT compile: base/ is the bottom layer.
#include "base/status.h"       // found
#include "storage/sqlite.h"    // a layer above: "No such file"
