#include "pipeline/passes.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <unordered_set>

#include "ir/host_api.h"
#include "tflc/sdk/plugin.h"

namespace tflc::host {
namespace {

bool OptionTrue(const TflcOptions* o, const std::string& key) {
  if (!o) return false;
  auto it = o->values.find(key);
  return it != o->values.end() && (it->second == "true" || it->second == "1");
}

bool OptionContains(const TflcOptions* o, const std::string& key, const std::string& item) {
  if (!o) return false;
  auto it = o->values.find(key);
  return it != o->values.end() && it->second.find(item) != std::string::npos;
}

bool SelectTfEnabled(const TflcOptions* o) {
  return OptionTrue(o, "enable_select_tf_ops") || OptionContains(o, "target_spec.supported_ops", "SELECT_TF_OPS");
}

// A CUSTOM row whose target op is defined by a loaded opset is op support a plugin ships (a
// vendor's op, with shapes, kernel and quantization facts): it needs no --allow_custom_ops.
bool IsVendorRow(const PassContext& ctx, const TflcLoweringEntry* row) {
  return row->target == TFLC_TARGET_CUSTOM && row->target_op &&
         ctx.registry->FindOp(TFLC_DOMAIN_CUSTOM, row->target_op) != nullptr;
}

bool RowEnabled(const PassContext& ctx, const TflcLoweringEntry* row) {
  switch (row->target) {
    case TFLC_TARGET_BUILTIN: return true;
    case TFLC_TARGET_SELECT_TF: return SelectTfEnabled(ctx.options);
    case TFLC_TARGET_CUSTOM: return OptionTrue(ctx.options, "allow_custom_ops") || IsVendorRow(ctx, row);
  }
  return false;
}

// At equal priority: builtin > vendor > Select TF > other custom ops.
int TargetRank(const PassContext& ctx, const TflcLoweringEntry* row) {
  switch (row->target) {
    case TFLC_TARGET_BUILTIN: return 0;
    case TFLC_TARGET_SELECT_TF: return 2;
    case TFLC_TARGET_CUSTOM: return IsVendorRow(ctx, row) ? 1 : 3;
  }
  return 4;
}

TflcLowerNode_Args LowerArgs(const PassContext& ctx, const LoweringRef& ref, TflcGraph* g, TflcNode* n) {
  TflcLowerNode_Args a{};
  a.struct_size = TflcLowerNode_Args_STRUCT_SIZE;
  a.host = HostApi();
  a.options = ctx.options;
  a.graph = g;
  a.node = n;
  a.user_data = ref.row->user_data;
  a.plugin_state = ref.plugin->state;
  return a;
}

// The row that lowers `n`, or nullptr.
StatusOr<const LoweringRef*> PickRow(const PassContext& ctx, TflcGraph* g, TflcNode* n,
                                     std::vector<LoweringRef>* storage) {
  *storage = ctx.registry->LoweringsFor(n->op);
  // Rows for the exact op come before wildcard ("*") rows; within each, higher priority first, then
  // the target precedence, then load order.
  std::stable_sort(storage->begin(), storage->end(), [&](const LoweringRef& a, const LoweringRef& b) {
    const bool wa = std::strcmp(a.row->source_op, "*") == 0, wb = std::strcmp(b.row->source_op, "*") == 0;
    if (wa != wb) return wb;
    if (a.row->priority != b.row->priority) return a.row->priority > b.row->priority;
    return TargetRank(ctx, a.row) < TargetRank(ctx, b.row);
  });
  for (const LoweringRef& ref : *storage) {
    if (!RowEnabled(ctx, ref.row)) continue;
    if (ref.row->Match) {
      TflcLowerNode_Args a = LowerArgs(ctx, ref, g, n);
      TFLC_RETURN_IF_ERROR(CallPlugin({ref.plugin, "Match", "lowering row", ref.row->source_op, n},
                                      [&] { return ref.row->Match(&a); }));
      if (!a.matches) continue;
    }
    return &ref;
  }
  return static_cast<const LoweringRef*>(nullptr);
}

const TflcOpsetEntry* EntryFor(const PassContext& ctx, const TflcNode* n) {
  const OpRef* ref = ctx.registry->FindOp(n->domain, n->op);
  return ref ? ref->entry : nullptr;
}

bool AllKnown(const TflcValue* v) { return v->rank >= 0 && NumElements(*v) >= 0 && v->type != TFLC_TYPE_UNKNOWN; }

std::shared_ptr<OwnedBuffer> Alloc(const TflcValue* v) {
  size_t n = static_cast<size_t>(NumElements(*v)) * ElementSize(v->type);
  return std::make_shared<OwnedBuffer>(n);
}

TflcValue* NewConst(TflcGraph* g, const std::string& name, TflcDataType type, const std::vector<int64_t>& dims,
                    std::shared_ptr<const ConstBuffer> data) {
  TflcValue* v = NewValue(g, name);
  v->type = type;
  v->rank = static_cast<int32_t>(dims.size());
  v->dims = dims;
  v->data = std::move(data);
  return v;
}

int64_t AttrInt(const TflcNode* n, const char* name, int64_t def) {
  auto it = n->attrs.find(name);
  return it == n->attrs.end() ? def : it->second.i;
}

// The single node using `v` (and v is not a graph output), else nullptr.
TflcNode* SoleUser(const TflcValue* v) {
  if (v->output_uses != 0 || v->users.size() != 1) return nullptr;
  return v->users[0];
}

// A float32 constant that broadcasts as a vector of `channels` along the last axis of a tensor of
// rank `rank`: shape [C], or [1,...,1,C] of rank <= rank; or a scalar (then expanded).
bool PerChannelConst(const TflcValue* c, int64_t channels, int32_t rank, std::vector<float>* out) {
  if (!c || !c->is_const() || c->type != TFLC_TYPE_FLOAT32 || c->rank < 0 || c->rank > rank) return false;
  int64_t n = NumElements(*c);
  for (int32_t i = 0; i + 1 < c->rank; ++i) {
    if (c->dims[i] != 1) return false;
  }
  const float* p = reinterpret_cast<const float*>(c->data->data());
  if (n == 1) {
    out->assign(static_cast<size_t>(channels), p[0]);
    return true;
  }
  if (c->rank == 0 || c->dims.back() != channels) return false;
  out->assign(p, p + channels);
  return true;
}

struct FusionSite {
  TflcNode* n;
  const TflcOpsetEntry* e;
  TflcNode* user;
  const TflcOpsetEntry* ue;
  TflcValue* other;  // the user's operand that is not n's output
};

// Folds MUL / ADD / SUB by a per-channel constant into a conv-like op's weights and bias.
bool FuseAffine(const PassContext& ctx, TflcGraph* g, const FusionSite& s) {
  TflcNode* n = s.n;
  const TflcOpsetEntry* e = s.e;
  if (e->weight_input < 0 || e->bias_input < 0) return false;
  if (AttrInt(n, "fused_activation_function", 0) != 0) return false;
  if (n->outputs.size() != 1) return false;
  TflcValue* out = n->outputs[0];
  if (out->rank < 1 || out->type != TFLC_TYPE_FLOAT32) return false;
  if (static_cast<size_t>(e->weight_input) >= n->inputs.size()) return false;
  TflcValue* w = n->inputs[e->weight_input];
  if (!w || !w->is_const() || w->type != TFLC_TYPE_FLOAT32 || e->weight_output_axis >= w->rank) return false;
  int64_t channels = w->dims[e->weight_output_axis];
  if (out->dims.back() != channels) return false;
  TflcValue* b = static_cast<size_t>(e->bias_input) < n->inputs.size() ? n->inputs[e->bias_input] : nullptr;
  if (b && (!b->is_const() || b->type != TFLC_TYPE_FLOAT32 || NumElements(*b) != channels)) return false;

  std::vector<float> c;
  if (!PerChannelConst(s.other, channels, out->rank, &c)) return false;
  // The user's output shape must equal n's (no broadcasting that changes the shape).
  TflcValue* uout = s.user->outputs[0];
  if (uout->dims != out->dims) return false;
  TflcAlgebra alg = s.ue->algebra;
  bool n_first = s.user->inputs[0] == out;
  if (alg == TFLC_ALGEBRA_SUB && !n_first) return false;
  // The user may already carry a fused activation (e.g. BatchNorm's ADD fused with a ReLU): it moves
  // onto n, which must be able to hold it.
  const int64_t user_activation = AttrInt(s.user, "fused_activation_function", 0);
  if (user_activation != 0 && !e->fuses_activation) return false;

  std::vector<float> bias(static_cast<size_t>(channels), 0.f);
  if (b) std::memcpy(bias.data(), b->data->data(), bias.size() * sizeof(float));

  if (alg == TFLC_ALGEBRA_MUL) {
    auto nw = std::make_shared<OwnedBuffer>(w->data->size());
    const float* src = reinterpret_cast<const float*>(w->data->data());
    float* dst = reinterpret_cast<float*>(nw->mutable_data());
    int64_t total = NumElements(*w);
    int64_t inner = 1;
    for (int32_t i = e->weight_output_axis + 1; i < w->rank; ++i) inner *= w->dims[i];
    for (int64_t i = 0; i < total; ++i) dst[i] = src[i] * c[static_cast<size_t>((i / inner) % channels)];
    SetInput(n, static_cast<size_t>(e->weight_input), NewConst(g, w->name, w->type, w->dims, nw));
    for (size_t i = 0; i < bias.size(); ++i) bias[i] *= c[i];
  } else if (alg == TFLC_ALGEBRA_ADD || alg == TFLC_ALGEBRA_SUB) {
    for (size_t i = 0; i < bias.size(); ++i) bias[i] += alg == TFLC_ALGEBRA_ADD ? c[i] : -c[i];
  } else {
    return false;
  }
  auto nb = std::make_shared<OwnedBuffer>(bias.size() * sizeof(float));
  std::memcpy(nb->mutable_data(), bias.data(), bias.size() * sizeof(float));
  if (user_activation != 0) {
    tflc::host::Attr act;
    act.kind = TFLC_ATTR_INT;
    act.i = user_activation;
    n->attrs["fused_activation_function"] = act;
  }
  std::string bias_name = b ? b->name : n->name + "/bias";
  SetInput(n, static_cast<size_t>(e->bias_input), NewConst(g, bias_name, TFLC_TYPE_FLOAT32, {channels}, nb));
  // n's output takes over the user's output (and its name, which downstream users know).
  std::string name = uout->name;
  ReplaceAllUses(uout, out);
  out->name = name;
  RemoveNode(s.user);
  (void)ctx;
  return true;
}

int64_t QueryNode(const PassContext& ctx, TflcNode* n, TflcOpQueryKind kind) {
  const OpRef* ref = ctx.registry->FindOp(n->domain, n->op);
  if (!ref || !TFLC_HAS_FIELD(ref->entry, TflcOpsetEntry, Query) || !ref->entry->Query) return 0;
  TflcOpQuery_Args a{};
  a.struct_size = TflcOpQuery_Args_STRUCT_SIZE;
  a.host = HostApi();
  a.node = n;
  a.kind = kind;
  a.user_data = ref->entry->user_data;
  a.plugin_state = ref->plugin->state;
  // An error (or a thrown exception) means "unknown": treat as "cannot fold".
  if (!CallPlugin({ref->plugin, "Query", "opset entry", ref->entry->op, n}, [&] { return ref->entry->Query(&a); }).ok()) {
    return -1;
  }
  return a.answer;
}

// Folds a per-input-channel MUL / ADD / SUB by a constant that feeds a conv-like op's data input
// into its weights (MUL: scale along the input-channel axis) or bias (ADD: bias += W·t). An offset
// only folds when the op does not zero-pad its input (VALID convolutions, fully connected).
bool FuseInputAffine(const PassContext& ctx, TflcGraph* g, TflcNode* n, const TflcOpsetEntry* e) {
  if (!TFLC_HAS_FIELD(e, TflcOpsetEntry, weight_input_channel_axis) || e->weight_input_channel_axis < 0) return false;
  if (e->weight_input < 0 || e->bias_input < 0 || n->inputs.empty() || !n->inputs[0]) return false;
  TflcValue* x = n->inputs[0];
  TflcNode* p = x->producer;
  if (!p || p->dead || p->outputs.size() != 1 || p->inputs.size() != 2 || SoleUser(x) != n) return false;
  const TflcOpsetEntry* pe = EntryFor(ctx, p);
  if (!pe || pe->algebra == TFLC_ALGEBRA_NONE || AttrInt(p, "fused_activation_function", 0) != 0) return false;
  TflcValue* data = p->inputs[0]->is_const() ? p->inputs[1] : p->inputs[0];
  TflcValue* c = data == p->inputs[0] ? p->inputs[1] : p->inputs[0];
  if (!data || !c || data->is_const() || data->dims != x->dims || x->rank < 1) return false;
  if (pe->algebra == TFLC_ALGEBRA_SUB && data != p->inputs[0]) return false;
  TflcValue* w = n->inputs[static_cast<size_t>(e->weight_input)];
  if (!w || !w->is_const() || w->type != TFLC_TYPE_FLOAT32 || x->type != TFLC_TYPE_FLOAT32) return false;
  const int32_t in_axis = e->weight_input_channel_axis, out_axis = e->weight_output_axis;
  if (in_axis >= w->rank || out_axis < 0 || out_axis >= w->rank) return false;
  const int64_t cin = x->dims.back();
  if (w->dims[in_axis] != cin) return false;  // e.g. depthwise with a multiplier > 1
  std::vector<float> v;
  if (!PerChannelConst(c, cin, x->rank, &v)) return false;
  const bool additive = pe->algebra != TFLC_ALGEBRA_MUL;
  if (additive && QueryNode(ctx, n, TFLC_OP_QUERY_PADS_INPUT_WITH_ZEROS) != 0) return false;
  TflcValue* b = static_cast<size_t>(e->bias_input) < n->inputs.size() ? n->inputs[e->bias_input] : nullptr;
  const int64_t cout = w->dims[out_axis];
  if (b && (!b->is_const() || b->type != TFLC_TYPE_FLOAT32 || NumElements(*b) != cout)) return false;

  // Strides of the weights' input and output axes, for a flat walk.
  int64_t in_inner = 1, out_inner = 1;
  for (int32_t i = in_axis + 1; i < w->rank; ++i) in_inner *= w->dims[i];
  for (int32_t i = out_axis + 1; i < w->rank; ++i) out_inner *= w->dims[i];
  const float* wp = reinterpret_cast<const float*>(w->data->data());
  const int64_t total = NumElements(*w);
  if (!additive) {
    auto nw = std::make_shared<OwnedBuffer>(w->data->size());
    float* dst = reinterpret_cast<float*>(nw->mutable_data());
    for (int64_t i = 0; i < total; ++i) dst[i] = wp[i] * v[static_cast<size_t>((i / in_inner) % cin)];
    SetInput(n, static_cast<size_t>(e->weight_input), NewConst(g, w->name, w->type, w->dims, nw));
  } else {
    std::vector<double> acc(static_cast<size_t>(cout), 0.0);
    if (b) {
      const float* bp = reinterpret_cast<const float*>(b->data->data());
      for (int64_t o = 0; o < cout; ++o) acc[static_cast<size_t>(o)] = bp[o];
    }
    const double sign = pe->algebra == TFLC_ALGEBRA_SUB ? -1.0 : 1.0;
    for (int64_t i = 0; i < total; ++i) {
      acc[static_cast<size_t>((i / out_inner) % cout)] +=
          sign * static_cast<double>(wp[i]) * v[static_cast<size_t>((i / in_inner) % cin)];
    }
    auto nb = std::make_shared<OwnedBuffer>(static_cast<size_t>(cout) * sizeof(float));
    float* bd = reinterpret_cast<float*>(nb->mutable_data());
    for (int64_t o = 0; o < cout; ++o) bd[o] = static_cast<float>(acc[static_cast<size_t>(o)]);
    if (static_cast<size_t>(e->bias_input) >= n->inputs.size()) n->inputs.resize(static_cast<size_t>(e->bias_input) + 1, nullptr);
    SetInput(n, static_cast<size_t>(e->bias_input),
             NewConst(g, b ? b->name : n->name + "/bias", TFLC_TYPE_FLOAT32, {cout}, nb));
  }
  SetInput(n, 0, data);
  RemoveNode(p);
  return true;
}

// ActivationFunctionType values the TFLite kernels honour when fused (CalculateActivationRange):
// RELU=1, RELU_N1_TO_1=2, RELU6=3. Fused TANH / SIGN_BIT are ignored or refused by most kernels.
bool KernelsHonourFusedActivation(int32_t code) { return code >= 1 && code <= 3; }

bool FuseActivation(TflcNode* n, const TflcOpsetEntry* e, TflcNode* user, const TflcOpsetEntry* ue) {
  if (!e->fuses_activation || !KernelsHonourFusedActivation(ue->activation_code)) return false;
  if (AttrInt(n, "fused_activation_function", 0) != 0) return false;
  if (user->inputs.size() != 1 || n->outputs.size() != 1) return false;
  TflcValue* out = n->outputs[0];
  TflcValue* uout = user->outputs[0];
  if (out->type != TFLC_TYPE_FLOAT32 || uout->type != out->type) return false;
  tflc::host::Attr a;
  a.kind = TFLC_ATTR_INT;
  a.i = ue->activation_code;
  n->attrs["fused_activation_function"] = a;
  std::string name = uout->name;
  ReplaceAllUses(uout, out);
  out->name = name;
  RemoveNode(user);
  return true;
}

// Replaces `n` by constants when all its inputs are constant and its op has a kernel that covers
// the types. Sets *folded.
Status TryFold(const PassContext& ctx, TflcNode* n, bool* folded) {
  *folded = false;
  if (n->inputs.empty()) return OkStatus();
  // A node that calls subgraphs (a loop, a conditional) is never folded: its kernel runs them
  // through Graph_Run, which may cost any number of iterations; it stays for the runtime.
  if (!CalledSubgraphs(n).empty()) return OkStatus();
  const TflcOpsetEntry* e = EntryFor(ctx, n);
  if (!e || !e->Evaluate) return OkStatus();
  const uint64_t shape_only = TFLC_HAS_FIELD(e, TflcOpsetEntry, shape_only_inputs) ? e->shape_only_inputs : 0;
  std::vector<const void*> in_data;
  for (size_t i = 0; i < n->inputs.size(); ++i) {
    TflcValue* in = n->inputs[i];
    if (!in) {
      in_data.push_back(nullptr);
    } else if (i < 64 && (shape_only >> i & 1) && AllKnown(in)) {
      in_data.push_back(nullptr);  // only its (known) shape is read
    } else if (in->is_const() && !in->is_variable) {
      in_data.push_back(in->data->data());
    } else {
      return OkStatus();
    }
  }
  for (TflcValue* out : n->outputs) {
    if (!AllKnown(out) || ElementSize(out->type) == 0) return OkStatus();
  }
  std::vector<std::shared_ptr<OwnedBuffer>> outs;
  Status st = EvaluateNode(ctx, n, in_data, &outs);
  if (st.code() == TFLC_CODE_UNIMPLEMENTED) return OkStatus();  // the kernel doesn't cover these types
  TFLC_RETURN_IF_ERROR(st.WithContext("constant folding"));
  TflcGraph* g = n->graph;
  for (size_t k = 0; k < n->outputs.size(); ++k) {
    TflcValue* out = n->outputs[k];
    TflcValue* c = NewConst(g, out->name, out->type, out->dims, outs[k]);
    ReplaceAllUses(out, c);
  }
  std::vector<TflcValue*> inputs = n->inputs;
  RemoveNode(n);
  // A constant nothing uses any more (e.g. weights before their layout transpose) gives its memory
  // back now, not at the end of the pass: this keeps peak memory near one copy of the weights.
  for (TflcValue* in : inputs) {
    if (in && in->is_const() && in->num_uses() == 0) in->data.reset();
  }
  *folded = true;
  return OkStatus();
}

// Runs the opset shape function of `n`, then folds it when `fold` and its inputs are constant.
Status InferNode(const PassContext& ctx, TflcNode* n, bool fold) {
  const OpRef* ref = ctx.registry->FindOp(n->domain, n->op);
  if (!ref) {
    if (n->domain == TFLC_DOMAIN_CUSTOM) return OkStatus();  // shapes set by whoever emitted it
    return NotFound(DescribeNode(n) + ": no opset plugin defines builtin op " + n->op +
                    " (is opset_builtin loaded? see `tflc plugins`)");
  }
  TflcOpShape_Args a{};
  a.struct_size = TflcOpShape_Args_STRUCT_SIZE;
  a.host = HostApi();
  a.node = n;
  const TflcOpsetEntry* e = ref->entry;
  a.user_data = e->user_data;
  a.plugin_state = ref->plugin->state;
  Status st = CallPlugin({ref->plugin, "InferShape", "opset entry", e->op, n}, [&] { return e->InferShape(&a); });
  if (!st.ok()) {
    if (st.message().find("node `") == std::string::npos) st = st.WithContext(DescribeNode(n));
    return st;
  }
  if (!fold) return OkStatus();
  bool folded = false;
  return TryFold(ctx, n, &folded);
}

}  // namespace

Status PruneToOutputs(TflcGraph* g) {
  std::unordered_set<const TflcNode*> live;
  std::vector<const TflcValue*> stack(g->outputs.begin(), g->outputs.end());
  while (!stack.empty()) {
    const TflcValue* v = stack.back();
    stack.pop_back();
    if (v && v->producer && live.insert(v->producer).second) {
      for (const TflcValue* in : v->producer->inputs) stack.push_back(in);
    }
  }
  for (auto& n : g->nodes) {
    if (!n->dead && !live.count(n.get())) RemoveNode(n.get());
  }
  TFLC_RETURN_IF_ERROR(Compact(g));
  ClearGraveyard(g);
  return OkStatus();
}

namespace {

// "Conv2D" or, for a node a lowering emitted, "Einsum → BatchMatMulV2" (what led to it).
std::string Lineage(const TflcNode* n) {
  std::string s;
  for (const std::string& op : n->lowered_from) s += op + " → ";
  return s + n->op;
}

Status UnsupportedReport(const PassContext& ctx, const std::vector<TflcNode*>& nodes) {
  // op → (names, lineages of emitted ones)
  std::map<std::string, std::vector<const TflcNode*>> by_op;
  for (const TflcNode* n : nodes) by_op[n->op].push_back(n);
  const bool select_tf = SelectTfEnabled(ctx.options);
  const bool custom = OptionTrue(ctx.options, "allow_custom_ops");
  std::string m = std::to_string(by_op.size()) + " op type" + (by_op.size() > 1 ? "s" : "") + " (" +
                  std::to_string(nodes.size()) + " node" + (nodes.size() > 1 ? "s" : "") +
                  ") cannot be lowered to TFLite builtins" +
                  (select_tf ? " or as Select TF ops (no loaded Select TF lowering accepts them; Select TF takes only the ops "
                               "in TensorFlow's Flex allowlist)"
                             : "") + ":";
  for (auto& [op, list] : by_op) {
    m += "\n  " + op + " x" + std::to_string(list.size()) + " (first: ";
    for (size_t k = 0; k < list.size() && k < 3; ++k) m += (k ? ", '" : "'") + list[k]->name + "'";
    m += ")";
    if (!list[0]->lowered_from.empty()) m += ", emitted while lowering " + Lineage(list[0]);
  }
  m += "\nWhat to do: ";
  if (!select_tf) m += "convert with --enable_select_tf_ops to run them as Select TF ops (Flex), or ";
  if (!custom) m += "with --allow_custom_ops to emit them as custom ops your app implements, or ";
  m += "add a plugin that lowers them (--plugin_dir; `tflc plugins` lists what is loaded).";
  return Unimplemented(m);
}

// Lowers one source node with its chosen row. The nodes the row created are appended to `created`.
Status LowerOne(const PassContext& ctx, TflcGraph* g, TflcNode* n, const LoweringRef& ref,
                std::vector<TflcNode*>* created) {
  TflcLowerNode_Args a = LowerArgs(ctx, ref, g, n);
  g->created = created;
  Status st = CallPlugin({ref.plugin, "Lower", "lowering row", ref.row->source_op, n}, [&] { return ref.row->Lower(&a); });
  g->created = nullptr;
  if (!st.ok()) {
    if (st.message().find("node `") == std::string::npos) st = st.WithContext(DescribeNode(n));
    const std::string plugin = "plugin '" + ref.plugin->name() + "'";
    if (st.message().find(plugin) != std::string::npos) return st;  // e.g. PluginThrew names it already
    return Status(st.code(), st.message() + " [lowering row of " + plugin + "]");
  }
  for (TflcValue* out : n->outputs) {
    if (out->num_uses() != 0) {
      return Internal(DescribeNode(n) + ": lowering by plugin '" + ref.plugin->name() + "' left output '" +
                      out->name + "' in use; a lowering must redirect every used output");
    }
  }
  for (TflcNode* c : *created) {
    c->lowered_target = ref.row->target;
    c->lowered_from = n->lowered_from;
    c->lowered_from.push_back(n->op);
    if (c->domain != TFLC_DOMAIN_SOURCE) continue;
    // A row may emit source ops that other rows lower in turn, but never (through any chain) its
    // own source op again: that would not terminate.
    if (std::find(c->lowered_from.begin(), c->lowered_from.end(), c->op) != c->lowered_from.end()) {
      return Internal(DescribeNode(c) + ": lowering cycle " + Lineage(c) + " (plugin '" + ref.plugin->name() +
                      "' emitted an op that is already being lowered); a lowering may emit source ops only "
                      "when they lower to something else");
    }
  }
  RemoveNode(n);
  // Give the new target nodes shapes (and fold constant ones, e.g. weight transposes) right away,
  // so later lowerings see shapes and the source weights can be freed early.
  for (TflcNode* c : *created) {
    if (!ctx.eager_shapes) break;
    if (c->dead || c->domain == TFLC_DOMAIN_SOURCE || !EntryFor(ctx, c)) continue;  // later passes report
    bool inputs_known = true;
    for (TflcValue* in : c->inputs) inputs_known = inputs_known && (!in || in->rank >= 0);
    if (inputs_known) TFLC_RETURN_IF_ERROR(InferNode(ctx, c, /*fold=*/true));
  }
  return OkStatus();
}

}  // namespace

// Gives each subgraph `n` calls (TFLC_ATTR_GRAPH attributes) the types and shapes of the node
// inputs bound to it - its last K inputs, K = the subgraph's input count - and lowers it, so the row
// that lowers `n` sees lowered subgraphs with known output shapes. A loop variable that a lowering
// turned from a TensorList handle into a plain tensor reaches the body as that tensor.
Status LowerCalledSubgraphs(const PassContext& ctx, TflcNode* n) {
  for (const auto& [attr, sub] : CalledSubgraphs(n)) {
    if (!sub) return InvalidArgument(DescribeNode(n) + ": attribute '" + attr + "' names no subgraph");
    if (sub->lowered) continue;
    if (sub->inputs.size() > n->inputs.size()) {
      return InvalidArgument(DescribeNode(n) + " calls " + DescribeGraph(sub) + ", which takes " +
                             std::to_string(sub->inputs.size()) + " inputs, with " + std::to_string(n->inputs.size()));
    }
    const size_t base = n->inputs.size() - sub->inputs.size();
    for (size_t i = 0; i < sub->inputs.size(); ++i) {
      const TflcValue* in = n->inputs[base + i];
      TflcValue* arg = sub->inputs[i];
      if (!in || in->type == TFLC_TYPE_UNKNOWN) continue;
      arg->type = in->type;
      if (in->rank >= 0) {
        arg->rank = in->rank;
        arg->dims = in->dims;
      }
    }
    sub->lowered = true;
    TFLC_RETURN_IF_ERROR(PruneToOutputs(sub));
    TFLC_RETURN_IF_ERROR(LowerGraph(ctx, sub).WithContext("lowering " + DescribeGraph(sub) + ", called by " + DescribeNode(n)));
  }
  return OkStatus();
}

// Lowering runs to a fixed point, as MLIR's dialect conversion does: a row may emit source ops
// (TF ops, tflc composites), which are lowered right after the node that emitted them, in creation
// order (topological), so each sees the shapes of its already-lowered inputs. A node is legal once
// it is a target op. Every node of the frontend's graph that no row accepts is reported at once,
// before anything is lowered; emitted nodes no row accepts are reported at the end, with the chain
// that emitted them; a chain that emits an op it is lowering is a cycle and an error.
Status LowerGraph(const PassContext& ctx, TflcGraph* g) {
  TFLC_RETURN_IF_ERROR(Sorted(g));
  std::vector<TflcNode*> source;
  for (auto& n : g->nodes) {
    if (n->domain == TFLC_DOMAIN_SOURCE) source.push_back(n.get());
  }
  std::vector<TflcNode*> unsupported;
  std::vector<std::vector<LoweringRef>> storage(source.size());
  std::vector<const LoweringRef*> chosen(source.size(), nullptr);
  for (size_t i = 0; i < source.size(); ++i) {
    TFLC_ASSIGN_OR_RETURN(chosen[i], PickRow(ctx, g, source[i], &storage[i]));
    if (!chosen[i]) unsupported.push_back(source[i]);
  }
  if (!unsupported.empty()) return UnsupportedReport(ctx, unsupported);
  for (size_t i = 0; i < source.size(); ++i) {
    std::vector<TflcNode*> created;
    TFLC_RETURN_IF_ERROR(LowerCalledSubgraphs(ctx, source[i]));
    TFLC_RETURN_IF_ERROR(LowerOne(ctx, g, source[i], *chosen[i], &created));
    // Emitted source ops: lowered depth first, in creation order.
    std::vector<TflcNode*> work;
    for (auto it = created.rbegin(); it != created.rend(); ++it)
      if ((*it)->domain == TFLC_DOMAIN_SOURCE && !(*it)->dead) work.push_back(*it);
    while (!work.empty()) {
      TflcNode* n = work.back();
      work.pop_back();
      if (n->dead) continue;
      std::vector<LoweringRef> rows;
      TFLC_ASSIGN_OR_RETURN(const LoweringRef* ref, PickRow(ctx, g, n, &rows));
      if (!ref) {
        unsupported.push_back(n);
        continue;
      }
      std::vector<TflcNode*> more;
      TFLC_RETURN_IF_ERROR(LowerCalledSubgraphs(ctx, n));
      TFLC_RETURN_IF_ERROR(LowerOne(ctx, g, n, *ref, &more));
      for (auto it = more.rbegin(); it != more.rend(); ++it)
        if ((*it)->domain == TFLC_DOMAIN_SOURCE && !(*it)->dead) work.push_back(*it);
    }
  }
  if (!unsupported.empty()) return UnsupportedReport(ctx, unsupported);
  TFLC_RETURN_IF_ERROR(Compact(g));
  ClearGraveyard(g);
  return OkStatus();
}

Status InferShapes(const PassContext& ctx, TflcGraph* g) {
  TFLC_RETURN_IF_ERROR(Sorted(g));
  std::vector<TflcNode*> order;
  for (auto& n : g->nodes) order.push_back(n.get());
  for (TflcNode* n : order) {
    if (n->dead) continue;
    if (n->domain == TFLC_DOMAIN_SOURCE) {
      return FailedPrecondition(DescribeNode(n) + " was not lowered before shape inference");
    }
    TFLC_RETURN_IF_ERROR(InferNode(ctx, n, /*fold=*/true));
  }
  TFLC_RETURN_IF_ERROR(Compact(g));
  ClearGraveyard(g);
  return OkStatus();
}

Status EvaluateNode(const PassContext& ctx, TflcNode* n, const std::vector<const void*>& inputs,
                    std::vector<std::shared_ptr<OwnedBuffer>>* outputs) {
  const OpRef* ref = ctx.registry->FindOp(n->domain, n->op);
  const TflcOpsetEntry* e = ref ? ref->entry : nullptr;
  if (!e || !e->Evaluate) return Unimplemented(DescribeNode(n) + ": the opset has no reference kernel for " + n->op);
  outputs->clear();
  std::vector<void*> out_ptrs;
  for (TflcValue* out : n->outputs) {
    if (!AllKnown(out)) return FailedPrecondition(DescribeNode(n) + ": output shape unknown");
    outputs->push_back(Alloc(out));
    out_ptrs.push_back(outputs->back()->mutable_data());
  }
  TflcOpEval_Args a{};
  a.struct_size = TflcOpEval_Args_STRUCT_SIZE;
  a.host = HostApi();
  a.node = n;
  a.inputs = inputs.data();
  a.num_inputs = inputs.size();
  a.outputs = out_ptrs.data();
  a.num_outputs = out_ptrs.size();
  a.user_data = e->user_data;
  a.plugin_state = ref->plugin->state;
  return CallPlugin({ref->plugin, "Evaluate", "opset entry", e->op, n}, [&] { return e->Evaluate(&a); });
}

Status FoldConstants(const PassContext& ctx, TflcGraph* g) {
  TFLC_RETURN_IF_ERROR(Sorted(g));
  std::vector<TflcNode*> order;
  for (auto& n : g->nodes) order.push_back(n.get());
  for (TflcNode* n : order) {
    if (n->dead) continue;
    bool folded = false;
    TFLC_RETURN_IF_ERROR(TryFold(ctx, n, &folded));
  }
  TFLC_RETURN_IF_ERROR(Compact(g));
  ClearGraveyard(g);
  return OkStatus();
}

Status Fuse(const PassContext& ctx, TflcGraph* g) {
  bool changed = true;
  while (changed) {
    changed = false;
    TFLC_RETURN_IF_ERROR(Sorted(g));
    std::vector<TflcNode*> order;
    for (auto& n : g->nodes) order.push_back(n.get());
    for (TflcNode* n : order) {
      if (n->dead || n->outputs.size() != 1) continue;
      const TflcOpsetEntry* e = EntryFor(ctx, n);
      if (!e) continue;
      if (FuseInputAffine(ctx, g, n, e)) { changed = true; continue; }
      TflcNode* user = SoleUser(n->outputs[0]);
      if (!user || user->dead || user->outputs.size() != 1) continue;
      const TflcOpsetEntry* ue = EntryFor(ctx, user);
      if (!ue) continue;
      if (ue->algebra != TFLC_ALGEBRA_NONE && user->inputs.size() == 2) {
        TflcValue* other = user->inputs[0] == n->outputs[0] ? user->inputs[1] : user->inputs[0];
        if (FuseAffine(ctx, g, FusionSite{n, e, user, ue, other})) { changed = true; continue; }
      }
      if (FuseActivation(n, e, user, ue)) changed = true;
    }
    TFLC_RETURN_IF_ERROR(Compact(g));
  }
  ClearGraveyard(g);
  return OkStatus();
}

Status Verify(const PassContext& ctx, TflcGraph* g) {
  TFLC_RETURN_IF_ERROR(Sorted(g));
  if (g->outputs.empty()) return InvalidArgument("signature '" + g->signature_key + "' has no outputs");
  for (auto& n : g->nodes) {
    if (n->domain == TFLC_DOMAIN_SOURCE) return Internal(DescribeNode(n.get()) + " is still a source op after lowering");
    if (n->domain == TFLC_DOMAIN_BUILTIN && !EntryFor(ctx, n.get())) {
      return NotFound(DescribeNode(n.get()) + ": no opset plugin defines builtin op " + n->op);
    }
    for (TflcValue* v : n->outputs) {
      // Custom ops without an opset entry (Select TF, --allow_custom_ops) may leave the rank unknown:
      // their kernels size their outputs at run time.
      const bool rank_optional = n->domain == TFLC_DOMAIN_CUSTOM && !EntryFor(ctx, n.get());
      if (v->type == TFLC_TYPE_UNKNOWN || (v->rank < 0 && !rank_optional)) {
        for (const TflcValue* in : n->inputs) {
          if (!in || in->rank >= 0 || !in->producer || in->producer->domain != TFLC_DOMAIN_CUSTOM) continue;
          return FailedPrecondition(
              DescribeNode(n.get()) + ": its input '" + in->name + "' comes from custom op " + DescribeNode(in->producer) +
              ", whose output shape tflc cannot tell, and this op needs a known rank. What to do: give the "
              "graph `_output_shapes` (export it with shapes), or add a plugin with a shape function for that "
              "op (see docs/writing-a-plugin.md)");
        }
        return Internal(DescribeNode(n.get()) + ": output '" + v->name + "' has no known type/shape after shape inference");
      }
    }
  }
  return OkStatus();
}

Status RunPipeline(const PassContext& ctx, TflcModel* model) {
  // Entry graphs are lowered here; each subgraph when the node calling it is (LowerCalledSubgraphs).
  // Index loops: lowering may add subgraphs.
  for (size_t i = 0; i < model->graphs.size(); ++i) {
    TflcGraph* g = model->graphs[i].get();
    if (g->is_subgraph) continue;
    TFLC_RETURN_IF_ERROR(PruneToOutputs(g));
    g->lowered = true;
    TFLC_RETURN_IF_ERROR(LowerGraph(ctx, g));
  }
  // Callers before callees (creation order), so a subgraph sees its caller's final shapes.
  for (size_t i = 0; i < model->graphs.size(); ++i) {
    TflcGraph* g = model->graphs[i].get();
    if (!g->lowered) {
      // A subgraph no remaining node calls (its caller was pruned): nothing later may see it.
      // Its outputs first: a node whose output is still a graph output cannot be removed.
      for (TflcValue* v : g->outputs) v->output_uses--;
      g->outputs.clear();
      g->output_signature_names.clear();
      for (auto& n : g->nodes) RemoveNode(n.get());
      g->inputs.clear();
      g->input_signature_names.clear();
      TFLC_RETURN_IF_ERROR(Compact(g));
      ClearGraveyard(g);
      continue;
    }
    // Messages from inside a subgraph name it (node descriptions do too).
    auto in = [g](Status st) { return g->is_subgraph ? st.WithContext(DescribeGraph(g)) : st; };
    TFLC_RETURN_IF_ERROR(in(InferShapes(ctx, g)));
    TFLC_RETURN_IF_ERROR(in(FoldConstants(ctx, g)));
    TFLC_RETURN_IF_ERROR(in(Fuse(ctx, g)));
    TFLC_RETURN_IF_ERROR(in(FoldConstants(ctx, g)));
    TFLC_RETURN_IF_ERROR(in(PruneToOutputs(g)));
    TFLC_RETURN_IF_ERROR(in(Verify(ctx, g)));
  }
  return OkStatus();
}

}  // namespace tflc::host
