// The plugin library's one exported symbol.
#include "select_tf.h"
#include "tflc/sdk/plugin.h"

TFLC_PLUGIN_ENTRY(TflcLowerSelectTf_Query)
