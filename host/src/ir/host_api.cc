// The TflcHostApi service table, implemented over the IR in ir.h.
#include "ir/host_api.h"

#include <algorithm>
#include <cstring>
#include <iostream>
#include <new>
#include <unordered_map>

#include "ir/ir.h"
#include "quant/calibrate.h"
#include "registry/registry.h"
#include "tflc/sdk/plugin.h"

namespace tflc::host {
namespace {

std::string S(TflcStringView v) { return std::string(v.data ? v.data : "", v.size); }
TflcStringView V(const std::string& s) { return TflcStringView{s.data(), s.size()}; }

TflcStatus* MakeStatus(TflcStatusCode code, std::string message) {
  auto* s = new (std::nothrow) TflcStatus;
  if (!s) return nullptr;
  s->code = code == TFLC_CODE_OK ? TFLC_CODE_UNKNOWN : code;
  s->message = std::move(message);
  return s;
}

TflcStatus* FromStatus(const Status& st) {
  return st.ok() ? nullptr : MakeStatus(st.code(), st.message());
}

TflcStatus* Status_Create(TflcStatusCode code, TflcStringView message, const TflcNode* node) {
  std::string m = S(message);
  if (node) {
    std::string prefix = DescribeNode(node) + ": ";
    if (m.rfind(prefix, 0) != 0) m = prefix + m;  // don't name the node twice
  }
  return MakeStatus(code, std::move(m));
}
TflcStatusCode Status_Code(const TflcStatus* s) { return s ? s->code : TFLC_CODE_OK; }
TflcStringView Status_Message(const TflcStatus* s) {
  return s ? V(s->message) : TflcStringView{"", 0};
}
void Status_Destroy(TflcStatus* s) { delete s; }

LogSink& Sink() {
  static LogSink sink = [](TflcLogLevel level, const std::string& message) {
    const char* prefix = level == TFLC_LOG_ERROR ? "error: " : level == TFLC_LOG_WARNING ? "warning: " : "";
    std::cerr << "tflc: " << prefix << message << "\n";
  };
  return sink;
}
void Log(TflcLogLevel level, TflcStringView message) { Sink()(level, S(message)); }

int Options_Get(const TflcOptions* options, TflcStringView key, TflcStringView* value) {
  if (!options) return 0;
  auto it = options->values.find(S(key));
  if (it == options->values.end()) return 0;
  if (value) *value = V(it->second);
  return 1;
}

TflcGraph* Model_AddGraph(TflcModel* model, TflcStringView signature_key) {
  return AddGraph(model, S(signature_key));
}

TflcGraph* Graph_AddSubgraph(TflcGraph* g, TflcStringView name, int64_t* id) {
  if (!g || !g->model) return nullptr;
  TflcGraph* sub = AddSubgraph(g->model, S(name));
  if (id) *id = sub->id;
  return sub;
}

TflcGraph* Node_Subgraph(const TflcNode* n, TflcStringView attr) {
  if (!n) return nullptr;
  auto it = n->attrs.find(S(attr));
  if (it == n->attrs.end() || it->second.kind != TFLC_ATTR_GRAPH) return nullptr;
  return SubgraphById(n->graph->model, it->second.i);
}

TflcStringView Graph_Name(const TflcGraph* g) {
  if (!g) return TflcStringView{"", 0};
  return g->is_subgraph ? V(g->name) : V(g->signature_key);
}

TflcStatus* Graph_Run(TflcGraph_Run_Args* a) {
  if (!a || a->struct_size < TflcGraph_Run_Args_STRUCT_SIZE) {
    return MakeStatus(TFLC_CODE_INVALID_ARGUMENT, "Graph_Run: args missing or struct_size too small");
  }
  if (!a->graph || (a->num_inputs && !a->inputs) || (a->num_outputs && !a->outputs)) {
    return MakeStatus(TFLC_CODE_INVALID_ARGUMENT, "Graph_Run: no graph, inputs or outputs");
  }
  return FromStatus(RunGraph(a->graph, a->inputs, a->num_inputs, a->outputs, a->num_outputs));
}

int32_t Graph_IsSubgraph(const TflcGraph* g) { return g && g->is_subgraph ? 1 : 0; }

TflcValue* Graph_ShareConst(TflcGraph* g, const TflcValue* c, TflcStringView name) {
  if (!g || !c || !c->is_const() || !c->graph || c->graph->model != g->model) return nullptr;
  TflcValue* v = NewValue(g, name.size ? S(name) : c->name);
  v->type = c->type;
  v->rank = c->rank;
  v->dims = c->dims;
  v->data = c->data;
  v->quant = c->quant;
  return v;
}

TflcStatus* Graph_Inline(TflcGraph* g, const TflcGraph* sub, TflcStringView prefix, TflcValue* const* inputs,
                         size_t num_inputs, TflcValue** outputs, size_t num_outputs) {
  if (!g || !sub || sub->model != g->model || sub == g)
    return MakeStatus(TFLC_CODE_INVALID_ARGUMENT, "Graph_Inline: not a subgraph of the same model");
  if (num_inputs != sub->inputs.size() || num_outputs != sub->outputs.size() || (num_inputs && !inputs) ||
      (num_outputs && !outputs))
    return MakeStatus(TFLC_CODE_INVALID_ARGUMENT, "Graph_Inline: " + DescribeGraph(sub) + " has " +
                                                      std::to_string(sub->inputs.size()) + " inputs and " +
                                                      std::to_string(sub->outputs.size()) + " outputs");
  if (Status st = Sorted(const_cast<TflcGraph*>(sub)); !st.ok()) return FromStatus(st);
  const std::string p = S(prefix);
  auto named = [&](const std::string& n) { return p.empty() ? n : p + "/" + n; };
  std::unordered_map<const TflcValue*, TflcValue*> map;
  for (size_t i = 0; i < num_inputs; ++i) {
    if (!inputs[i] || inputs[i]->graph != g)
      return MakeStatus(TFLC_CODE_INVALID_ARGUMENT, "Graph_Inline: input " + std::to_string(i) + " is not a value of the graph");
    map[sub->inputs[i]] = inputs[i];
  }
  auto get = [&](const TflcValue* v) -> TflcValue* {
    if (!v) return nullptr;
    auto it = map.find(v);
    if (it != map.end()) return it->second;
    if (v->is_const()) {
      TflcValue* c = Graph_ShareConst(g, v, V(named(v->name)));
      map[v] = c;
      return c;
    }
    return nullptr;
  };
  for (const auto& n : sub->nodes) {
    if (n->dead) continue;
    std::vector<TflcValue*> ins;
    for (const TflcValue* in : n->inputs) {
      TflcValue* m = get(in);
      if (in && !m) return MakeStatus(TFLC_CODE_INTERNAL, "Graph_Inline: " + DescribeNode(n.get()) + " reads a value defined nowhere");
      ins.push_back(m);
    }
    TflcNode* c = NewNode(g, n->domain, n->op, named(n->name), ins, n->outputs.size());
    c->attrs = n->attrs;
    c->lowered_target = n->lowered_target;
    c->lowered_from = n->lowered_from;
    for (size_t k = 0; k < n->outputs.size(); ++k) {
      const TflcValue* o = n->outputs[k];
      TflcValue* co = c->outputs[k];
      co->name = named(o->name);
      co->type = o->type;
      co->rank = o->rank;
      co->dims = o->dims;
      co->quant = o->quant;
      map[o] = co;
    }
  }
  for (size_t i = 0; i < num_outputs; ++i) {
    outputs[i] = get(sub->outputs[i]);
    if (!outputs[i]) return MakeStatus(TFLC_CODE_INTERNAL, "Graph_Inline: output " + std::to_string(i) + " is defined nowhere");
  }
  return nullptr;
}

size_t Graph_NumNodes(const TflcGraph* g) {
  Sorted(const_cast<TflcGraph*>(g));  // a cycle leaves the order as is; Compact reports it later
  return g->nodes.size();
}
TflcNode* Graph_Node(const TflcGraph* g, size_t i) {
  Sorted(const_cast<TflcGraph*>(g));
  return i < g->nodes.size() ? g->nodes[i].get() : nullptr;
}
size_t Graph_NumInputs(const TflcGraph* g) { return g->inputs.size(); }
TflcValue* Graph_Input(const TflcGraph* g, size_t i) { return i < g->inputs.size() ? g->inputs[i] : nullptr; }
size_t Graph_NumOutputs(const TflcGraph* g) { return g->outputs.size(); }
TflcValue* Graph_Output(const TflcGraph* g, size_t i) { return i < g->outputs.size() ? g->outputs[i] : nullptr; }

Status CheckShapeArgs(TflcDataType type, const int64_t* dims, int32_t rank) {
  if (rank > 0 && !dims) return InvalidArgument("dims is NULL but rank is " + std::to_string(rank));
  if (rank < -1) return InvalidArgument("rank must be >= -1");
  if (type < TFLC_TYPE_UNKNOWN || type > TFLC_TYPE_BFLOAT16) {
    return InvalidArgument("unknown data type " + std::to_string(static_cast<int>(type)));
  }
  return OkStatus();
}

void AssignShape(TflcValue* v, TflcDataType type, const int64_t* dims, int32_t rank) {
  v->type = type;
  v->rank = rank;
  v->dims.assign(dims, dims + std::max(rank, 0));
}

TflcStatus* Graph_AddInput(TflcGraph_AddInput_Args* a) {
  if (!a || !a->graph) return MakeStatus(TFLC_CODE_INVALID_ARGUMENT, "Graph_AddInput: no graph");
  if (Status st = CheckShapeArgs(a->type, a->dims, a->rank); !st.ok()) return FromStatus(st);
  TflcValue* v = NewValue(a->graph, S(a->name));
  AssignShape(v, a->type, a->dims, a->rank);
  if (TFLC_HAS_FIELD(a, TflcGraph_AddInput_Args, signature_dims) && a->signature_dims && a->rank > 0) {
    v->signature.assign(a->signature_dims, a->signature_dims + a->rank);
    for (int32_t i = 0; i < a->rank; ++i) {
      if (v->signature[i] >= 0 && a->dims[i] >= 0 && v->signature[i] != a->dims[i])
        return MakeStatus(TFLC_CODE_INVALID_ARGUMENT, "Graph_AddInput '" + v->name +
                                                          "': signature_dims contradict dims in dimension " + std::to_string(i));
    }
    if (v->signature == v->dims) v->signature.clear();
  }
  a->graph->inputs.push_back(v);
  std::string sig = S(a->signature_name);
  a->graph->input_signature_names.push_back(sig.empty() ? v->name : sig);
  a->value = v;
  return nullptr;
}

TflcStatus* Graph_AddVariable(TflcGraph_AddInput_Args* a) {
  if (!a || !a->graph) return MakeStatus(TFLC_CODE_INVALID_ARGUMENT, "Graph_AddVariable: no graph");
  if (Status st = CheckShapeArgs(a->type, a->dims, a->rank); !st.ok()) return FromStatus(st);
  TflcValue* v = NewValue(a->graph, S(a->name));
  AssignShape(v, a->type, a->dims, a->rank);
  v->is_variable = true;
  a->value = v;
  return nullptr;
}

TflcStatus* Graph_AddConst(TflcGraph_AddConst_Args* a) {
  if (!a || !a->graph) return MakeStatus(TFLC_CODE_INVALID_ARGUMENT, "Graph_AddConst: no graph");
  if (a->rank < 0) return MakeStatus(TFLC_CODE_INVALID_ARGUMENT, "Graph_AddConst: constants need a known rank");
  if (Status st = CheckShapeArgs(a->type, a->dims, a->rank); !st.ok()) return FromStatus(st);
  size_t elem = ElementSize(a->type);
  if (elem) {
    uint64_t n = 1;
    for (int32_t i = 0; i < a->rank; ++i) {
      if (a->dims[i] < 0) return MakeStatus(TFLC_CODE_INVALID_ARGUMENT, "Graph_AddConst: unknown dimension in a constant");
      n *= static_cast<uint64_t>(a->dims[i]);
    }
    if (n * elem != a->size) {
      return MakeStatus(TFLC_CODE_INVALID_ARGUMENT,
                        "constant '" + S(a->name) + "': " + std::to_string(a->size) + " bytes given, shape needs " +
                            std::to_string(n * elem));
    }
  }
  if (TFLC_HAS_FIELD(a, TflcGraph_AddConst_Args, file_offset) && a->file_path.size > 0) {
    if (a->data) return MakeStatus(TFLC_CODE_INVALID_ARGUMENT, "Graph_AddConst: give data or file_path, not both");
    auto mapped = MappedBuffer::Map(S(a->file_path), a->file_offset, a->size);
    if (!mapped.ok()) return FromStatus(mapped.status().WithContext("constant '" + S(a->name) + "'"));
    a->mutable_data = nullptr;
    TflcValue* v = NewValue(a->graph, S(a->name));
    AssignShape(v, a->type, a->dims, a->rank);
    v->data = std::move(*mapped);
    a->value = v;
    return nullptr;
  }
  std::shared_ptr<OwnedBuffer> buf;
  try {
    buf = std::make_shared<OwnedBuffer>(a->size);
  } catch (const std::bad_alloc&) {
    return MakeStatus(TFLC_CODE_OUT_OF_RANGE, "out of memory allocating " + std::to_string(a->size) +
                                                  " bytes for constant '" + S(a->name) + "'");
  }
  if (a->data && a->size) std::memcpy(buf->mutable_data(), a->data, a->size);
  a->mutable_data = a->data ? nullptr : buf->mutable_data();
  TflcValue* v = NewValue(a->graph, S(a->name));
  AssignShape(v, a->type, a->dims, a->rank);
  v->data = std::move(buf);
  a->value = v;
  return nullptr;
}

TflcStatus* Graph_AddNode(TflcGraph_AddNode_Args* a) {
  if (!a || !a->graph) return MakeStatus(TFLC_CODE_INVALID_ARGUMENT, "Graph_AddNode: no graph");
  if (a->num_inputs && !a->inputs) return MakeStatus(TFLC_CODE_INVALID_ARGUMENT, "Graph_AddNode: inputs is NULL");
  std::vector<TflcValue*> in(a->inputs, a->inputs + a->num_inputs);
  for (TflcValue* v : in) {
    if (v && v->graph != a->graph) {
      return MakeStatus(TFLC_CODE_INVALID_ARGUMENT, "Graph_AddNode: input '" + v->name + "' of op " + S(a->op) +
                                                        " belongs to another graph");
    }
  }
  a->node = NewNode(a->graph, a->domain, S(a->op), S(a->name), in, a->num_outputs);
  return nullptr;
}

TflcStatus* Graph_AddOutput(TflcGraph* g, TflcValue* v, TflcStringView sig) {
  if (!g || !v) return MakeStatus(TFLC_CODE_INVALID_ARGUMENT, "Graph_AddOutput: NULL graph or value");
  g->outputs.push_back(v);
  v->output_uses++;
  std::string s = S(sig);
  g->output_signature_names.push_back(s.empty() ? v->name : s);
  return nullptr;
}

TflcOpDomain Node_Domain(const TflcNode* n) { return n->domain; }
TflcStringView Node_Op(const TflcNode* n) { return V(n->op); }
TflcStringView Node_Name(const TflcNode* n) { return V(n->name); }
size_t Node_NumInputs(const TflcNode* n) { return n->inputs.size(); }
TflcValue* Node_Input(const TflcNode* n, size_t i) { return i < n->inputs.size() ? n->inputs[i] : nullptr; }
size_t Node_NumOutputs(const TflcNode* n) { return n->outputs.size(); }
TflcValue* Node_Output(const TflcNode* n, size_t i) { return i < n->outputs.size() ? n->outputs[i] : nullptr; }

int Node_GetAttr(const TflcNode* n, TflcStringView name, TflcAttrValue* out) {
  auto it = n->attrs.find(S(name));
  if (it == n->attrs.end()) return 0;
  if (!out) return 1;
  Attr& a = const_cast<Attr&>(it->second);
  size_t struct_size = out->struct_size;
  *out = TflcAttrValue{};
  out->struct_size = struct_size;
  out->kind = a.kind;
  out->i = a.i;
  out->f = a.f;
  out->s = V(a.s);
  switch (a.kind) {
    case TFLC_ATTR_INT_LIST: case TFLC_ATTR_SHAPE: case TFLC_ATTR_TYPE_LIST:
      out->ints = a.ints.data(); out->count = a.ints.size(); break;
    case TFLC_ATTR_FLOAT_LIST:
      out->floats = a.floats.data(); out->count = a.floats.size(); break;
    case TFLC_ATTR_STRING_LIST:
      a.string_views.clear();
      for (const auto& s : a.strings) a.string_views.push_back(V(s));
      out->strings = a.string_views.data(); out->count = a.string_views.size(); break;
    default: break;
  }
  return 1;
}

TflcStatus* Node_SetAttr(TflcNode* n, TflcStringView name, const TflcAttrValue* v) {
  if (!n || !v) return MakeStatus(TFLC_CODE_INVALID_ARGUMENT, "Node_SetAttr: NULL argument");
  Attr a;
  a.kind = v->kind;
  a.i = v->i;
  a.f = v->f;
  a.s = S(v->s);
  switch (v->kind) {
    case TFLC_ATTR_INT_LIST: case TFLC_ATTR_SHAPE: case TFLC_ATTR_TYPE_LIST:
      if (v->count && !v->ints) return MakeStatus(TFLC_CODE_INVALID_ARGUMENT, "Node_SetAttr: ints is NULL");
      a.ints.assign(v->ints, v->ints + v->count); break;
    case TFLC_ATTR_FLOAT_LIST:
      if (v->count && !v->floats) return MakeStatus(TFLC_CODE_INVALID_ARGUMENT, "Node_SetAttr: floats is NULL");
      a.floats.assign(v->floats, v->floats + v->count); break;
    case TFLC_ATTR_STRING_LIST:
      if (v->count && !v->strings) return MakeStatus(TFLC_CODE_INVALID_ARGUMENT, "Node_SetAttr: strings is NULL");
      for (size_t i = 0; i < v->count; ++i) a.strings.push_back(S(v->strings[i]));
      break;
    case TFLC_ATTR_GRAPH:
      if (!SubgraphById(n->graph->model, v->i))
        return MakeStatus(TFLC_CODE_INVALID_ARGUMENT, "Node_SetAttr: attribute '" + S(name) + "' of " + DescribeNode(n) +
                                                          " names no subgraph of the model (id " + std::to_string(v->i) + ")");
      break;
    default: break;
  }
  n->attrs[S(name)] = std::move(a);
  return nullptr;
}

size_t Node_NumAttrs(const TflcNode* n) { return n->attrs.size(); }
TflcStringView Node_AttrName(const TflcNode* n, size_t i) {
  if (i >= n->attrs.size()) return TflcStringView{"", 0};
  auto it = n->attrs.begin();
  std::advance(it, i);
  return V(it->first);
}

// Value accessors accept NULL (Node_Input returns NULL for an omitted or missing input) and answer
// as for a value with nothing known, so a plugin reading a malformed node gets an error path, not a crash.
TflcStringView Value_Name(const TflcValue* v) { return v ? V(v->name) : TflcStringView{"", 0}; }
TflcDataType Value_Type(const TflcValue* v) { return v ? v->type : TFLC_TYPE_UNKNOWN; }
int32_t Value_Rank(const TflcValue* v) { return v ? v->rank : -1; }
const int64_t* Value_Dims(const TflcValue* v) { return v ? v->dims.data() : nullptr; }
int Value_ConstData(const TflcValue* v, const void** data, size_t* size) {
  if (!v || !v->data) return 0;
  if (data) *data = v->data->data();
  if (size) *size = v->data->size();
  return 1;
}
TflcNode* Value_Producer(const TflcValue* v, size_t* index) {
  if (index) *index = v ? v->producer_index : 0;
  return v ? v->producer : nullptr;
}
size_t Value_NumConsumers(const TflcValue* v) { return v ? v->num_uses() : 0; }
int Value_IsGraphOutput(const TflcValue* v) { return v && v->output_uses > 0; }

TflcStatus* Value_SetShape(TflcValue* v, TflcDataType type, const int64_t* dims, int32_t rank) {
  if (!v) return MakeStatus(TFLC_CODE_INVALID_ARGUMENT, "Value_SetShape: NULL value");
  if (Status st = CheckShapeArgs(type, dims, rank); !st.ok()) return FromStatus(st);
  if (v->is_const()) {
    int64_t n = 1;
    for (int32_t i = 0; i < rank; ++i) n *= dims[i];
    size_t elem = ElementSize(type);
    if (rank < 0 || (elem && static_cast<size_t>(n) * elem != v->data->size())) {
      return MakeStatus(TFLC_CODE_INVALID_ARGUMENT, "Value_SetShape: new shape of constant '" + v->name +
                                                        "' does not match its data size");
    }
  }
  AssignShape(v, type, dims, rank);
  return nullptr;
}

void Value_GetQuant(const TflcValue* v, TflcQuantParams* p) {
  if (!p) return;
  size_t ss = p->struct_size;
  *p = TflcQuantParams{};
  p->struct_size = ss;
  if (!v) return;
  p->scales = v->quant.scales.data();
  p->zero_points = v->quant.zero_points.data();
  p->count = v->quant.scales.size();
  p->quantized_dimension = v->quant.quantized_dimension;
}

TflcStatus* Value_SetQuant(TflcValue* v, const TflcQuantParams* p) {
  if (!v || !p) return MakeStatus(TFLC_CODE_INVALID_ARGUMENT, "Value_SetQuant: NULL argument");
  if (p->count && (!p->scales || !p->zero_points)) {
    return MakeStatus(TFLC_CODE_INVALID_ARGUMENT, "Value_SetQuant: scales or zero_points is NULL");
  }
  v->quant.scales.assign(p->scales, p->scales + p->count);
  v->quant.zero_points.assign(p->zero_points, p->zero_points + p->count);
  v->quant.quantized_dimension = p->quantized_dimension;
  return nullptr;
}

TflcStatus* Value_ReplaceAllUsesWith(TflcValue* from, TflcValue* to) {
  if (!from || !to) return MakeStatus(TFLC_CODE_INVALID_ARGUMENT, "Value_ReplaceAllUsesWith: NULL value");
  if (from->graph != to->graph) {
    return MakeStatus(TFLC_CODE_INVALID_ARGUMENT, "Value_ReplaceAllUsesWith: values of different graphs");
  }
  ReplaceAllUses(from, to);
  return nullptr;
}

TflcStatus* Node_SetInput(TflcNode* node, size_t index, TflcValue* value) {
  if (!node) return MakeStatus(TFLC_CODE_INVALID_ARGUMENT, "Node_SetInput: NULL node");
  if (index >= node->inputs.size()) {
    return MakeStatus(TFLC_CODE_INVALID_ARGUMENT, "Node_SetInput: " + DescribeNode(node) + " has " +
                                                      std::to_string(node->inputs.size()) + " inputs, not " +
                                                      std::to_string(index + 1));
  }
  if (value && value->graph != node->graph) {
    return MakeStatus(TFLC_CODE_INVALID_ARGUMENT, "Node_SetInput: the value belongs to another graph");
  }
  SetInput(node, index, value);
  return nullptr;
}

const TflcOpsetEntry* Node_OpsetEntry(const TflcNode* node) {
  if (!node || !node->graph || !node->graph->model || !node->graph->model->registry) return nullptr;
  const OpRef* ref = node->graph->model->registry->FindOp(node->domain, node->op);
  return ref ? ref->entry : nullptr;
}

TflcStatus* Node_InferShape(TflcNode* node) {
  if (!node || !node->graph || !node->graph->model || !node->graph->model->registry)
    return MakeStatus(TFLC_CODE_INVALID_ARGUMENT, "Node_InferShape: NULL node or a node of no model");
  const OpRef* ref = node->graph->model->registry->FindOp(node->domain, node->op);
  if (!ref) return MakeStatus(TFLC_CODE_NOT_FOUND, "no loaded opset defines op '" + node->op + "'");
  TflcOpShape_Args a{};
  a.struct_size = TflcOpShape_Args_STRUCT_SIZE;
  a.host = HostApi();
  a.node = node;
  a.user_data = ref->entry->user_data;
  a.plugin_state = ref->plugin->state;
  return FromStatus(CallPlugin({ref->plugin, "InferShape", "opset entry", ref->entry->op, node},
                               [&] { return ref->entry->InferShape(&a); }));
}

TflcStatus* Graph_SetOutput(TflcGraph* graph, size_t index, TflcValue* value) {
  if (!graph || !value) return MakeStatus(TFLC_CODE_INVALID_ARGUMENT, "Graph_SetOutput: NULL graph or value");
  if (index >= graph->outputs.size()) {
    return MakeStatus(TFLC_CODE_INVALID_ARGUMENT, "Graph_SetOutput: the graph has " + std::to_string(graph->outputs.size()) +
                                                      " outputs, not " + std::to_string(index + 1));
  }
  if (value->graph != graph) return MakeStatus(TFLC_CODE_INVALID_ARGUMENT, "Graph_SetOutput: the value belongs to another graph");
  graph->outputs[index]->output_uses--;
  graph->outputs[index] = value;
  value->output_uses++;
  return nullptr;
}

int Value_GetRange(const TflcValue* value, float* min, float* max) {
  if (!value || !value->has_range) return 0;
  if (min) *min = value->range_min;
  if (max) *max = value->range_max;
  return 1;
}

int64_t Value_GetChannelMeans(const TflcValue* value, float* means, int64_t capacity) {
  if (!value) return 0;
  const int64_t n = static_cast<int64_t>(value->channel_means.size());
  if (means && capacity > 0) std::copy_n(value->channel_means.begin(), std::min(n, capacity), means);
  return n;
}

TflcHostApi MakeApi() {
  TflcHostApi api{};
  api.struct_size = TflcHostApi_STRUCT_SIZE;
  api.abi_major = TFLC_ABI_VERSION_MAJOR;
  api.abi_minor = TFLC_ABI_VERSION_MINOR;
  api.Status_Create = Status_Create;
  api.Status_Code = Status_Code;
  api.Status_Message = Status_Message;
  api.Status_Destroy = Status_Destroy;
  api.Log = Log;
  api.Options_Get = Options_Get;
  api.Model_AddGraph = Model_AddGraph;
  api.Graph_NumNodes = Graph_NumNodes;
  api.Graph_Node = Graph_Node;
  api.Graph_NumInputs = Graph_NumInputs;
  api.Graph_Input = Graph_Input;
  api.Graph_NumOutputs = Graph_NumOutputs;
  api.Graph_Output = Graph_Output;
  api.Graph_AddInput = Graph_AddInput;
  api.Graph_AddConst = Graph_AddConst;
  api.Graph_AddNode = Graph_AddNode;
  api.Graph_AddOutput = Graph_AddOutput;
  api.Node_Domain = Node_Domain;
  api.Node_Op = Node_Op;
  api.Node_Name = Node_Name;
  api.Node_NumInputs = Node_NumInputs;
  api.Node_Input = Node_Input;
  api.Node_NumOutputs = Node_NumOutputs;
  api.Node_Output = Node_Output;
  api.Node_GetAttr = Node_GetAttr;
  api.Node_SetAttr = Node_SetAttr;
  api.Node_NumAttrs = Node_NumAttrs;
  api.Node_AttrName = Node_AttrName;
  api.Value_Name = Value_Name;
  api.Value_Type = Value_Type;
  api.Value_Rank = Value_Rank;
  api.Value_Dims = Value_Dims;
  api.Value_ConstData = Value_ConstData;
  api.Value_Producer = Value_Producer;
  api.Value_NumConsumers = Value_NumConsumers;
  api.Value_IsGraphOutput = Value_IsGraphOutput;
  api.Value_SetShape = Value_SetShape;
  api.Value_GetQuant = Value_GetQuant;
  api.Value_SetQuant = Value_SetQuant;
  api.Value_ReplaceAllUsesWith = Value_ReplaceAllUsesWith;
  api.Graph_AddVariable = Graph_AddVariable;
  api.Node_SetInput = Node_SetInput;
  api.Node_OpsetEntry = Node_OpsetEntry;
  api.Value_GetRange = Value_GetRange;
  api.Value_GetChannelMeans = Value_GetChannelMeans;
  api.Graph_SetOutput = Graph_SetOutput;
  api.Graph_AddSubgraph = Graph_AddSubgraph;
  api.Node_Subgraph = Node_Subgraph;
  api.Graph_ShareConst = Graph_ShareConst;
  api.Graph_Inline = Graph_Inline;
  api.Graph_Name = Graph_Name;
  api.Graph_Run = Graph_Run;
  api.Graph_IsSubgraph = Graph_IsSubgraph;
  api.Node_InferShape = Node_InferShape;
  return api;
}

}  // namespace

const TflcHostApi* HostApi() {
  static const TflcHostApi api = MakeApi();
  return &api;
}

void SetLogSink(LogSink sink) { Sink() = std::move(sink); }

Status TakeStatus(TflcStatus* s) {
  if (!s) return OkStatus();
  Status r(s->code, s->message);
  delete s;
  return r;
}

TflcStatus* NewStatus(const Status& s) { return FromStatus(s); }

}  // namespace tflc::host
