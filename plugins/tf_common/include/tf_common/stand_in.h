// Custom ops that stand in for a TensorFlow node the builtins cannot express: shared by the Select
// TF lowering (Flex<Op>, run by TensorFlow's kernels) and the custom-op lowering (--allow_custom_ops).
//
// Both keep the node's data inputs and outputs as they are. What TFLite needs beyond that is each
// output's type (the runtime checks it) and, where it can be known, its shape:
//   1. what the frontend declared on the source outputs (OpDef types from a SavedModel, shapes from
//      `_output_shapes`);
//   2. else the rules of OutputTypeRule / SameShapeAsInput0 below (TF op semantics);
//   3. else unknown rank: the kernel sizes the tensor at run time.
#ifndef TFLC_PLUGINS_TF_COMMON_STAND_IN_H_
#define TFLC_PLUGINS_TF_COMMON_STAND_IN_H_

#include <string>
#include <string_view>
#include <vector>

#include "tflc/sdk/plugin.h"

namespace tflc::tf {

// The type of output `index` of `src` by TF semantics when the graph did not state it: a table of
// ops whose output types are fixed or come from a named attribute, else the usual output type
// attributes (out_type, Tout, output_type, DstT, dtype, T), else the type of the first input.
// UNKNOWN when none applies.
TflcDataType InferOutputType(const sdk::NodeView& src, size_t index);

// True for TF ops whose every output has the shape of input 0 (elementwise unary ops, cumulative
// sums, ...).
bool SameShapeAsInput0(std::string_view op);

// Adds a TFLC_DOMAIN_CUSTOM node `custom_code` named like `src`, with src's data inputs, output
// types and shapes as described above, and redirects every use of src's outputs to it.
StatusOr<sdk::NodeView> EmitStandIn(const sdk::GraphBuilder& graph, const sdk::NodeView& src,
                                    std::string_view custom_code);

// The serialized NodeDef of `src`: the frontend's (attribute `_tf_node_def`) when present, else
// one built from the node's name, op, input value names and attributes.
StatusOr<std::string> SourceNodeDef(const sdk::NodeView& src);

}  // namespace tflc::tf

#endif  // TFLC_PLUGINS_TF_COMMON_STAND_IN_H_
