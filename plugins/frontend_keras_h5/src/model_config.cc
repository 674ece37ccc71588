#include "model_config.h"

namespace tflc::keras {

namespace {

std::string Dump(const Json& j) {
  std::string s = j.dump();
  if (s.size() > 120) s = s.substr(0, 117) + "...";
  return s;
}

bool IsKerasTensor(const Json& j) {
  return j.is_object() && j.contains("class_name") && j["class_name"] == "__keras_tensor__" &&
         j.contains("config") && j["config"].is_object() && j["config"].contains("keras_history");
}

Status ParseHistory(const Json& h, TensorRef* ref) {
  if (!h.is_array() || h.size() < 3 || !h[0].is_string() || !h[1].is_number_integer() || !h[2].is_number_integer())
    return InvalidArgument("malformed tensor reference " + Dump(h));
  ref->layer = h[0].get<std::string>();
  ref->node = h[1].get<int>();
  ref->tensor = h[2].get<int>();
  return OkStatus();
}

// Keras 3: replaces every __keras_tensor__ in `j` (depth first, in order) by a tensor slot.
Status SlotKerasTensors(Json& j, std::vector<TensorRef>* out) {
  if (IsKerasTensor(j)) {
    TensorRef r;
    TFLC_RETURN_IF_ERROR(ParseHistory(j["config"]["keras_history"], &r));
    const Json& c = j["config"];
    if (c.contains("shape") && c["shape"].is_array()) {
      r.has_shape = true;
      for (const auto& d : c["shape"]) {
        if (!d.is_null() && !d.is_number_integer()) {
          r.has_shape = false;
          break;
        }
        r.shape.push_back(d.is_null() ? -1 : d.get<int64_t>());
      }
      if (!r.has_shape) r.shape.clear();
    }
    if (c.contains("dtype") && c["dtype"].is_string()) r.dtype = c["dtype"].get<std::string>();
    j = Json{{"__tflc_tensor__", out->size()}};
    out->push_back(r);
  } else if (j.is_array()) {
    for (auto& e : j) TFLC_RETURN_IF_ERROR(SlotKerasTensors(e, out));
  } else if (j.is_object()) {
    for (auto& e : j.items()) TFLC_RETURN_IF_ERROR(SlotKerasTensors(e.value(), out));
  }
  return OkStatus();
}

// Keras 2 node data: [layer, node, tensor] or [layer, node, tensor, kwargs] (Keras' own test,
// tf_utils.convert_inner_node_data).
bool IsNodeData(const Json& j) {
  return j.is_array() && (j.size() == 3 || j.size() == 4) && j[0].is_string() && j[1].is_number_integer() &&
         (j[2].is_number_integer() || j[0] == "_CONSTANT_VALUE");
}

// Keras 2 kwargs: every 3-item node-data list becomes a tensor slot.
Status SlotKeras2Refs(Json& j, std::vector<TensorRef>* out) {
  if (IsNodeData(j) && j[0] != "_CONSTANT_VALUE") {
    TensorRef r;
    TFLC_RETURN_IF_ERROR(ParseHistory(j, &r));
    j = Json{{"__tflc_tensor__", out->size()}};
    out->push_back(r);
  } else if (j.is_array()) {
    for (auto& e : j) TFLC_RETURN_IF_ERROR(SlotKeras2Refs(e, out));
  } else if (j.is_object()) {
    for (auto& e : j.items()) TFLC_RETURN_IF_ERROR(SlotKeras2Refs(e.value(), out));
  }
  return OkStatus();
}

// One Keras 2 leaf ([layer, node, tensor, kwargs] or ["_CONSTANT_VALUE", -1, value, kwargs]) as an
// argument value; records the kwargs of the first leaf.
Status Keras2Leaf(const Json& leaf, std::vector<TensorRef>* refs, Json* value, const Json** kwargs) {
  if (!IsNodeData(leaf)) return InvalidArgument("malformed inbound node entry " + Dump(leaf));
  if (leaf.size() == 4 && leaf[3].is_object() && !*kwargs) *kwargs = &leaf[3];
  if (leaf[0] == "_CONSTANT_VALUE") {
    *value = leaf[2];
    return OkStatus();
  }
  TensorRef ref;
  TFLC_RETURN_IF_ERROR(ParseHistory(leaf, &ref));
  *value = Json{{"__tflc_tensor__", refs->size()}};
  refs->push_back(ref);
  return OkStatus();
}

Status ParseInboundNode(const Json& node, std::vector<TensorRef>* refs, CallArgs* call) {
  if (node.is_object()) {  // Keras 3
    call->args = node.contains("args") ? node["args"] : Json::array();
    call->kwargs = node.contains("kwargs") && node["kwargs"].is_object() ? node["kwargs"] : Json::object();
    if (!call->args.is_array()) call->args = Json::array({call->args});
    TFLC_RETURN_IF_ERROR(SlotKerasTensors(call->args, refs));
    call->num_positional = refs->size();
    TFLC_RETURN_IF_ERROR(SlotKerasTensors(call->kwargs, refs));
    return OkStatus();
  }
  if (!node.is_array()) return InvalidArgument("malformed inbound node " + Dump(node));
  // Keras 2: a list of leaves, or (TFOpLambda, whose first argument keeps its structure) one bare leaf.
  const Json* kwargs = nullptr;
  Json first;
  if (IsNodeData(node) && (node.size() == 4 || node[0] == "_CONSTANT_VALUE")) {
    TFLC_RETURN_IF_ERROR(Keras2Leaf(node, refs, &first, &kwargs));
  } else {
    first = Json::array();
    for (const auto& leaf : node) {
      Json v;
      TFLC_RETURN_IF_ERROR(Keras2Leaf(leaf, refs, &v, &kwargs));
      first.push_back(std::move(v));
    }
  }
  call->args = Json::array({std::move(first)});
  call->num_positional = refs->size();
  call->kwargs = kwargs ? *kwargs : Json::object();
  TFLC_RETURN_IF_ERROR(SlotKeras2Refs(call->kwargs, refs));
  return OkStatus();
}

// input_layers / output_layers: [[name, node, tensor], ...], a bare [name, node, tensor] (Keras 3,
// one tensor), or a dict of those (Keras 3 dict inputs).
Status ParseEndpoints(const Json& j, std::vector<TensorRef>* out) {
  if (j.is_array() && j.size() >= 3 && j[0].is_string()) {
    TensorRef r;
    TFLC_RETURN_IF_ERROR(ParseHistory(j, &r));
    out->push_back(r);
    return OkStatus();
  }
  if (j.is_array()) {
    for (const auto& e : j) TFLC_RETURN_IF_ERROR(ParseEndpoints(e, out));
    return OkStatus();
  }
  if (j.is_object()) {
    for (const auto& e : j.items()) TFLC_RETURN_IF_ERROR(ParseEndpoints(e.value(), out));
    return OkStatus();
  }
  return InvalidArgument("malformed model inputs/outputs " + Dump(j));
}

// A shape list with nulls → dims with -1.
StatusOr<std::vector<int64_t>> ParseShape(const Json& j) {
  if (!j.is_array()) return InvalidArgument("malformed shape " + Dump(j));
  std::vector<int64_t> dims;
  for (const auto& d : j) {
    if (d.is_null()) dims.push_back(-1);
    else if (d.is_number_integer()) dims.push_back(d.get<int64_t>());
    else return InvalidArgument("malformed shape " + Dump(j));
  }
  return dims;
}

// The batch input shape a layer config declares, if any (batch dim included).
StatusOr<std::vector<int64_t>> DeclaredBatchShape(const Json& cfg, bool* found) {
  *found = true;
  if (cfg.contains("batch_input_shape") && !cfg["batch_input_shape"].is_null()) return ParseShape(cfg["batch_input_shape"]);
  if (cfg.contains("batch_shape") && !cfg["batch_shape"].is_null()) return ParseShape(cfg["batch_shape"]);
  for (const char* key : {"input_shape", "shape"}) {
    if (cfg.contains(key) && !cfg[key].is_null()) {
      TFLC_ASSIGN_OR_RETURN(auto s, ParseShape(cfg[key]));
      s.insert(s.begin(), -1);
      return s;
    }
  }
  if (cfg.contains("input_dim") && cfg["input_dim"].is_number_integer() && !cfg.contains("output_dim")) {
    return std::vector<int64_t>{-1, cfg["input_dim"].get<int64_t>()};  // Keras 1 Dense(input_dim=...)
  }
  *found = false;
  return std::vector<int64_t>{};
}

std::string LayerName(const Json& entry) {
  if (entry.contains("config") && entry["config"].is_object() && entry["config"].contains("name") &&
      entry["config"]["name"].is_string())
    return entry["config"]["name"].get<std::string>();
  if (entry.contains("name") && entry["name"].is_string()) return entry["name"].get<std::string>();
  return "";
}

StatusOr<std::unique_ptr<ModelDef>> ParseModel(const Json& entry);

StatusOr<LayerDef> ParseLayer(const Json& entry) {
  if (!entry.is_object() || !entry.contains("class_name") || !entry["class_name"].is_string())
    return InvalidArgument("malformed layer entry " + Dump(entry));
  LayerDef l;
  l.class_name = entry["class_name"].get<std::string>();
  l.name = LayerName(entry);
  if (l.name.empty()) return InvalidArgument("a layer of class " + l.class_name + " has no name");
  if (entry.contains("module") && entry["module"].is_string()) l.module = entry["module"].get<std::string>();
  if (entry.contains("registered_name") && entry["registered_name"].is_string())
    l.registered_name = entry["registered_name"].get<std::string>();
  if (entry.contains("config") && entry["config"].is_object()) l.config = entry["config"];
  else l.config = Json::object();
  if (IsModelClass(l.class_name)) {
    auto nested = ParseModel(entry);
    if (!nested.ok()) return nested.status().WithContext("nested model '" + l.name + "'");
    l.model = std::move(nested).value();
  }
  if (l.class_name == "InputLayer") {
    l.is_input = true;
    bool found = false;
    auto shape = DeclaredBatchShape(l.config, &found);
    if (!shape.ok()) return shape.status().WithContext("input layer '" + l.name + "'");
    if (!found) return InvalidArgument("input layer '" + l.name + "' declares no shape");
    l.batch_shape = *shape;
    if (l.config.contains("dtype")) l.dtype = DtypeName(l.config["dtype"]);
  }
  return l;
}

Status Finish(ModelDef* m) {
  for (size_t i = 0; i < m->layers.size(); ++i) {
    if (!m->index.emplace(m->layers[i].name, i).second)
      return InvalidArgument("model '" + m->name + "' has two layers named '" + m->layers[i].name + "'");
  }
  if (m->inputs.empty()) return InvalidArgument("model '" + m->name + "' has no inputs");
  if (m->outputs.empty()) return InvalidArgument("model '" + m->name + "' has no outputs");
  return OkStatus();
}

StatusOr<std::unique_ptr<ModelDef>> ParseSequential(const Json& entry, const Json& cfg) {
  auto m = std::make_unique<ModelDef>();
  m->class_name = entry["class_name"].get<std::string>();
  const Json* layers = nullptr;
  if (cfg.is_array()) {
    layers = &cfg;  // Keras 2.0 - 2.2.2: the config is the layer list itself
  } else {
    if (cfg.contains("name") && cfg["name"].is_string()) m->name = cfg["name"].get<std::string>();
    if (cfg.contains("layers")) layers = &cfg["layers"];
  }
  if (m->name.empty()) m->name = "sequential";
  if (!layers || !layers->is_array() || layers->empty())
    return InvalidArgument("Sequential model '" + m->name + "' has no layers");

  std::vector<LayerDef> parsed;
  for (const auto& e : *layers) {
    auto l = ParseLayer(e);
    if (!l.ok()) return l.status();
    parsed.push_back(std::move(l).value());
  }
  TensorRef prev;
  size_t first = 0;
  m->declared_input = true;
  if (parsed[0].is_input) {
    prev = {parsed[0].name, 0, 0};
    m->layers.push_back(std::move(parsed[0]));
    first = 1;
  } else {
    // Keras 2 Sequential without an InputLayer: the first layer declares the input shape and Keras
    // names the implicit input "<first layer>_input".
    LayerDef in;
    in.class_name = "InputLayer";
    in.is_input = true;
    in.name = parsed[0].name + "_input";
    bool found = false;
    const Json& first_cfg = parsed[0].model ? Json::object() : parsed[0].config;
    auto shape = DeclaredBatchShape(first_cfg, &found);
    if (!shape.ok()) return shape.status().WithContext("layer '" + parsed[0].name + "'");
    if (!found && parsed[0].model && !parsed[0].model->inputs.empty()) {
      // A nested model as first layer: its own input layer gives the shape.
      const LayerDef* inner = parsed[0].model->Find(parsed[0].model->inputs[0].layer);
      if (inner && inner->is_input) {
        shape = inner->batch_shape;
        found = true;
      }
    }
    if (!found && cfg.is_object() && cfg.contains("build_input_shape") && !cfg["build_input_shape"].is_null()) {
      m->declared_input = false;  // built later from a call: no internal node
      shape = ParseShape(cfg["build_input_shape"]);
      if (!shape.ok()) return shape.status().WithContext("Sequential model '" + m->name + "' build_input_shape");
      found = true;
    }
    if (!found)
      return InvalidArgument("Sequential model '" + m->name + "' declares no input shape (no InputLayer, no "
                             "batch_input_shape on its first layer); build the model with an Input before saving");
    in.batch_shape = *shape;
    if (parsed[0].config.contains("dtype")) in.dtype = DtypeName(parsed[0].config["dtype"]);
    if (in.dtype.rfind("mixed_", 0) == 0 || in.dtype == "float16" || in.dtype == "bfloat16") in.dtype = "float32";
    prev = {in.name, 0, 0};
    m->layers.push_back(std::move(in));
  }
  for (size_t i = first; i < parsed.size(); ++i) {
    if (parsed[i].is_input) continue;  // a stray InputLayer inside a Sequential adds nothing
    parsed[i].nodes = {{prev}};
    CallArgs call;
    call.args = Json::array({Json{{"__tflc_tensor__", 0}}});
    call.num_positional = 1;
    parsed[i].calls = {call};
    prev = {parsed[i].name, 0, 0};
    m->layers.push_back(std::move(parsed[i]));
  }
  m->inputs = {{m->layers[0].name, 0, 0}};
  m->outputs = {prev};
  TFLC_RETURN_IF_ERROR(Finish(m.get()));
  return m;
}

StatusOr<std::unique_ptr<ModelDef>> ParseFunctional(const Json& entry, const Json& cfg) {
  auto m = std::make_unique<ModelDef>();
  m->class_name = entry["class_name"].get<std::string>();
  if (cfg.contains("name") && cfg["name"].is_string()) m->name = cfg["name"].get<std::string>();
  if (m->name.empty()) m->name = "model";
  if (!cfg.contains("layers") || !cfg["layers"].is_array())
    return InvalidArgument("model '" + m->name + "' has no layer list");
  for (const auto& e : cfg["layers"]) {
    auto l = ParseLayer(e);
    if (!l.ok()) return l.status();
    LayerDef layer = std::move(l).value();
    if (e.contains("inbound_nodes") && e["inbound_nodes"].is_array()) {
      for (const auto& node : e["inbound_nodes"]) {
        std::vector<TensorRef> refs;
        CallArgs call;
        Status st = ParseInboundNode(node, &refs, &call);
        if (!st.ok()) return st.WithContext("layer '" + layer.name + "'");
        layer.nodes.push_back(std::move(refs));
        layer.calls.push_back(std::move(call));
      }
    }
    m->layers.push_back(std::move(layer));
  }
  if (cfg.contains("input_layers")) TFLC_RETURN_IF_ERROR(ParseEndpoints(cfg["input_layers"], &m->inputs));
  if (cfg.contains("output_layers")) TFLC_RETURN_IF_ERROR(ParseEndpoints(cfg["output_layers"], &m->outputs));
  TFLC_RETURN_IF_ERROR(Finish(m.get()));
  m->declared_input = true;
  for (const auto& r : m->inputs) {
    const LayerDef* l = m->Find(r.layer);
    if (!l) return InvalidArgument("model '" + m->name + "' input refers to unknown layer '" + r.layer + "'");
    if (!l->is_input)
      return InvalidArgument("model '" + m->name + "' input '" + r.layer + "' is not an InputLayer");
  }
  return m;
}

StatusOr<std::unique_ptr<ModelDef>> ParseModel(const Json& entry) {
  const std::string cls = entry["class_name"].get<std::string>();
  const Json& cfg = entry["config"];
  if (cls == "Sequential") return ParseSequential(entry, cfg);
  if (!cfg.is_object()) return InvalidArgument("model config of class " + cls + " is not an object");
  return ParseFunctional(entry, cfg);
}

// Rewrites references to calls of nested models from config numbering to positions in
// LayerDef::nodes (see ParseModelConfig), recursively.
Status NormalizeNestedRefs(ModelDef* m, int keras_major) {
  auto fix = [&](TensorRef* r) -> Status {
    const LayerDef* l = m->Find(r->layer);
    if (!l || !l->model) return OkStatus();
    const ModelDef& inner = *l->model;
    int offset = 0;
    if (keras_major >= 3) offset = inner.class_name == "Sequential" ? 0 : 1;
    else offset = inner.declared_input ? 1 : 0;
    const int n = static_cast<int>(l->nodes.size());
    if (r->node - offset >= 0 && r->node - offset < n) {
      r->node -= offset;
    } else if (!(r->node >= 0 && r->node < n)) {
      return InvalidArgument("a reference to nested model '" + r->layer + "' names its call " + std::to_string(r->node) +
                             ", which the config does not have");
    }
    return OkStatus();
  };
  for (auto& l : m->layers) {
    for (auto& node : l.nodes)
      for (auto& r : node) TFLC_RETURN_IF_ERROR(fix(&r));
    if (l.model) TFLC_RETURN_IF_ERROR(NormalizeNestedRefs(l.model.get(), keras_major));
  }
  for (auto& r : m->outputs) TFLC_RETURN_IF_ERROR(fix(&r));
  return OkStatus();
}

}  // namespace

bool IsTensorSlot(const Json& j, size_t* index) {
  if (!j.is_object() || j.size() != 1 || !j.contains("__tflc_tensor__") || !j["__tflc_tensor__"].is_number_unsigned())
    return false;
  if (index) *index = j["__tflc_tensor__"].get<size_t>();
  return true;
}

bool IsModelClass(const std::string& c) { return c == "Sequential" || c == "Functional" || c == "Model"; }

std::string DtypeName(const Json& dtype) {
  if (dtype.is_string()) return dtype.get<std::string>();
  if (dtype.is_object() && dtype.contains("config") && dtype["config"].is_object() &&
      dtype["config"].contains("name") && dtype["config"]["name"].is_string())
    return dtype["config"]["name"].get<std::string>();
  return "float32";
}

StatusOr<std::unique_ptr<ModelDef>> ParseModelConfig(const Json& model_config, int keras_major) {
  if (!model_config.is_object() || !model_config.contains("class_name") || !model_config["class_name"].is_string() ||
      !model_config.contains("config"))
    return InvalidArgument("the model config is not {\"class_name\": ..., \"config\": ...}");
  const std::string cls = model_config["class_name"].get<std::string>();
  if (!IsModelClass(cls))
    return InvalidArgument("the saved object is a '" + cls + "', not a Keras model (Sequential, Functional or Model)");
  try {
    TFLC_ASSIGN_OR_RETURN(std::unique_ptr<ModelDef> m, ParseModel(model_config));
    TFLC_RETURN_IF_ERROR(NormalizeNestedRefs(m.get(), keras_major));
    return m;
  } catch (const Json::exception& e) {
    return InvalidArgument(std::string("malformed model config (") + e.what() + ")");
  }
}

}  // namespace tflc::keras
