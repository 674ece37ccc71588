// The shared plugin conformance suite (descriptor, quantizer table, Create/Destroy), run against
// this plugin.
#include "../src/plugin.h"
#include "tflc/testing/conformance.h"

TFLC_PLUGIN_CONFORMANCE_TEST(QuantInt8, TflcQuantInt8_Query);
