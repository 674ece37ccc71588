// The plugin library's one exported symbol.
#include "lowerings.h"
#include "tflc/sdk/plugin.h"

TFLC_PLUGIN_ENTRY(TflcLowerBuiltin_Query)
