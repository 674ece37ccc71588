// The shared plugin conformance suite (descriptor, quantizer table, Create/Destroy), run against
// this plugin.
#include "dynamic_range.h"
#include "tflc/testing/conformance.h"

TFLC_PLUGIN_CONFORMANCE_TEST(QuantDynamicRange, TflcQuantDynamicRange_Query);
