// The plugin library's one exported symbol.
#include "custom.h"
#include "tflc/sdk/plugin.h"

TFLC_PLUGIN_ENTRY(TflcLowerCustom_Query)
