// The plugin library's one exported symbol (TflcPlugin_Query), forwarding to AcmeOps_Query.
#include "acme_ops.h"
#include "tflc/sdk/plugin.h"

TFLC_PLUGIN_ENTRY(AcmeOps_Query)
