// The plugin library's one exported symbol.
#include "float16.h"
#include "tflc/sdk/plugin.h"

TFLC_PLUGIN_ENTRY(TflcQuantFloat16_Query)
