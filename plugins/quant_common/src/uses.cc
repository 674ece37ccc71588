#include "quant_common/uses.h"

namespace tflc::quant {

GraphUses::GraphUses(const sdk::GraphBuilder& g) {
  const size_t n = g.num_nodes();
  nodes_.reserve(n);
  for (size_t i = 0; i < n; ++i) nodes_.push_back(g.node(i));
  for (const sdk::NodeView& node : nodes_) {
    for (size_t k = 0, m = node.num_inputs(); k < m; ++k) {
      sdk::ValueView v = node.input(k);
      if (v) uses_[v.get()].push_back(Use{node, k});
    }
  }
}

const std::vector<Use>& GraphUses::of(const sdk::ValueView& v) const {
  static const std::vector<Use> kNone;
  auto it = uses_.find(v.get());
  return it == uses_.end() ? kNone : it->second;
}

const TflcOptionField* FindOptionField(const TflcOpsetEntry* entry, std::string_view attr) {
  if (!entry || !entry->option_fields) return nullptr;
  size_t stride = sizeof(TflcOptionField);
  if (TFLC_HAS_FIELD(entry, TflcOpsetEntry, option_field_stride) && entry->option_field_stride) {
    stride = entry->option_field_stride;
  }
  const auto* base = reinterpret_cast<const char*>(entry->option_fields);
  for (size_t i = 0; i < entry->num_option_fields; ++i) {
    const auto* f = reinterpret_cast<const TflcOptionField*>(base + i * stride);
    if (f->attr && attr == f->attr) return f;
  }
  return nullptr;
}

}  // namespace tflc::quant
