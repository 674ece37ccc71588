// The host's graph IR: the structs behind the ABI's opaque handles.
//
// One IR serves both vocabularies (TF source ops and TFLite ops, see TflcOpDomain). Constant data is
// held by reference-counted buffers, so a constant that no op uses any more frees its memory.
#ifndef TFLC_HOST_IR_IR_H_
#define TFLC_HOST_IR_IR_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tflc/abi/tflc_host_api.h"
#include "tflc/abi/tflc_types.h"
#include "tflc/sdk/status.h"

namespace tflc::host {

// Immutable bytes of a constant. Subclasses may map a file range instead of owning memory.
class ConstBuffer {
 public:
  virtual ~ConstBuffer() = default;
  virtual const uint8_t* data() const = 0;
  virtual size_t size() const = 0;
};

// Owned, 16-byte aligned memory (zero-initialized).
class OwnedBuffer final : public ConstBuffer {
 public:
  explicit OwnedBuffer(size_t size);
  ~OwnedBuffer() override;
  OwnedBuffer(const OwnedBuffer&) = delete;
  OwnedBuffer& operator=(const OwnedBuffer&) = delete;
  const uint8_t* data() const override { return data_; }
  size_t size() const override { return size_; }
  uint8_t* mutable_data() { return data_; }

 private:
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t mapped_ = 0;  // > 0: data_ is an anonymous mapping of this many bytes
};

// A read-only memory mapping of bytes [offset, offset + size) of a file. Each constant maps its own
// page-aligned range, so releasing the constant unmaps its pages (peak memory stays near one copy).
class MappedBuffer final : public ConstBuffer {
 public:
  static StatusOr<std::shared_ptr<MappedBuffer>> Map(const std::string& path, uint64_t offset, size_t size);
  ~MappedBuffer() override;
  MappedBuffer(const MappedBuffer&) = delete;
  MappedBuffer& operator=(const MappedBuffer&) = delete;
  const uint8_t* data() const override { return data_; }
  size_t size() const override { return size_; }

 private:
  MappedBuffer() = default;
  void* map_ = nullptr;
  size_t map_size_ = 0;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

struct Attr {
  TflcAttrKind kind = TFLC_ATTR_NONE;
  int64_t i = 0;
  double f = 0;
  std::string s;
  std::vector<int64_t> ints;
  std::vector<double> floats;
  std::vector<std::string> strings;
  // Views into `strings`, handed out by Node_GetAttr.
  std::vector<TflcStringView> string_views;

  bool operator==(const Attr& o) const {
    return kind == o.kind && i == o.i && f == o.f && s == o.s && ints == o.ints &&
           floats == o.floats && strings == o.strings;
  }
};

struct QuantParams {
  std::vector<float> scales;
  std::vector<int64_t> zero_points;
  int32_t quantized_dimension = 0;
  bool empty() const { return scales.empty(); }
};

}  // namespace tflc::host

// The opaque handle types of the ABI are defined here, in the global namespace.
struct TflcValue {
  TflcGraph* graph = nullptr;
  std::string name;
  TflcDataType type = TFLC_TYPE_UNKNOWN;
  int32_t rank = -1;  // -1 = unknown
  std::vector<int64_t> dims;
  // The declared shape when it differs from dims (TFLite shape_signature; -1 = open, e.g. an unknown
  // batch that the conversion fixed at 1). Empty = same as dims. Set on graph inputs by frontends.
  std::vector<int64_t> signature;
  std::shared_ptr<const tflc::host::ConstBuffer> data;  // non-null for constants
  bool is_variable = false;
  tflc::host::QuantParams quant;
  TflcNode* producer = nullptr;
  size_t producer_index = 0;
  std::vector<TflcNode*> users;  // one entry per use as a node input
  int output_uses = 0;           // times listed among the graph outputs
  int64_t id = 0;                // creation order, for deterministic iteration
  // Calibration: the range the value took over the representative dataset (Value_GetRange).
  bool has_range = false;
  float range_min = 0, range_max = 0;
  // Calibration: the mean of each channel (last dimension), for the activation inputs of ops with
  // weights (Value_GetChannelMeans); empty when not recorded.
  std::vector<float> channel_means;

  bool is_const() const { return data != nullptr; }
  size_t num_uses() const { return users.size() + static_cast<size_t>(output_uses); }
};

struct TflcNode {
  TflcGraph* graph = nullptr;
  TflcOpDomain domain = TFLC_DOMAIN_SOURCE;
  std::string op;
  std::string name;
  std::vector<TflcValue*> inputs;  // nullptr = omitted optional input
  std::vector<TflcValue*> outputs;
  std::map<std::string, tflc::host::Attr> attrs;
  bool dead = false;
  int64_t id = 0;
  // The target of the lowering row that emitted this node (TflcTarget), 0 if none did (frontend or
  // pass). Tells Select TF ops from other custom ops in the conversion report.
  int32_t lowered_target = 0;
  // The source ops whose lowering emitted this node, outermost first ("Einsum", "BatchMatMulV2"):
  // empty for frontend nodes. Lowering runs to a fixed point; this names the chain in errors and
  // detects cycles.
  std::vector<std::string> lowered_from;
};

struct TflcGraph {
  TflcModel* model = nullptr;
  std::string signature_key;
  // Subgraphs (ABI 1.3): a function body that nodes call through TFLC_ATTR_GRAPH attributes (IF
  // branches, WHILE cond / body). Entry graphs (one per signature) have is_subgraph false.
  bool is_subgraph = false;
  std::string name;        // the subgraph's name (entry graphs: empty)
  int64_t id = 0;          // index in model->graphs: what a TFLC_ATTR_GRAPH attribute holds
  bool lowered = false;    // lowering has run on this graph (subgraphs: by the node that calls them)
  std::vector<std::unique_ptr<TflcNode>> nodes;  // topological order once Sorted()
  std::vector<std::unique_ptr<TflcValue>> values;
  std::vector<TflcValue*> inputs;
  std::vector<std::string> input_signature_names;
  std::vector<TflcValue*> outputs;
  std::vector<std::string> output_signature_names;
  bool order_dirty = false;
  int64_t next_id = 0;
  // Nodes removed by Compact while a pass may still hold pointers to them; freed by ClearGraveyard.
  std::vector<std::unique_ptr<TflcNode>> graveyard;
  // When non-null, NewNode appends every node it creates (creation order is topological).
  std::vector<TflcNode*>* created = nullptr;
};

namespace tflc::host {
class Registry;
}

struct TflcModel {
  std::vector<std::unique_ptr<TflcGraph>> graphs;
  // The plugins the model is converted with (Node_OpsetEntry); set by the pipeline.
  const tflc::host::Registry* registry = nullptr;
  std::string source_format;  // "keras", "saved_model", "graph_def" (CONVERSION_METADATA model_type)
};

struct TflcStatus {
  TflcStatusCode code = TFLC_CODE_UNKNOWN;
  std::string message;
};

struct TflcOptions {
  std::map<std::string, std::string> values;
};

namespace tflc::host {

// ---- graph editing used by the host API and the passes ----
TflcGraph* AddGraph(TflcModel* model, const std::string& signature_key);
TflcGraph* AddSubgraph(TflcModel* model, const std::string& name);
// The subgraph a TFLC_ATTR_GRAPH attribute names, or null.
TflcGraph* SubgraphById(const TflcModel* model, int64_t id);
// The subgraphs `n` calls (its TFLC_ATTR_GRAPH attributes), in attribute-name order.
std::vector<std::pair<std::string, TflcGraph*>> CalledSubgraphs(const TflcNode* n);
// The graphs of the output, in order: the entry graphs (one per signature), then every subgraph
// they call, directly or through other subgraphs, in creation order (TF's converter also puts
// entry functions first). Subgraphs nothing calls any more (an IF inlined on a constant
// condition, a fused RNN function) are left out.
StatusOr<std::vector<TflcGraph*>> LiveGraphs(TflcModel* model);
// "subgraph `name`" / "graph `signature`" for messages.
std::string DescribeGraph(const TflcGraph* g);
TflcValue* NewValue(TflcGraph* g, const std::string& name);
TflcNode* NewNode(TflcGraph* g, TflcOpDomain domain, const std::string& op, const std::string& name,
                  const std::vector<TflcValue*>& inputs, size_t num_outputs);
void SetInput(TflcNode* node, size_t index, TflcValue* value);
void ReplaceAllUses(TflcValue* from, TflcValue* to);
// Marks the node dead and detaches it from its inputs. Its outputs must be unused.
void RemoveNode(TflcNode* node);
// Drops dead nodes and values nothing refers to (freeing constant memory), and sorts the nodes
// topologically (stable: keeps the existing order where it is valid). Fails on a cycle.
Status Compact(TflcGraph* g);
// Nodes in topological order (calls Compact when the graph changed).
Status Sorted(TflcGraph* g);
// Frees nodes removed since the last call. Only call when no pass holds node pointers.
void ClearGraveyard(TflcGraph* g);

size_t ElementSize(TflcDataType type);
int64_t NumElements(const TflcValue& v);  // -1 if unknown
std::string ShapeString(const TflcValue& v);
std::string DescribeNode(const TflcNode* node);  // "node `name` (Op)"

}  // namespace tflc::host

#endif  // TFLC_HOST_IR_IR_H_
