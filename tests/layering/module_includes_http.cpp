// Must NOT compile: a module (src/<module>/) sits below the HTTP layer; it
// reports a Status and never knows a route. CTest's layering.module_includes_http
// builds this file with the modules' include paths and expects the error.
#include "catalog/catalog.h"  // a module: found
#include "http/server.h"      // the layer above: "No such file"
