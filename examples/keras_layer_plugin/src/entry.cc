// The plugin library's one exported symbol (TflcPlugin_Query), forwarding to KerasRecipeLayers_Query.
#include "recipe_layers.h"
#include "tflc/sdk/plugin.h"

TFLC_PLUGIN_ENTRY(KerasRecipeLayers_Query)
