// The keras_h5 frontend plugin: reads Keras models (.h5 legacy full-model files written by Keras
// 1/2/3 and Keras 3 .keras archives) into tflc's source graph.
#ifndef TFLC_PLUGINS_FRONTEND_KERAS_H5_SRC_FRONTEND_H_
#define TFLC_PLUGINS_FRONTEND_KERAS_H5_SRC_FRONTEND_H_

#include "tflc/abi/tflc_plugin.h"

// The plugin's query function (entry.cc exports it as TflcPlugin_Query; tests register it with
// FakeHost directly).
extern "C" const TflcPluginApi* TflcFrontendKerasH5_Query(const TflcPluginQuery_Args* args);

#endif  // TFLC_PLUGINS_FRONTEND_KERAS_H5_SRC_FRONTEND_H_
