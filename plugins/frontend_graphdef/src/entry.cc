// The plugin library's one exported symbol.
#include "frontend.h"
#include "tflc/sdk/plugin.h"

TFLC_PLUGIN_ENTRY(TflcFrontendGraphDef_Query)
