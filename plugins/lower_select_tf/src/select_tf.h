// lower_select_tf: TensorFlow ops with no builtin lowering → Select TF ops (`Flex<Op>` custom ops
// that TFLite's Flex delegate runs with TensorFlow's own kernels), for the ops of TensorFlow's Flex
// allowlist. Enabled by --enable_select_tf_ops or SELECT_TF_OPS in --target_spec.supported_ops.
#ifndef TFLC_PLUGINS_LOWER_SELECT_TF_SELECT_TF_H_
#define TFLC_PLUGINS_LOWER_SELECT_TF_SELECT_TF_H_

#include <string>
#include <string_view>

#include "tflc/abi/tflc_plugin.h"

namespace tflc::select_tf {

// True if the Flex delegate runs `op` (TensorFlow's allowlist).
bool IsAllowlisted(std::string_view op);

// custom_options of a Flex op: the FlexBuffer vector [op name, serialized NodeDef].
std::string FlexOptions(std::string_view op, const std::string& node_def);

}  // namespace tflc::select_tf

extern "C" const TflcPluginApi* TflcLowerSelectTf_Query(const TflcPluginQuery_Args* args);

#endif  // TFLC_PLUGINS_LOWER_SELECT_TF_SELECT_TF_H_
