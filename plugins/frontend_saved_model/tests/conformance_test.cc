// The shared plugin conformance suite (descriptor, tables, frontend robustness with hostile paths).
#if TFLC_HAVE_CONFORMANCE
#include "tflc/testing/conformance.h"

#include "frontend.h"

TFLC_PLUGIN_CONFORMANCE_TEST(FrontendSavedModel, TflcFrontendSavedModel_Query);
#endif
