// Must NOT compile: storage/ sits below the modules (DESIGN.md "Layout"),
// so a module header is out of its reach. CTest's layering.storage_up
// builds this file with storage's include paths and expects the error.
#include "storage/sqlite.h"     // its own layer: found
#include "catalog/catalog.h"    // a module above it: "No such file"
