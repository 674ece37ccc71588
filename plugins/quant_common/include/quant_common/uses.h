// Graph walking helpers for quantizers: who uses a value, and what an op's opset entry offers.
#ifndef TFLC_PLUGINS_QUANT_COMMON_USES_H_
#define TFLC_PLUGINS_QUANT_COMMON_USES_H_

#include <cstddef>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tflc/sdk/plugin.h"

namespace tflc::quant {

// One input slot that reads a value.
struct Use {
  sdk::NodeView node;
  size_t input = 0;
};

// A snapshot of the graph: its nodes in topological order and, for each value some node reads, the
// (node, input) slots reading it, in node order. Node handles stay valid while the nodes exist, so
// a quantizer can add nodes and rewire inputs while it walks the snapshot (Graph_Node indices are
// not stable across changes; this is).
class GraphUses {
 public:
  explicit GraphUses(const sdk::GraphBuilder& g);

  const std::vector<sdk::NodeView>& nodes() const { return nodes_; }
  // The node inputs reading `v` (graph-output uses are not listed; see ValueView::is_graph_output).
  const std::vector<Use>& of(const sdk::ValueView& v) const;

 private:
  std::vector<sdk::NodeView> nodes_;
  std::unordered_map<const TflcValue*, std::vector<Use>> uses_;
};

// The entry's option field named `attr`, walked with the entry's option_field_stride; NULL if absent.
const TflcOptionField* FindOptionField(const TflcOpsetEntry* entry, std::string_view attr);

}  // namespace tflc::quant

#endif  // TFLC_PLUGINS_QUANT_COMMON_USES_H_
