// The plugin library's one exported symbol.
#include "plugin.h"
#include "tflc/sdk/plugin.h"

TFLC_PLUGIN_ENTRY(TflcQuantInt16x8_Query)
