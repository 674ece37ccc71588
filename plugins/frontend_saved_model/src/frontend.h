// The saved_model frontend plugin: TensorFlow SavedModel directories (TF1 and TF2) → source graph.
#ifndef TFLC_PLUGINS_FRONTEND_SAVED_MODEL_SRC_FRONTEND_H_
#define TFLC_PLUGINS_FRONTEND_SAVED_MODEL_SRC_FRONTEND_H_

#include "tflc/abi/tflc_plugin.h"

extern "C" const TflcPluginApi* TflcFrontendSavedModel_Query(const TflcPluginQuery_Args* args);

#endif  // TFLC_PLUGINS_FRONTEND_SAVED_MODEL_SRC_FRONTEND_H_
