// The host's passes over the IR. Op-agnostic: everything op-specific comes from plugin tables.
#ifndef TFLC_HOST_PIPELINE_PASSES_H_
#define TFLC_HOST_PIPELINE_PASSES_H_

#include <string>
#include <vector>

#include "ir/ir.h"
#include "registry/registry.h"
#include "tflc/sdk/status.h"

namespace tflc::host {

class SampleSourceFactory;  // quant/sample_source.h

struct PassContext {
  const Registry* registry = nullptr;
  const TflcOptions* options = nullptr;
  // The representative dataset when it is not a file (the Python binding's generator); borrowed,
  // null otherwise. When set, Quantize calibrates from it instead of loading the
  // "representative_dataset" option's path.
  const SampleSourceFactory* representative_dataset = nullptr;
  // LowerGraph infers shapes of (and folds) each lowering's new nodes right away. The pipeline
  // wants this; unit tests of a single lowering turn it off to see the raw emitted ops.
  bool eager_shapes = true;
};

// Removes nodes that no graph output depends on.
Status PruneToOutputs(TflcGraph* g);
// Checks every source node has a lowering (all problems reported at once), then lowers them.
Status LowerGraph(const PassContext& ctx, TflcGraph* g);
// Runs opset shape functions over builtin/custom nodes in topological order.
Status InferShapes(const PassContext& ctx, TflcGraph* g);
// Replaces nodes whose inputs are all constant (and whose op has a kernel) by constants.
Status FoldConstants(const PassContext& ctx, TflcGraph* g);
// Fusions driven by opset facts: per-channel MUL into weights, ADD into bias, activations.
Status Fuse(const PassContext& ctx, TflcGraph* g);
// Final checks before export: every op known to an opset, every type and rank known.
Status Verify(const PassContext& ctx, TflcGraph* g);

// Evaluates one node with its opset kernel (inputs must all be constant or given in `inputs`).
// Allocates outputs per the outputs' shapes.
struct TensorData {
  TflcDataType type = TFLC_TYPE_UNKNOWN;
  std::vector<int64_t> dims;
  std::shared_ptr<const ConstBuffer> buffer;
};
Status EvaluateNode(const PassContext& ctx, TflcNode* node, const std::vector<const void*>& inputs,
                    std::vector<std::shared_ptr<OwnedBuffer>>* outputs);

// The whole middle of the pipeline: prune, lower, shapes, fold, fuse, fold, verify.
Status RunPipeline(const PassContext& ctx, TflcModel* model);

}  // namespace tflc::host

#endif  // TFLC_HOST_PIPELINE_PASSES_H_
