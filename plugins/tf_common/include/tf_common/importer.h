// GraphDef → tflc source graph.
//
// FlatGraph flattens a GraphDef: every StatefulPartitionedCall / PartitionedCall (and every node
// whose op names a library function) is inlined recursively, its body nodes renamed
// "<call>/<node>", function-body input names ("node:out_arg:i", "arg") turned into flat tensor
// references, and the call's outputs made aliases of the function's `ret` tensors. Control inputs
// are dropped. ImportGraph then walks back from the requested outputs (pruning everything else,
// detecting cycles) and emits placeholders as graph inputs, Const as constants, variables through
// a caller-supplied resolver (the checkpoint), and every other node as a source node with its
// exact TF op name and attributes.
#ifndef TFLC_PLUGINS_TF_COMMON_IMPORTER_H_
#define TFLC_PLUGINS_TF_COMMON_IMPORTER_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "graph.pb.h"
#include "tflc/sdk/plugin.h"

namespace tflc::tf {

struct Ref {
  std::string node;
  int index = 0;
};

struct FlatNode {
  std::string name;
  const NodeDef* def = nullptr;  // borrowed from the GraphDef / its library
  std::vector<Ref> inputs;       // data inputs only
  int declared_outputs = 0;      // from the OpDef when known, else 0
  std::vector<TflcDataType> output_types;  // from the OpDef when known, else empty
  // A call kept as a call (not inlined): the library function it calls. Calls of functions that
  // Keras tags as an RNN implementation (attr api_implements "lstm_..." / "gru_...") are kept, so
  // the lowering can fuse the whole layer; every other call is inlined.
  std::string callee;
};

// The attribute of every imported source node (other than Const, Placeholder and variables) that
// holds its NodeDef, serialized (STRING): a GraphDef node as it is (fields unchanged, attributes in
// key order); a node inlined from a function with its flat name and flat data inputs.
inline constexpr const char kNodeDefAttr[] = "_tf_node_def";

// `def` serialized with its attribute map in key order (protobuf's deterministic serialization):
// the default order of map entries varies from process to process, and the NodeDef goes into the
// .tflite (Select TF ops), whose bytes must not depend on the run.
std::string SerializeNodeDef(const NodeDef& def);

class FlatGraph {
 public:
  // `ops` (may be NULL): OpDefs (a SavedModel's stripped_op_list) for multi-output-arg ops.
  // The GraphDef must outlive the FlatGraph.
  static StatusOr<std::unique_ptr<FlatGraph>> Build(const GraphDef& graph, const OpList* ops);
  // Library function `name` as a graph of its own (a loop body, an If branch): one Placeholder per
  // argument (named as the argument, typed from the signature), the body inlined under `prefix`,
  // and outputs `prefix:0..n-1` in signature order. The library must outlive the FlatGraph.
  static StatusOr<std::unique_ptr<FlatGraph>> BuildFunction(const FunctionDefLibrary& library, const OpList* ops,
                                                            const std::string& name, const std::string& prefix);

  // The library and OpDefs the graph was built from (for functions that control flow calls).
  const FunctionDefLibrary* library() const { return library_; }
  const OpList* ops() const { return ops_; }
  const FunctionDef* Function(const std::string& name) const;

  const FlatNode* Find(const std::string& name) const;
  // Follows call-output aliases; NotFound when the node does not exist.
  StatusOr<Ref> Resolve(const Ref& r) const;
  bool Exists(const std::string& name) const;
  std::vector<std::string> Names() const;  // every node and call name
  const std::map<std::string, FlatNode>& nodes() const { return nodes_; }

 private:
  friend class Flattener;
  std::map<std::string, FlatNode> nodes_;
  std::map<std::string, std::vector<Ref>> call_outputs_;  // call node → its outputs
  const FunctionDefLibrary* library_ = nullptr;
  const OpList* ops_ = nullptr;
  std::vector<std::unique_ptr<NodeDef>> owned_;  // BuildFunction's argument placeholders
};

struct ImportInput {
  std::string tensor;          // "x" or "x:0"
  std::string signature_name;  // empty = node name
  std::optional<std::vector<int64_t>> shape;  // from --input_shapes or the SignatureDef
};
struct ImportOutput {
  std::string tensor;          // "y", "y:1", "StatefulPartitionedCall:0"
  std::string signature_name;
};

struct ImportSpec {
  std::vector<ImportInput> inputs;
  bool inputs_listed = false;      // else every reached Placeholder is an input
  std::vector<ImportOutput> outputs;
  bool unknown_rank_is_scalar = false;  // SavedModel signatures with unknown rank (as TF's converter)
  // Importing a function body into a subgraph: inputs may have an unknown shape and any type
  // (TensorList handles, resources); the caller's constant arguments are bound here (argument
  // name → the caller's constant), used inside as that constant (shared, not copied) while the
  // subgraph keeps the input for its arity.
  bool subgraph = false;
  std::map<std::string, sdk::ValueView> bound_consts;
  std::string shape_option = "--input_shapes";  // named in "unknown shape" errors
};

// Gives the frozen value of a variable node (VariableV2, VarHandleOp, ...).
using VariableResolver =
    std::function<StatusOr<sdk::ValueView>(const FlatNode& var, const sdk::GraphBuilder& gb)>;

Status ImportGraph(const FlatGraph& graph, const ImportSpec& spec, const VariableResolver& variables,
                   const sdk::GraphBuilder& gb);

// True for the ops that hold variables.
bool IsVariableOp(const std::string& op);

// TF attr → TflcAttrValue (kinds without a tflc equivalent are skipped: returns false).
// Storage for lists is kept in `keep` for the duration of the Node_SetAttr call.
struct AttrStorage {
  std::vector<int64_t> ints;
  std::vector<double> floats;
  std::vector<std::string> strs;
  std::vector<TflcStringView> views;
};
bool ToTflcAttr(const AttrValue& a, TflcAttrValue* out, AttrStorage* keep);

}  // namespace tflc::tf

#endif  // TFLC_PLUGINS_TF_COMMON_IMPORTER_H_
