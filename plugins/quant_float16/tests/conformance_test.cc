// The shared plugin conformance suite (descriptor, quantizer table, Create/Destroy), run against
// this plugin.
#include "float16.h"
#include "tflc/testing/conformance.h"

TFLC_PLUGIN_CONFORMANCE_TEST(QuantFloat16, TflcQuantFloat16_Query);
