// The plugin library's one exported symbol.
#include "opset_builtin.h"
#include "tflc/sdk/plugin.h"

TFLC_PLUGIN_ENTRY(TflcOpsetBuiltin_Query)
