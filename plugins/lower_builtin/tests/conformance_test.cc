// The shared plugin conformance suite (descriptor, table, status hygiene of every Lower callback on
// hostile input, Create/Destroy), run against this plugin.
#include "lowerings.h"
#include "tflc/testing/conformance.h"

TFLC_PLUGIN_CONFORMANCE_TEST(LowerBuiltin, TflcLowerBuiltin_Query);
