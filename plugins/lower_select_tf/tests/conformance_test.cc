// The shared plugin conformance suite, run against both fallback lowerings.
#include "custom.h"
#include "select_tf.h"
#include "tflc/testing/conformance.h"

TFLC_PLUGIN_CONFORMANCE_TEST(LowerSelectTf, TflcLowerSelectTf_Query);
TFLC_PLUGIN_CONFORMANCE_TEST(LowerCustom, TflcLowerCustom_Query);
