// lower_custom: with --allow_custom_ops, any op nothing else lowers becomes a TFLite custom op named
// like the TF op (custom_code = op name), its attributes in custom_options as a FlexBuffer map with
// sorted keys — what TensorFlow's converter writes; the app registers a kernel for it.
#ifndef TFLC_PLUGINS_LOWER_CUSTOM_CUSTOM_H_
#define TFLC_PLUGINS_LOWER_CUSTOM_CUSTOM_H_

#include <string>
#include <vector>

#include "tflc/abi/tflc_plugin.h"

namespace tflc::lower_custom {

// The FlexBuffer map of a serialized NodeDef's attributes, as TensorFlow's converter encodes them
// (CreateFlexBuilderWithNodeAttrs): s → String, i → Int, f → Float, b → Bool, type → Int (TFLite
// TensorType), non-empty list(s) / list(i) / list(f) → typed vectors. Other kinds (shape, tensor,
// func, list(type), list(bool), empty lists) are left out and named in `skipped`; TF's internal
// attributes ("_output_shapes", "_class", ...) are left out silently.
// False if `node_def` does not parse.
bool AttrMapOptions(const std::string& node_def, std::string* options, std::vector<std::string>* skipped);

}  // namespace tflc::lower_custom

extern "C" const TflcPluginApi* TflcLowerCustom_Query(const TflcPluginQuery_Args* args);

#endif  // TFLC_PLUGINS_LOWER_CUSTOM_CUSTOM_H_
