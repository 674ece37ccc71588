// keras_recipe_layers: the keras.io recipe "Text classification with Transformer" (Keras 3 and
// tf.keras versions), as Keras-layer source nodes → TF source ops:
//
//   keras.TokenAndPositionEmbedding(x; token_emb [V, E], pos_emb [M, E])   x: [B, L], L <= M
//     ids = Cast<int32>(x)            (Keras' Embedding casts float ids to int32: truncation)
//     y   = AddV2(GatherV2(token_emb, ids, axis 0), pos_emb[0:L])   → [B, L, E]
//           (positions = arange(L), so pos_emb(positions) is the constant first L rows: folded here)
//
//   keras.TransformerBlock(x [B, L, E]; 16 weights)
//     MultiHeadAttention(num_heads H, key_dim d) called as att(x, x) (query = value = key):
//       Q = Einsum("abc,cde->abde", x, Wq) + bq          [B, L, H, d]   (same for K, V)
//       S = Einsum("aecd,abcd->acbe", K, Q * 1/sqrt(d))  [B, H, L, L]
//       P = Softmax(S)                                    (over the keys, the last axis)
//       C = Einsum("acbe,aecd->abcd", P, V)               [B, L, H, d]
//       A = Einsum("abcd,cde->abe", C, Wo) + bo           [B, L, E]
//     out1 = LayerNorm_1e-6(x + A)                        (dropout: identity at inference)
//     F    = Dense(E)(Relu(Dense(ff_dim)(out1)))          (Einsum "abc,cd->abd" + AddV2)
//     y    = LayerNorm_1e-6(out1 + F)
//   LayerNorm over the last axis, population variance, as TF's Keras traces it
//   (tf.nn.moments + batch_normalization): mean = Mean(x), var = Mean(SquaredDifference(x, mean)),
//   inv = Rsqrt(var + eps) * gamma,  y = x * inv + (beta - mean * inv).
//
// Facts: keras/src/layers/attention/multi_head_attention.py (key_dim scaling, equations for a
// rank-3 query with the default attention axes), layers/normalization/layer_normalization.py,
// layers/core/embedding.py (cast of non-integer ids to int32); shared KERAS.md B.1, B.3.
#include "recipe_layers.h"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "tflc/abi/tflc_plugin.h"
#include "tflc/sdk/plugin.h"
#include "tflc/sdk/status.h"

namespace {

using tflc::InvalidArgument;
using tflc::OkStatus;
using tflc::Status;
using tflc::StatusOr;
using tflc::sdk::GraphBuilder;
using tflc::sdk::NodeView;
using tflc::sdk::ValueView;
using Dims = std::vector<int64_t>;

constexpr char kPluginName[] = "keras_recipe_layers";
constexpr char kTransformerBlock[] = "keras.TransformerBlock";
constexpr char kTokenAndPositionEmbedding[] = "keras.TokenAndPositionEmbedding";
constexpr double kLayerNormEpsilon = 1e-6;  // the recipe's LayerNormalization(epsilon=1e-6)

std::string DimsStr(const Dims& d) {
  std::string s = "[";
  for (size_t i = 0; i < d.size(); ++i) s += (i ? "," : "") + std::to_string(d[i]);
  return s + "]";
}

// ------------------------------------------------------------------------- reading the node

// What every refusal ends with: why a class name is not enough, and the two ways out.
std::string Routes(const std::string& cls) {
  return ". The file holds the class name, config and weights of '" + cls +
         "' but not its code, and this plugin (" + kPluginName + ") converts only the keras.io recipe's " + cls +
         " exactly: convert a SavedModel export of the model instead (Keras 3: model.export(\"dir\"); tf.keras: "
         "tf.saved_model.save(model, \"dir\"); then tflc convert --saved_model_dir dir), or adapt the plugin "
         "(examples/keras_layer_plugin) to this layer's code";
}

// The layer's scope name: the node's name without the Keras frontend's "/call" (or "/call_N")
// suffix, e.g. "transformer_block" or "outer/transformer_block".
std::string LayerName(const NodeView& node) {
  static const std::regex kCall("/call(_\\d+)?$");
  return std::regex_replace(std::string(node.name()), kCall, "");
}

// The name prefix of the emitted ops: the layer's scope for its first call ("transformer_block"),
// the node's own name for further calls of a shared layer ("transformer_block/call_1").
std::string EmitPrefix(const NodeView& node) {
  std::string name(node.name());
  const std::string call = "/call";
  if (name.size() > call.size() && name.compare(name.size() - call.size(), call.size(), call) == 0) {
    name.resize(name.size() - call.size());
  }
  return name;
}

// A refusal: names the layer (its scope name and class) and what differs.
Status Refuse(const NodeView& node, const std::string& cls, const std::string& what) {
  return tflc::Unimplemented("layer '" + LayerName(node) + "' (class " + cls + "): " + what + Routes(cls));
}

// The class name as the file writes it (attribute _keras_class), else the op without "keras.".
std::string ClassName(const NodeView& node) {
  auto c = node.StringAttr("_keras_class");
  if (c.ok()) return *c;
  std::string op(node.op());
  return op.rfind("keras.", 0) == 0 ? op.substr(6) : op;
}

// Config keys Keras' base Layer writes (tf.keras and Keras 3) or accepts; they do not change the math.
const std::set<std::string>& BaseLayerKeys() {
  static const std::set<std::string> keys = {"name", "trainable", "dtype", "batch_input_shape", "batch_shape",
                                             "input_shape", "dynamic", "autocast"};
  return keys;
}

// Checks the node's config attributes (every attribute not starting with "_") against the
// recipe's __init__ arguments `allowed`, and the layer's dtype (float32 only).
Status CheckConfigKeys(const NodeView& node, const std::string& cls, const std::set<std::string>& allowed,
                       const std::string& signature) {
  for (const std::string& key : node.AttrNames()) {
    if (key.empty() || key[0] == '_' || BaseLayerKeys().count(key) || allowed.count(key)) continue;
    return Refuse(node, cls, "config key '" + key + "' is not an argument of the keras.io recipe's " + cls +
                                 signature + " (it may change what the layer computes)");
  }
  if (node.HasAttr("dtype")) {
    auto dtype = node.StringAttr("dtype");
    // tf.keras: "float32"; Keras 3: a DTypePolicy object as JSON text ({"config": {"name": "float32"}}).
    if (!dtype.ok() || dtype->find("float32") == std::string::npos || dtype->find("mixed") != std::string::npos) {
      return Refuse(node, cls, "config 'dtype' is " + (dtype.ok() ? "'" + *dtype + "'" : std::string("not a string")) +
                                   ", this plugin converts float32 layers only");
    }
  }
  return OkStatus();
}

// An integer config key: its value, or -1 when the config does not have it (then the weights tell).
StatusOr<int64_t> IntKey(const NodeView& node, const std::string& cls, const char* key) {
  if (!node.HasAttr(key)) return int64_t{-1};
  TflcAttrValue v;
  node.GetAttr(key, &v);
  if (v.kind != TFLC_ATTR_INT || v.i <= 0) {
    return Refuse(node, cls, std::string("config '") + key + "' is not a positive integer");
  }
  return v.i;
}

// The layer's call tensors (attr _keras_inputs; 1 when absent) and its weights (attr _keras_weights).
struct LayerInputs {
  std::vector<ValueView> tensors;
  std::vector<std::string> weight_names;
  std::vector<ValueView> weights;
};

StatusOr<LayerInputs> ReadInputs(const NodeView& node, const std::string& cls, size_t expected_tensors) {
  LayerInputs in;
  TFLC_ASSIGN_OR_RETURN(int64_t n, node.IntAttrOr("_keras_inputs", 1));
  if (n < 0 || static_cast<size_t>(n) > node.num_inputs()) {
    return InvalidArgument("attribute _keras_inputs is " + std::to_string(n) + " but the node has " +
                           std::to_string(node.num_inputs()) + " inputs");
  }
  if (static_cast<size_t>(n) != expected_tensors) {
    return Refuse(node, cls, "it is called on " + std::to_string(n) + " tensors, the recipe's " + cls +
                                 " takes " + std::to_string(expected_tensors));
  }
  for (size_t i = 0; i < static_cast<size_t>(n); ++i) in.tensors.push_back(node.input(i));
  if (node.HasAttr("_keras_weights")) {
    TFLC_ASSIGN_OR_RETURN(in.weight_names, node.StringListAttr("_keras_weights"));
  }
  if (in.weight_names.size() != node.num_inputs() - static_cast<size_t>(n)) {
    return InvalidArgument("attribute _keras_weights names " + std::to_string(in.weight_names.size()) +
                           " weights but the node has " + std::to_string(node.num_inputs() - static_cast<size_t>(n)) +
                           " weight inputs");
  }
  for (size_t i = static_cast<size_t>(n); i < node.num_inputs(); ++i) {
    const ValueView w = node.input(i);
    if (!w || !w.is_const() || w.type() != TFLC_TYPE_FLOAT32 || !w.fully_defined()) {
      return InvalidArgument("weight '" + in.weight_names[i - static_cast<size_t>(n)] +
                             "' is not a float32 constant of known shape");
    }
    in.weights.push_back(w);
  }
  if (node.num_outputs() != 1) {
    return Refuse(node, cls, "the model uses " + std::to_string(node.num_outputs()) +
                                 " outputs of it, the recipe's " + cls + " has one");
  }
  return in;
}

// ------------------------------------------------------------------------- weight identification
//
// A weight is identified by its NAME in either dialect (and must then have the shape the config
// gives). Legacy H5 names use tf.keras' global layer counters (`dense_3`, `layer_normalization_1`),
// so the slot of a counted group is its rank among the groups of its kind, in file order (= the
// recipe's tracking order). `.keras` names are attribute paths (`att/query_dense/vars/0`).

// Legacy H5 names may carry outer name scopes before the sub-layer (the ffn's `sequential/`, or a
// writer's model scope): any leading path components are allowed, the sub-layer part must match.
const std::string kScope = "(?:[^/]+/)*";

struct SlotRule {
  std::regex pattern;
  int slot;        // fixed slot, or the first slot of a counted kind (slot + leaves * rank + leaf)
  int kind;        // -1: fixed; else a counted kind (group = match 1, leaf = match 2)
  int leaves = 2;  // weights per group of a counted kind (kernel/bias, gamma/beta: 2; embeddings: 1)
};

// Fills `slots` (size n) with the weight index for each slot; refuses unknown, repeated or missing
// weights. `slot_names` name each slot for messages.
Status AssignSlots(const NodeView& node, const std::string& cls, const std::vector<std::string>& names,
                   const std::vector<SlotRule>& rules, const std::vector<std::string>& slot_names,
                   const std::map<int, int>& kind_groups, std::vector<int>* slots) {
  slots->assign(slot_names.size(), -1);
  std::map<int, std::vector<std::string>> groups;  // kind -> group names in order of appearance
  for (size_t i = 0; i < names.size(); ++i) {
    int slot = -1;
    std::smatch m;
    for (const SlotRule& r : rules) {
      if (!std::regex_match(names[i], m, r.pattern)) continue;
      if (r.kind < 0) {
        slot = r.slot;
      } else {
        auto& g = groups[r.kind];
        const std::string group = m[1].str();
        size_t rank = 0;
        while (rank < g.size() && g[rank] != group) ++rank;
        if (rank == g.size()) g.push_back(group);
        const int leaf = r.leaves > 1 && (m[2].str() == "bias" || m[2].str() == "beta" || m[2].str() == "1") ? 1 : 0;
        if (static_cast<int>(rank) >= kind_groups.at(r.kind)) {
          return Refuse(node, cls, "weight '" + names[i] + "' belongs to a sub-layer '" + group +
                                       "' the recipe's " + cls + " does not have (one sub-layer too many)");
        }
        slot = r.slot + r.leaves * static_cast<int>(rank) + leaf;
      }
      break;
    }
    if (slot < 0) {
      return Refuse(node, cls, "weight '" + names[i] + "' is not one of the weights the keras.io recipe's " + cls +
                                   " creates");
    }
    if ((*slots)[static_cast<size_t>(slot)] >= 0) {
      return Refuse(node, cls, "weights '" + names[static_cast<size_t>((*slots)[static_cast<size_t>(slot)])] +
                                   "' and '" + names[i] + "' both are the " + slot_names[static_cast<size_t>(slot)]);
    }
    (*slots)[static_cast<size_t>(slot)] = static_cast<int>(i);
  }
  for (size_t s = 0; s < slots->size(); ++s) {
    if ((*slots)[s] < 0) {
      return Refuse(node, cls, "it has no " + slot_names[s] + " weight (the recipe's " + cls + " has " +
                                   std::to_string(slot_names.size()) + " weights, the file gives " +
                                   std::to_string(names.size()) + ")");
    }
  }
  return OkStatus();
}

// ------------------------------------------------------------------------- TransformerBlock

enum TbSlot {
  kQk, kQb, kKk, kKb, kVk, kVb, kOk, kOb,  // att: query, key, value, attention_output (kernel, bias)
  kF1k, kF1b, kF2k, kF2b,                  // ffn: Dense(ff_dim, relu), Dense(embed_dim)
  kG1, kB1, kG2, kB2,                      // layernorm1, layernorm2 (gamma, beta)
  kNumTbSlots
};

const std::vector<std::string>& TbSlotNames() {
  static const std::vector<std::string> n = {
      "att query kernel", "att query bias", "att key kernel", "att key bias", "att value kernel",
      "att value bias", "att output kernel", "att output bias", "ffn first Dense kernel", "ffn first Dense bias",
      "ffn second Dense kernel", "ffn second Dense bias", "layernorm1 gamma", "layernorm1 beta",
      "layernorm2 gamma", "layernorm2 beta"};
  return n;
}

const std::vector<SlotRule>& TbRules() {
  static const std::vector<SlotRule> rules = [] {
    std::vector<SlotRule> r;
    // .keras (Keras 3.1+: query_dense ...; Keras 3.0 and tf.keras 2.13-2.15: _query_dense ...).
    const char* proj[] = {"query", "key", "value"};
    for (int i = 0; i < 3; ++i) {
      r.push_back({std::regex(std::string("att/_?") + proj[i] + "_dense/vars/0"), kQk + 2 * i, -1});
      r.push_back({std::regex(std::string("att/_?") + proj[i] + "_dense/vars/1"), kQb + 2 * i, -1});
    }
    r.push_back({std::regex("att/(attention_output|output_dense|_output_dense)/vars/0"), kOk, -1});
    r.push_back({std::regex("att/(attention_output|output_dense|_output_dense)/vars/1"), kOb, -1});
    r.push_back({std::regex("ffn/(?:layers|_layer_checkpoint_dependencies)/(dense(?:_\\d+)?)/vars/([01])"), kF1k, 0});
    r.push_back({std::regex("layernorm1/vars/0"), kG1, -1});
    r.push_back({std::regex("layernorm1/vars/1"), kB1, -1});
    r.push_back({std::regex("layernorm2/vars/0"), kG2, -1});
    r.push_back({std::regex("layernorm2/vars/1"), kB2, -1});
    // Legacy H5 (tf.keras / Keras 3 H5): global counters on the sub-layer names.
    for (int i = 0; i < 3; ++i) {
      r.push_back({std::regex(kScope + "multi_head_attention(?:_\\d+)?/" + proj[i] + "/kernel"), kQk + 2 * i, -1});
      r.push_back({std::regex(kScope + "multi_head_attention(?:_\\d+)?/" + proj[i] + "/bias"), kQb + 2 * i, -1});
    }
    r.push_back({std::regex(kScope + "multi_head_attention(?:_\\d+)?/attention_output/kernel"), kOk, -1});
    r.push_back({std::regex(kScope + "multi_head_attention(?:_\\d+)?/attention_output/bias"), kOb, -1});
    r.push_back({std::regex("(" + kScope + "dense(?:_\\d+)?)/(kernel|bias)"), kF1k, 0});
    r.push_back({std::regex("(" + kScope + "layer_normalization(?:_\\d+)?)/(gamma|beta)"), kG1, 1});
    return r;
  }();
  return rules;
}

struct TbPlan {
  std::string cls;
  int64_t embed_dim = 0, num_heads = 0, ff_dim = 0, key_dim = 0;
  ValueView x;
  Dims x_dims;
  ValueView w[kNumTbSlots];
};

StatusOr<TbPlan> PlanTransformerBlock(const NodeView& node) {
  TbPlan p;
  p.cls = ClassName(node);
  const std::string& cls = p.cls;
  TFLC_RETURN_IF_ERROR(CheckConfigKeys(node, cls, {"embed_dim", "num_heads", "ff_dim", "rate"},
                                       "(embed_dim, num_heads, ff_dim, rate=0.1)"));
  TFLC_ASSIGN_OR_RETURN(int64_t cfg_e, IntKey(node, cls, "embed_dim"));
  TFLC_ASSIGN_OR_RETURN(int64_t cfg_h, IntKey(node, cls, "num_heads"));
  TFLC_ASSIGN_OR_RETURN(int64_t cfg_f, IntKey(node, cls, "ff_dim"));
  if (node.HasAttr("rate")) {
    auto rate = node.FloatAttr("rate");
    if (!rate.ok() || *rate < 0 || *rate >= 1) return Refuse(node, cls, "config 'rate' is not a dropout rate in [0, 1)");
  }
  TFLC_ASSIGN_OR_RETURN(LayerInputs in, ReadInputs(node, cls, 1));
  p.x = in.tensors[0];
  if (!p.x || !p.x.fully_defined() || p.x.rank() != 3) {
    return Refuse(node, cls, "its input has shape " + (p.x && p.x.has_shape() ? DimsStr(p.x.dims()) : "(unknown)") +
                                 ", the recipe's " + cls + " takes a [batch, sequence, embed_dim] tensor of known shape");
  }
  if (p.x.type() != TFLC_TYPE_FLOAT32) {
    return Refuse(node, cls, std::string("its input is ") + tflc::sdk::DataTypeName(p.x.type()) + ", not FLOAT32");
  }
  p.x_dims = p.x.dims();
  std::vector<int> slots;
  TFLC_RETURN_IF_ERROR(AssignSlots(node, cls, in.weight_names, TbRules(), TbSlotNames(), {{0, 2}, {1, 2}}, &slots));
  for (int s = 0; s < kNumTbSlots; ++s) p.w[s] = in.weights[static_cast<size_t>(slots[static_cast<size_t>(s)])];
  auto name_of = [&](int s) { return in.weight_names[static_cast<size_t>(slots[static_cast<size_t>(s)])]; };

  // The sizes: the config's when it has them, else the weights' (then checked for consistency).
  const Dims qk = p.w[kQk].dims(), f1 = p.w[kF1k].dims();
  p.embed_dim = cfg_e > 0 ? cfg_e : p.x_dims[2];
  p.num_heads = cfg_h > 0 ? cfg_h : (qk.size() == 3 ? qk[1] : -1);
  p.ff_dim = cfg_f > 0 ? cfg_f : (f1.size() == 2 ? f1[1] : -1);
  // MultiHeadAttention(num_heads, key_dim=...): the recipe passes key_dim=embed_dim, some copies
  // embed_dim // num_heads; the config does not say, the query kernel [E, H, key_dim] does.
  p.key_dim = qk.size() == 3 ? qk[2] : -1;
  const std::string recipe = "the recipe's " + cls + "(embed_dim=" + std::to_string(p.embed_dim) +
                             ", num_heads=" + std::to_string(p.num_heads) + ", ff_dim=" + std::to_string(p.ff_dim) + ")";
  if (p.x_dims[2] != p.embed_dim) {
    return Refuse(node, cls, "its input has shape " + DimsStr(p.x_dims) + " but config embed_dim is " +
                                 std::to_string(p.embed_dim) + " (" + recipe + " takes [batch, sequence, " +
                                 std::to_string(p.embed_dim) + "])");
  }
  if (p.num_heads <= 0 || p.ff_dim <= 0 || p.key_dim <= 0) {
    return Refuse(node, cls, "weight '" + name_of(kQk) + "' has shape " + DimsStr(qk) + ", " + recipe +
                                 " has a query kernel [embed_dim, num_heads, key_dim]");
  }
  const int64_t E = p.embed_dim, H = p.num_heads, F = p.ff_dim, D = p.key_dim;
  const Dims want[kNumTbSlots] = {{E, H, D}, {H, D}, {E, H, D}, {H, D}, {E, H, D}, {H, D}, {H, D, E}, {E},
                                  {E, F},    {F},    {F, E},    {E},    {E},       {E},    {E},       {E}};
  for (int s = 0; s < kNumTbSlots; ++s) {
    if (p.w[s].dims() != want[s]) {
      return Refuse(node, cls, "weight '" + name_of(s) + "' (" + TbSlotNames()[static_cast<size_t>(s)] +
                                   ") has shape " + DimsStr(p.w[s].dims()) + ", " + recipe + " has " +
                                   DimsStr(want[s]) + " (key_dim " + std::to_string(D) + " from the query kernel)");
    }
  }
  return p;
}

// ------------------------------------------------------------------------- TokenAndPositionEmbedding

enum EmbSlot { kToken, kPos, kNumEmbSlots };

const std::vector<SlotRule>& EmbRules() {
  static const std::vector<SlotRule> rules = {
      {std::regex("token_emb/vars/0"), kToken, -1},  // .keras
      {std::regex("pos_emb/vars/0"), kPos, -1},
      // Legacy H5: embedding, embedding_1 (global counters); token_emb is created first.
      {std::regex("(" + std::string(kScope) + "embedding(?:_\\d+)?)/(embeddings)"), kToken, 0, 1},
  };
  return rules;
}

struct EmbPlan {
  std::string cls;
  int64_t maxlen = 0, vocab_size = 0, embed_dim = 0;
  ValueView x;
  Dims x_dims;
  ValueView token, pos;
};

StatusOr<EmbPlan> PlanTokenAndPositionEmbedding(const NodeView& node) {
  EmbPlan p;
  p.cls = ClassName(node);
  const std::string& cls = p.cls;
  TFLC_RETURN_IF_ERROR(CheckConfigKeys(node, cls, {"maxlen", "vocab_size", "embed_dim"},
                                       "(maxlen, vocab_size, embed_dim)"));
  TFLC_ASSIGN_OR_RETURN(int64_t cfg_m, IntKey(node, cls, "maxlen"));
  TFLC_ASSIGN_OR_RETURN(int64_t cfg_v, IntKey(node, cls, "vocab_size"));
  TFLC_ASSIGN_OR_RETURN(int64_t cfg_e, IntKey(node, cls, "embed_dim"));
  TFLC_ASSIGN_OR_RETURN(LayerInputs in, ReadInputs(node, cls, 1));
  p.x = in.tensors[0];
  if (!p.x || !p.x.fully_defined() || p.x.rank() != 2) {
    return Refuse(node, cls, "its input has shape " + (p.x && p.x.has_shape() ? DimsStr(p.x.dims()) : "(unknown)") +
                                 ", the recipe's " + cls + " takes token ids of shape [batch, maxlen]");
  }
  const TflcDataType t = p.x.type();
  if (t != TFLC_TYPE_FLOAT32 && t != TFLC_TYPE_INT32 && t != TFLC_TYPE_INT64) {
    return Refuse(node, cls, std::string("its input is ") + tflc::sdk::DataTypeName(t) +
                                 ", the recipe's token ids are FLOAT32 (layers.Input default) or integers");
  }
  p.x_dims = p.x.dims();
  std::vector<int> slots;
  const std::vector<std::string> slot_names = {"token_emb embeddings", "pos_emb embeddings"};
  TFLC_RETURN_IF_ERROR(AssignSlots(node, cls, in.weight_names, EmbRules(), slot_names, {{0, 2}}, &slots));
  p.token = in.weights[static_cast<size_t>(slots[kToken])];
  p.pos = in.weights[static_cast<size_t>(slots[kPos])];
  const Dims td = p.token.dims(), pd = p.pos.dims();
  p.embed_dim = cfg_e > 0 ? cfg_e : (td.size() == 2 ? td[1] : -1);
  p.vocab_size = cfg_v > 0 ? cfg_v : (td.size() == 2 ? td[0] : -1);
  p.maxlen = cfg_m > 0 ? cfg_m : (pd.size() == 2 ? pd[0] : -1);
  const std::string recipe = "the recipe's " + cls + "(maxlen=" + std::to_string(p.maxlen) + ", vocab_size=" +
                             std::to_string(p.vocab_size) + ", embed_dim=" + std::to_string(p.embed_dim) + ")";
  const Dims want_t = {p.vocab_size, p.embed_dim}, want_p = {p.maxlen, p.embed_dim};
  if (td != want_t) {
    return Refuse(node, cls, "weight '" + in.weight_names[static_cast<size_t>(slots[kToken])] + "' (token_emb) has shape " +
                                 DimsStr(td) + ", " + recipe + " has " + DimsStr(want_t));
  }
  if (pd != want_p) {
    return Refuse(node, cls, "weight '" + in.weight_names[static_cast<size_t>(slots[kPos])] + "' (pos_emb) has shape " +
                                 DimsStr(pd) + ", " + recipe + " has " + DimsStr(want_p));
  }
  // positions = arange(shape(x)[-1]) index pos_emb: the sequence may not be longer than maxlen.
  if (p.x_dims[1] > p.maxlen) {
    return Refuse(node, cls, "its input has shape " + DimsStr(p.x_dims) + ", longer than maxlen " +
                                 std::to_string(p.maxlen) + " rows of the position table");
  }
  return p;
}

// ------------------------------------------------------------------------- emitting TF source ops

// Emits TF source ops named "<layer>/<suffix>", each with its output shape set (the Einsum and
// reduction rows of lower_builtin read their operands' shapes).
class Emitter {
 public:
  Emitter(TflcLowerNode_Args* args, std::string prefix)
      : g_(args->host, args->graph), prefix_(std::move(prefix)) {}

  StatusOr<NodeView> Node(const char* op, const std::string& suffix, const std::vector<ValueView>& in,
                          TflcDataType type, const Dims& dims) {
    TFLC_ASSIGN_OR_RETURN(NodeView n, g_.Source(op, prefix_ + "/" + suffix, in));
    TFLC_RETURN_IF_ERROR(n.output(0).SetShape(type, dims));
    return n;
  }
  // An op whose only type attribute is T = float32.
  StatusOr<ValueView> F(const char* op, const std::string& suffix, const std::vector<ValueView>& in, const Dims& dims) {
    TFLC_ASSIGN_OR_RETURN(NodeView n, Node(op, suffix, in, TFLC_TYPE_FLOAT32, dims));
    TFLC_RETURN_IF_ERROR(n.SetType("T", TFLC_TYPE_FLOAT32));
    return n.output(0);
  }
  StatusOr<ValueView> Einsum(const std::string& suffix, const std::string& equation, const ValueView& a,
                             const ValueView& b, const Dims& dims) {
    TFLC_ASSIGN_OR_RETURN(NodeView n, Node("Einsum", suffix, {a, b}, TFLC_TYPE_FLOAT32, dims));
    TFLC_RETURN_IF_ERROR(n.SetType("T", TFLC_TYPE_FLOAT32));
    TFLC_RETURN_IF_ERROR(n.SetString("equation", equation));
    TFLC_RETURN_IF_ERROR(n.SetInt("N", 2));
    return n.output(0);
  }
  StatusOr<ValueView> Scalar(const std::string& suffix, float v) {
    return g_.ConstFloat(prefix_ + "/" + suffix, {}, {v});
  }
  // Mean over the last axis with keep_dims (tf.nn.moments' reductions).
  StatusOr<ValueView> MeanLast(const std::string& suffix, const ValueView& x, const Dims& x_dims) {
    TFLC_ASSIGN_OR_RETURN(ValueView axis, g_.ConstInt32(prefix_ + "/" + suffix + "/reduction_indices", {1},
                                                        {static_cast<int32_t>(x_dims.size() - 1)}));
    Dims kept = x_dims;
    kept.back() = 1;
    TFLC_ASSIGN_OR_RETURN(NodeView n, Node("Mean", suffix, {x, axis}, TFLC_TYPE_FLOAT32, kept));
    TFLC_RETURN_IF_ERROR(n.SetType("T", TFLC_TYPE_FLOAT32));
    TFLC_RETURN_IF_ERROR(n.SetType("Tidx", TFLC_TYPE_INT32));
    TFLC_RETURN_IF_ERROR(n.SetBool("keep_dims", true));
    return n.output(0);
  }
  const GraphBuilder& graph() const { return g_; }
  const std::string& prefix() const { return prefix_; }

 private:
  GraphBuilder g_;
  std::string prefix_;
};

// LayerNormalization(epsilon=1e-6) over the last axis, in the form TF's Keras traces.
StatusOr<ValueView> LayerNorm(Emitter& e, const std::string& scope, const ValueView& x, const Dims& dims,
                              const ValueView& gamma, const ValueView& beta) {
  Dims stat = dims;
  stat.back() = 1;
  TFLC_ASSIGN_OR_RETURN(ValueView mean, e.MeanLast(scope + "/moments/mean", x, dims));
  TFLC_ASSIGN_OR_RETURN(ValueView sq, e.F("SquaredDifference", scope + "/moments/SquaredDifference", {x, mean}, dims));
  TFLC_ASSIGN_OR_RETURN(ValueView var, e.MeanLast(scope + "/moments/variance", sq, dims));
  TFLC_ASSIGN_OR_RETURN(ValueView eps, e.Scalar(scope + "/batchnorm/add/y", static_cast<float>(kLayerNormEpsilon)));
  TFLC_ASSIGN_OR_RETURN(ValueView ve, e.F("AddV2", scope + "/batchnorm/add", {var, eps}, stat));
  TFLC_ASSIGN_OR_RETURN(ValueView inv, e.F("Rsqrt", scope + "/batchnorm/Rsqrt", {ve}, stat));
  TFLC_ASSIGN_OR_RETURN(ValueView inv_g, e.F("Mul", scope + "/batchnorm/mul", {inv, gamma}, dims));
  TFLC_ASSIGN_OR_RETURN(ValueView xs, e.F("Mul", scope + "/batchnorm/mul_1", {x, inv_g}, dims));
  TFLC_ASSIGN_OR_RETURN(ValueView ms, e.F("Mul", scope + "/batchnorm/mul_2", {mean, inv_g}, dims));
  TFLC_ASSIGN_OR_RETURN(ValueView shift, e.F("Sub", scope + "/batchnorm/sub", {beta, ms}, dims));
  return e.F("AddV2", scope + "/batchnorm/add_1", {xs, shift}, dims);
}

// EinsumDense(equation) + bias.
StatusOr<ValueView> Projection(Emitter& e, const std::string& scope, const std::string& equation, const ValueView& x,
                               const ValueView& kernel, const ValueView& bias, const Dims& out) {
  TFLC_ASSIGN_OR_RETURN(ValueView y, e.Einsum(scope + "/einsum/Einsum", equation, x, kernel, out));
  return e.F("AddV2", scope + "/add", {y, bias}, out);
}

Status EmitTransformerBlock(TflcLowerNode_Args* args, const TbPlan& p) {
  NodeView src(args->host, args->node);
  Emitter e(args, EmitPrefix(src));
  const int64_t B = p.x_dims[0], L = p.x_dims[1], E = p.embed_dim, H = p.num_heads, D = p.key_dim, F = p.ff_dim;
  const Dims heads = {B, L, H, D}, scores = {B, H, L, L}, seq = {B, L, E}, hidden = {B, L, F};
  // att(inputs, inputs): query = value (= key).
  TFLC_ASSIGN_OR_RETURN(ValueView q, Projection(e, "att/query", "abc,cde->abde", p.x, p.w[kQk], p.w[kQb], heads));
  TFLC_ASSIGN_OR_RETURN(ValueView k, Projection(e, "att/key", "abc,cde->abde", p.x, p.w[kKk], p.w[kKb], heads));
  TFLC_ASSIGN_OR_RETURN(ValueView v, Projection(e, "att/value", "abc,cde->abde", p.x, p.w[kVk], p.w[kVb], heads));
  TFLC_ASSIGN_OR_RETURN(ValueView scale, e.Scalar("att/Mul/y", static_cast<float>(1.0 / std::sqrt(static_cast<double>(D)))));
  TFLC_ASSIGN_OR_RETURN(q, e.F("Mul", "att/Mul", {q, scale}, heads));
  TFLC_ASSIGN_OR_RETURN(ValueView s, e.Einsum("att/einsum/Einsum", "aecd,abcd->acbe", k, q, scores));
  TFLC_ASSIGN_OR_RETURN(ValueView probs, e.F("Softmax", "att/softmax/Softmax", {s}, scores));
  TFLC_ASSIGN_OR_RETURN(ValueView ctx, e.Einsum("att/einsum_1/Einsum", "acbe,aecd->abcd", probs, v, heads));
  TFLC_ASSIGN_OR_RETURN(ValueView attn,
                        Projection(e, "att/attention_output", "abcd,cde->abe", ctx, p.w[kOk], p.w[kOb], seq));
  // dropout1: identity.  out1 = layernorm1(inputs + attn_output)
  TFLC_ASSIGN_OR_RETURN(ValueView r1, e.F("AddV2", "add", {p.x, attn}, seq));
  TFLC_ASSIGN_OR_RETURN(ValueView out1, LayerNorm(e, "layernorm1", r1, seq, p.w[kG1], p.w[kB1]));
  // ffn = Sequential([Dense(ff_dim, relu), Dense(embed_dim)])
  TFLC_ASSIGN_OR_RETURN(ValueView h, Projection(e, "ffn/dense", "abc,cd->abd", out1, p.w[kF1k], p.w[kF1b], hidden));
  TFLC_ASSIGN_OR_RETURN(h, e.F("Relu", "ffn/dense/Relu", {h}, hidden));
  TFLC_ASSIGN_OR_RETURN(ValueView f, Projection(e, "ffn/dense_1", "abc,cd->abd", h, p.w[kF2k], p.w[kF2b], seq));
  // dropout2: identity.  layernorm2(out1 + ffn_output)
  TFLC_ASSIGN_OR_RETURN(ValueView r2, e.F("AddV2", "add_1", {out1, f}, seq));
  TFLC_ASSIGN_OR_RETURN(ValueView y, LayerNorm(e, "layernorm2", r2, seq, p.w[kG2], p.w[kB2]));
  return src.output(0).ReplaceAllUsesWith(y);
}

Status EmitTokenAndPositionEmbedding(TflcLowerNode_Args* args, const EmbPlan& p) {
  NodeView src(args->host, args->node);
  Emitter e(args, EmitPrefix(src));
  const int64_t B = p.x_dims[0], L = p.x_dims[1], E = p.embed_dim;
  const Dims out = {B, L, E};
  ValueView ids = p.x;
  if (p.x.type() != TFLC_TYPE_INT32) {
    // Keras' Embedding: inputs that are not int32/int64 are cast to int32 (float ids truncate);
    // int64 ids are gathered as int32 here (the tables are far smaller than 2^31 rows).
    TFLC_ASSIGN_OR_RETURN(NodeView cast, e.Node("Cast", "token_emb/Cast", {p.x}, TFLC_TYPE_INT32, p.x_dims));
    TFLC_RETURN_IF_ERROR(cast.SetType("SrcT", p.x.type()));
    TFLC_RETURN_IF_ERROR(cast.SetType("DstT", TFLC_TYPE_INT32));
    TFLC_RETURN_IF_ERROR(cast.SetBool("Truncate", false));
    ids = cast.output(0);
  }
  TFLC_ASSIGN_OR_RETURN(ValueView axis, e.graph().ConstInt32(e.prefix() + "/token_emb/GatherV2/axis", {}, {0}));
  TFLC_ASSIGN_OR_RETURN(NodeView gather, e.Node("GatherV2", "token_emb/GatherV2", {p.token, ids, axis},
                                                TFLC_TYPE_FLOAT32, out));
  TFLC_RETURN_IF_ERROR(gather.SetType("Tparams", TFLC_TYPE_FLOAT32));
  TFLC_RETURN_IF_ERROR(gather.SetType("Tindices", TFLC_TYPE_INT32));
  TFLC_RETURN_IF_ERROR(gather.SetType("Taxis", TFLC_TYPE_INT32));
  TFLC_RETURN_IF_ERROR(gather.SetInt("batch_dims", 0));
  // pos_emb(arange(L)) = the first L rows of the position table: a constant [L, E].
  void* data = nullptr;
  const size_t bytes = static_cast<size_t>(L * E) * sizeof(float);
  TFLC_ASSIGN_OR_RETURN(ValueView positions, e.graph().NewConst(e.prefix() + "/pos_emb/positions", TFLC_TYPE_FLOAT32,
                                                                {L, E}, bytes, &data));
  std::memcpy(data, p.pos.data(), bytes);
  TFLC_ASSIGN_OR_RETURN(ValueView y, e.F("AddV2", "add", {gather.output(0), positions}, out));
  return src.output(0).ReplaceAllUsesWith(y);
}

// ------------------------------------------------------------------------- entry points

TflcStatus* LowerTransformerBlock(TflcLowerNode_Args* args) {
  return tflc::sdk::Guard(args->host, args->node, [&]() -> Status {
    TFLC_ASSIGN_OR_RETURN(TbPlan p, PlanTransformerBlock(NodeView(args->host, args->node)));
    return EmitTransformerBlock(args, p);
  });
}

TflcStatus* LowerTokenAndPositionEmbedding(TflcLowerNode_Args* args) {
  return tflc::sdk::Guard(args->host, args->node, [&]() -> Status {
    TFLC_ASSIGN_OR_RETURN(EmbPlan p, PlanTokenAndPositionEmbedding(NodeView(args->host, args->node)));
    return EmitTokenAndPositionEmbedding(args, p);
  });
}

// The shape functions the frontend calls (Node_InferShape) before it converts the layers
// downstream: the same checks as the lowering, so a refusal comes as early as possible.
TflcStatus* InferTransformerBlock(TflcOpShape_Args* args) {
  return tflc::sdk::Guard(args->host, args->node, [&]() -> Status {
    NodeView node(args->host, args->node);
    TFLC_ASSIGN_OR_RETURN(TbPlan p, PlanTransformerBlock(node));
    return node.output(0).SetShape(TFLC_TYPE_FLOAT32, p.x_dims);
  });
}

TflcStatus* InferTokenAndPositionEmbedding(TflcOpShape_Args* args) {
  return tflc::sdk::Guard(args->host, args->node, [&]() -> Status {
    NodeView node(args->host, args->node);
    TFLC_ASSIGN_OR_RETURN(EmbPlan p, PlanTokenAndPositionEmbedding(node));
    return node.output(0).SetShape(TFLC_TYPE_FLOAT32, {p.x_dims[0], p.x_dims[1], p.embed_dim});
  });
}

// Sorted by source op. The rows emit TF source ops that lower_builtin lowers to builtins
// (FULLY_CONNECTED, BATCH_MATMUL, SOFTMAX, MEAN, GATHER, ...): target BUILTIN.
const TflcLoweringEntry kRows[] = {
    tflc::sdk::Row(kTokenAndPositionEmbedding, TFLC_TARGET_BUILTIN, "GATHER", 1, 1, /*priority=*/0,
                   LowerTokenAndPositionEmbedding, /*match=*/nullptr,
                   "keras.io recipe TokenAndPositionEmbedding → Cast, GatherV2, AddV2 (positions folded)"),
    tflc::sdk::Row(kTransformerBlock, TFLC_TARGET_BUILTIN, "FULLY_CONNECTED", 1, 1, /*priority=*/0,
                   LowerTransformerBlock, /*match=*/nullptr,
                   "keras.io recipe TransformerBlock → Einsum MHA, LayerNormalization, Dense relu / Dense"),
};

// Source-domain entries: only InferShape (no kernel: the node is always lowered; no version).
constexpr TflcOpsetEntry SourceEntry(const char* op, TflcStatus* (*infer)(TflcOpShape_Args*)) {
  TflcOpsetEntry e{};
  e.struct_size = TflcOpsetEntry_STRUCT_SIZE;
  e.op = op;
  e.domain = TFLC_DOMAIN_SOURCE;
  e.builtin_code = -1;  // not a TFLite op
  e.options_type = 0;
  e.InferShape = infer;
  e.bias_input = -1;
  e.weight_input = -1;
  e.weight_output_axis = -1;
  e.algebra = TFLC_ALGEBRA_NONE;
  e.option_field_stride = sizeof(TflcOptionField);
  e.weight_input_channel_axis = -1;
  return e;
}
const TflcOpsetEntry kOps[] = {
    SourceEntry(kTokenAndPositionEmbedding, InferTokenAndPositionEmbedding),
    SourceEntry(kTransformerBlock, InferTransformerBlock),
};

const TflcPluginApi* Api() {
  static const TflcPluginApi api = [] {
    TflcPluginApi a = tflc::sdk::NewPluginApi(
        kPluginName, "1.0.0",
        "Keras layers of the keras.io recipe 'Text classification with Transformer': TransformerBlock, "
        "TokenAndPositionEmbedding");
    tflc::sdk::SetLowerings(a, kRows);
    tflc::sdk::SetOps(a, kOps);
    return a;
  }();
  return &api;
}

}  // namespace

extern "C" const TflcPluginApi* KerasRecipeLayers_Query(const TflcPluginQuery_Args* args) {
  return tflc::sdk::Negotiate(args, Api());
}
