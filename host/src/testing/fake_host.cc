#include "tflc/testing/fake_host.h"

#include <algorithm>
#include <cstring>
#include <iostream>
#include <sstream>
#include <unordered_map>

#include "driver/converter.h"
#include "export/exporter.h"
#include "ir/host_api.h"
#include "ir/ir.h"
#include "pipeline/passes.h"
#include "quant/quantize.h"
#include "registry/registry.h"

namespace tflc::testing {

using host::PassContext;

HostTensor HostTensor::Float(std::vector<int64_t> dims, const std::vector<float>& values) {
  HostTensor t;
  t.type = TFLC_TYPE_FLOAT32;
  t.dims = std::move(dims);
  t.bytes.resize(values.size() * 4);
  std::memcpy(t.bytes.data(), values.data(), t.bytes.size());
  return t;
}
HostTensor HostTensor::Int32(std::vector<int64_t> dims, const std::vector<int32_t>& values) {
  HostTensor t;
  t.type = TFLC_TYPE_INT32;
  t.dims = std::move(dims);
  t.bytes.resize(values.size() * 4);
  std::memcpy(t.bytes.data(), values.data(), t.bytes.size());
  return t;
}
std::vector<float> HostTensor::floats() const {
  std::vector<float> v(bytes.size() / 4);
  std::memcpy(v.data(), bytes.data(), v.size() * 4);
  return v;
}
std::vector<int32_t> HostTensor::int32s() const {
  std::vector<int32_t> v(bytes.size() / 4);
  std::memcpy(v.data(), bytes.data(), v.size() * 4);
  return v;
}

struct FakeHost::Impl {
  host::Registry registry;
  TflcOptions options;
  std::unique_ptr<TflcModel> model = std::make_unique<TflcModel>();
  PassContext ctx() const { return PassContext{&registry, &options}; }
  TflcGraph* graph0() {
    if (model->graphs.empty()) host::AddGraph(model.get(), "serving_default");
    return model->graphs[0].get();
  }
  template <typename Fn>
  Status ForEachGraph(Fn fn) {
    for (auto& g : model->graphs) TFLC_RETURN_IF_ERROR(fn(g.get()));
    return OkStatus();
  }
};

FakeHost::FakeHost() : impl_(std::make_unique<Impl>()) { impl_->model->registry = &impl_->registry; }
FakeHost::~FakeHost() = default;

const TflcHostApi* FakeHost::api() const { return host::HostApi(); }

Status FakeHost::Register(TflcPluginQueryFn query, const std::string& origin) {
  return impl_->registry.Register(query, origin, [](const std::string& m) { std::cerr << "warning: " << m << "\n"; });
}

void FakeHost::SetOption(const std::string& key, const std::string& value) { impl_->options.values[key] = value; }
const TflcOptions* FakeHost::options() const { return &impl_->options; }

TflcModel* FakeHost::model() { return impl_->model.get(); }
sdk::GraphBuilder FakeHost::graph() { return sdk::GraphBuilder(api(), impl_->graph0()); }

Status FakeHost::LoadModel(const std::string& path, const std::string& format) {
  TFLC_ASSIGN_OR_RETURN(impl_->model, host::LoadSourceModel(impl_->registry, path, format, impl_->options));
  impl_->model->registry = &impl_->registry;
  return OkStatus();
}

Status FakeHost::Lower() { return LowerGraphs(/*eager_shapes=*/false); }
Status FakeHost::LowerWithShapes() { return LowerGraphs(/*eager_shapes=*/true); }

Status FakeHost::LowerGraphs(bool eager_shapes) {
  PassContext ctx = impl_->ctx();
  ctx.eager_shapes = eager_shapes;  // false: the raw ops each lowering emits
  // As the pipeline: entry graphs first; a subgraph is lowered by the node that calls it (with the
  // caller's input shapes), so only subgraphs no caller lowered are lowered on their own here.
  // Index loop: lowering may add subgraphs.
  for (size_t i = 0; i < impl_->model->graphs.size(); ++i) {
    TflcGraph* g = impl_->model->graphs[i].get();
    if (g->is_subgraph) continue;
    g->lowered = true;
    TFLC_RETURN_IF_ERROR(host::LowerGraph(ctx, g));
  }
  for (size_t i = 0; i < impl_->model->graphs.size(); ++i) {
    TflcGraph* g = impl_->model->graphs[i].get();
    if (!g->is_subgraph || g->lowered) continue;
    g->lowered = true;
    TFLC_RETURN_IF_ERROR(host::LowerGraph(ctx, g));
  }
  return OkStatus();
}
Status FakeHost::InferShapes() {
  return impl_->ForEachGraph([&](TflcGraph* g) { return host::InferShapes(impl_->ctx(), g); });
}
Status FakeHost::FoldConstants() {
  return impl_->ForEachGraph([&](TflcGraph* g) { return host::FoldConstants(impl_->ctx(), g); });
}
Status FakeHost::Optimize() {
  return impl_->ForEachGraph([&](TflcGraph* g) {
    TFLC_RETURN_IF_ERROR(host::Fuse(impl_->ctx(), g));
    return host::PruneToOutputs(g);
  });
}
Status FakeHost::RunPipeline() { return host::RunPipeline(impl_->ctx(), impl_->model.get()); }
Status FakeHost::Quantize() {
  TFLC_ASSIGN_OR_RETURN(host::QuantizerChoice choice, host::SelectQuantizer(impl_->options));
  return host::Quantize(impl_->ctx(), impl_->model.get(), choice, /*progress=*/false);
}

StatusOr<std::string> FakeHost::Export() {
  host::ExportOptions o;
  return host::ExportToString(impl_->registry, impl_->model.get(), o);
}

StatusOr<std::vector<HostTensor>> FakeHost::Interpret(const std::vector<HostTensor>& inputs) {
  TflcGraph* g = impl_->graph0();
  TFLC_RETURN_IF_ERROR(host::Sorted(g));
  if (inputs.size() != g->inputs.size()) {
    return InvalidArgument("Interpret: " + std::to_string(inputs.size()) + " inputs given, graph has " +
                           std::to_string(g->inputs.size()));
  }
  std::unordered_map<const TflcValue*, std::shared_ptr<const host::ConstBuffer>> env;
  for (size_t i = 0; i < inputs.size(); ++i) {
    auto b = std::make_shared<host::OwnedBuffer>(inputs[i].bytes.size());
    std::memcpy(b->mutable_data(), inputs[i].bytes.data(), inputs[i].bytes.size());
    env[g->inputs[i]] = b;
  }
  for (auto& n : g->nodes) {
    std::vector<const void*> in;
    for (TflcValue* v : n->inputs) {
      if (!v) { in.push_back(nullptr); continue; }
      if (v->is_const()) { in.push_back(v->data->data()); continue; }
      auto it = env.find(v);
      if (it == env.end()) {
        if (v->is_variable) {  // zero state
          auto b = std::make_shared<host::OwnedBuffer>(static_cast<size_t>(host::NumElements(*v)) * host::ElementSize(v->type));
          it = env.emplace(v, b).first;
        } else {
          return Internal("Interpret: no value for '" + v->name + "'");
        }
      }
      in.push_back(it->second->data());
    }
    std::vector<std::shared_ptr<host::OwnedBuffer>> outs;
    TFLC_RETURN_IF_ERROR(host::EvaluateNode(impl_->ctx(), n.get(), in, &outs));
    for (size_t k = 0; k < outs.size(); ++k) env[n->outputs[k]] = outs[k];
  }
  std::vector<HostTensor> result;
  for (TflcValue* v : g->outputs) {
    HostTensor t;
    t.type = v->type;
    t.dims = v->dims;
    const host::ConstBuffer* b = v->is_const() ? v->data.get() : env.count(v) ? env[v].get() : nullptr;
    if (!b) return Internal("Interpret: output '" + v->name + "' was not computed");
    t.bytes.assign(b->data(), b->data() + b->size());
    result.push_back(std::move(t));
  }
  return result;
}

namespace {

std::string AttrString(const host::Attr& a) {
  std::ostringstream os;
  auto list = [&](const auto& v) {
    os << "[";
    for (size_t i = 0; i < v.size(); ++i) os << (i ? "," : "") << v[i];
    os << "]";
  };
  switch (a.kind) {
    case TFLC_ATTR_INT: case TFLC_ATTR_BOOL: case TFLC_ATTR_TYPE: os << a.i; break;
    case TFLC_ATTR_FLOAT: os << a.f; break;
    case TFLC_ATTR_STRING: {
      // Binary strings (a serialized NodeDef, FlexBuffer options) as their size: the dump stays text.
      const bool text = std::all_of(a.s.begin(), a.s.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
      if (text) {
        os << '"' << a.s << '"';
      } else {
        os << "<" << a.s.size() << " bytes>";
      }
      break;
    }
    case TFLC_ATTR_INT_LIST: case TFLC_ATTR_TYPE_LIST: list(a.ints); break;
    case TFLC_ATTR_FLOAT_LIST: list(a.floats); break;
    case TFLC_ATTR_STRING_LIST: list(a.strings); break;
    case TFLC_ATTR_SHAPE: if (a.i) os << "[?]"; else list(a.ints); break;
    case TFLC_ATTR_GRAPH: os << "@" << a.i; break;  // the subgraph's id (Dump heads: `subgraph @id "name"`)
    default: os << "?";
  }
  return os.str();
}

std::string ValueString(const TflcValue* v) {
  if (!v) return "-";
  std::string s = v->name + " " + sdk::DataTypeName(v->type) + host::ShapeString(*v);
  if (v->is_const()) s += " const";
  if (v->is_variable) s += " var";
  return s;
}

}  // namespace

std::string FakeHost::Dump() const {
  std::ostringstream os;
  for (auto& g : impl_->model->graphs) {
    host::Sorted(g.get());
    if (g->is_subgraph) {
      os << "subgraph @" << g->id << " \"" << g->name << "\"\n";
    } else {
      os << "graph \"" << g->signature_key << "\"\n";
    }
    for (size_t i = 0; i < g->inputs.size(); ++i) {
      os << "  input " << (i < g->input_signature_names.size() ? g->input_signature_names[i] : "") << ": " << ValueString(g->inputs[i]) << "\n";
    }
    for (auto& n : g->nodes) {
      os << "  " << n->op << " \"" << n->name << "\" (";
      for (size_t i = 0; i < n->inputs.size(); ++i) os << (i ? ", " : "") << ValueString(n->inputs[i]);
      os << ") -> (";
      for (size_t i = 0; i < n->outputs.size(); ++i) os << (i ? ", " : "") << ValueString(n->outputs[i]);
      os << ")";
      if (!n->attrs.empty()) {
        os << " {";
        bool first = true;
        for (auto& [k, a] : n->attrs) {
          os << (first ? "" : ", ") << k << "=" << AttrString(a);
          first = false;
        }
        os << "}";
      }
      os << "\n";
    }
    for (size_t i = 0; i < g->outputs.size(); ++i) {
      os << "  output " << (i < g->output_signature_names.size() ? g->output_signature_names[i] : "") << ": " << ValueString(g->outputs[i]) << "\n";
    }
  }
  return os.str();
}

}  // namespace tflc::testing
