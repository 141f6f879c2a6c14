// Must NOT compile: services and workflows receive the services they use
// (their constructors say which), never the composition root.
// clang-format off
#include "checkout/checkout.h"  // a module: found
#include "app.h"                // the composition root above: "No such file"
// clang-format on
