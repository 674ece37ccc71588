// The plugin library's one exported symbol.
#include "dynamic_range.h"
#include "tflc/sdk/plugin.h"

TFLC_PLUGIN_ENTRY(TflcQuantDynamicRange_Query)
