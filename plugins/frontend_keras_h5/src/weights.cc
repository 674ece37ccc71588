#include "weights.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstring>
#include <map>
#include <regex>

#include "h5_util.h"

namespace tflc::keras {

namespace {

std::string ShapeStr(const Shape& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) out += ",";
    out += std::to_string(s[i]);
  }
  return out + "]";
}

std::vector<std::string> SplitPath(const std::string& p) {
  std::vector<std::string> parts;
  size_t pos = 0;
  while (pos <= p.size()) {
    size_t next = p.find('/', pos);
    if (next == std::string::npos) next = p.size();
    if (next > pos) parts.push_back(p.substr(pos, next - pos));
    pos = next + 1;
  }
  return parts;
}

// "dense_1/kernel:0" → "kernel"; "layers/dense/vars/0" → "0".
std::string RoleOf(const std::string& weight_name) {
  auto parts = SplitPath(weight_name);
  if (parts.empty()) return "";
  std::string last = parts.back();
  size_t colon = last.rfind(':');
  if (colon != std::string::npos) last = last.substr(0, colon);
  return last;
}

// Keras 3 names DepthwiseConv2D's weight "kernel" (Keras 2: "depthwise_kernel").
std::string AliasOf(const std::string& role) {
  if (role == "depthwise_kernel") return "kernel";
  return "";
}

bool AllDigits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out.empty() ? "none" : out;
}

// ---------------------------------------------------------------------------------------------
// .keras weights: the file's groups under normalized names (every '\' of a link name read as '/'),
// so `layers\conv1d/vars/0` (tf.keras 2.15 on Windows: one root-level link) and
// `layers/conv1d/vars/0` are found the same way, as Keras 3 does (it normalizes with
// .replace("\\", "/")). Built once per file.

bool StartsWith(const std::string& s, const std::string& p) { return s.compare(0, p.size(), p) == 0; }

std::string JoinPath(const std::string& a, const std::string& b) { return a.empty() ? b : a + "/" + b; }

}  // namespace

class WeightsIndex {
 public:
  struct Node {
    std::string real;  // HDF5 path ("" for the root and for virtual groups made by backslash names)
    bool dataset = false;
    std::vector<std::string> children;  // normalized child names, sorted
    std::string name_attr;              // `vars` groups: the `name` attr (Keras >= 3.6), else ""
  };

  explicit WeightsIndex(hid_t root) : root_(root) {
    nodes_[""];
    Visit("", "", 0);
    for (auto& [path, node] : nodes_) {
      std::sort(node.children.begin(), node.children.end());
      node.children.erase(std::unique(node.children.begin(), node.children.end()), node.children.end());
    }
  }

  const Node* Find(const std::string& norm) const {
    auto it = nodes_.find(norm);
    return it == nodes_.end() ? nullptr : &it->second;
  }
  bool IsGroup(const std::string& norm) const {
    const Node* n = Find(norm);
    return n && !n->dataset;
  }
  // Any dataset at or below `norm` (the saveable has variables, its own or its sub-layers').
  bool HasDatasets(const std::string& norm) const {
    const std::string prefix = norm + "/";
    for (auto it = nodes_.lower_bound(prefix); it != nodes_.end() && StartsWith(it->first, prefix); ++it)
      if (it->second.dataset) return true;
    return false;
  }
  // The `name` attr of group `norm` (Keras >= 3.6 vars groups), or "".
  std::string NameAttr(const std::string& norm) const {
    const Node* n = Find(norm);
    return n ? n->name_attr : "";
  }

  // Per (container, model): the resolved path of each entry of model.layers (weights.cc
  // ResolveContainer), computed once.
  mutable std::map<std::pair<std::string, const ModelDef*>, std::vector<std::string>> container_paths;

 private:
  void Visit(const std::string& real, const std::string& norm, int depth) {
    if (depth > 64 || nodes_.size() > 1000000) return;
    H5Id g = real.empty() ? OpenGroup(root_, "/") : OpenGroup(root_, real);
    if (!g) return;
    if ((norm == "vars" || (norm.size() > 5 && norm.compare(norm.size() - 5, 5, "/vars") == 0)) &&
        HasAttr(g.get(), "name")) {
      auto v = ReadStringAttr(g.get(), "name");
      if (v.ok()) nodes_[norm].name_attr = *v;
    }
    for (const auto& c : ChildNames(g.get())) {
      const std::string child_real = real.empty() ? c : real + "/" + c;
      std::string rel = c;
      std::replace(rel.begin(), rel.end(), '\\', '/');
      // Intermediate components of a backslash name are virtual groups.
      std::string parent = norm;
      size_t pos = 0;
      std::string child_norm;
      while (true) {
        size_t next = rel.find('/', pos);
        const std::string part = rel.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
        if (!part.empty()) {
          child_norm = JoinPath(parent, part);
          nodes_[parent].children.push_back(part);
          nodes_.try_emplace(child_norm);
          parent = child_norm;
        }
        if (next == std::string::npos) break;
        pos = next + 1;
      }
      if (child_norm.empty()) continue;
      Node& n = nodes_[child_norm];
      if (!n.real.empty()) continue;  // a '/' link already gave this name (Keras tries it first)
      n.real = child_real;
      if (IsDataset(root_, child_real)) {
        n.dataset = true;
      } else {
        Visit(child_real, child_norm, depth + 1);
      }
    }
  }

  hid_t root_;
  std::map<std::string, Node> nodes_;
};

namespace {

// The datasets of a saveable: <path>/vars/0..N, then its child objects (e.g. `cell`, MHA's
// `query_dense` / `_query_dense`), depth first. Names are normalized paths; paths are real.
// `whole_tree` (custom layers): also the layers of a Sequential/Functional the layer holds (their
// `layers` container), in Keras' order (dense, dense_1, ..., dense_10).
bool NaturalLess(const std::string& a, const std::string& b) {
  auto split = [](const std::string& s) {
    size_t k = s.size();
    while (k > 0 && std::isdigit(static_cast<unsigned char>(s[k - 1]))) --k;
    const bool numbered = k < s.size() && k > 0 && s[k - 1] == '_' && s.size() - k < 9;
    return numbered ? std::make_pair(s.substr(0, k - 1), std::stol(s.substr(k)) + 1) : std::make_pair(s, 0L);
  };
  return split(a) < split(b);
}

void CollectVars(const WeightsIndex& ix, const std::string& path, std::vector<WeightRef>* out, bool whole_tree = false) {
  const std::string vars = JoinPath(path, "vars");
  if (const auto* v = ix.Find(vars); v && !v->dataset) {
    std::vector<int> ids;
    for (const auto& n : v->children)
      if (AllDigits(n) && n.size() < 9 && ix.Find(vars + "/" + n)->dataset) ids.push_back(std::stoi(n));
    std::sort(ids.begin(), ids.end());
    for (int id : ids) {
      const std::string name = vars + "/" + std::to_string(id);
      out->push_back({name, ix.Find(name)->real});
    }
  }
  const auto* g = ix.Find(path);
  if (!g || g->dataset) return;
  std::vector<std::string> children;
  for (const auto& n : g->children)
    if (n != "vars" && (whole_tree || (n != "layers" && n != "_layer_checkpoint_dependencies")) &&
        ix.IsGroup(JoinPath(path, n)))
      children.push_back(n);
  auto rank = [](const std::string& k) { return k == "forward_layer" ? 0 : k == "backward_layer" ? 1 : 2; };
  std::stable_sort(children.begin(), children.end(), [&](const std::string& a, const std::string& b) {
    return rank(a) != rank(b) ? rank(a) < rank(b) : whole_tree ? NaturalLess(a, b) : a < b;
  });
  for (const auto& c : children) CollectVars(ix, JoinPath(path, c), out, whole_tree);
}

// Whether Keras gives `l` a `.keras` path in `model`: only entries of model.layers count; a
// Sequential's InputLayer (real or implied) and Keras 3 operation layers (keras.src.ops.*) do not.
bool HasKerasPath(const ModelDef& model, const LayerDef& l) {
  if (model.class_name == "Sequential" && l.is_input) return false;
  if (StartsWith(l.module, "keras.src.ops.") || l.module == "keras.src.ops") return false;
  return true;
}

// The keys Keras gives model.layers under <dir> (parallel to model.layers, "" = no path):
// snake_case(class name) made unique by counting in model.layers order. tf.keras 2.13 walked
// _layer_checkpoint_dependencies, which lists every layer WITH variables twice
// (layer_with_weights-k, layer-i), and counted both: such a layer uses two numbers. Whether a
// layer has variables is read from the file: its (uniquely named) group holds datasets.
std::vector<std::string> ComputeKeys(const WeightsIndex& ix, const std::string& dir, const ModelDef& model,
                                     bool tf213) {
  std::map<std::string, int> used;
  auto next = [&](const std::string& base) {
    auto it = used.find(base);
    if (it == used.end()) {
      used[base] = 0;
      return base;
    }
    return base + "_" + std::to_string(++it->second);
  };
  std::vector<std::string> keys;
  for (const auto& l : model.layers) {
    if (!HasKerasPath(model, l)) {
      keys.emplace_back();
      continue;
    }
    const std::string base = SnakeCase(l.model ? l.model->class_name : l.class_name);
    keys.push_back(next(base));
    if (tf213 && ix.HasDatasets(JoinPath(dir, keys.back()))) next(base);
  }
  return keys;
}

// The normalized paths of the entries of model.layers inside the container at `container` (""
// = the archive root); "" for entries without a path. Order of evidence: the `name` attr of a
// <key>/vars group (Keras >= 3.6); else the keys computed as Keras computes them under `layers/`
// (Keras 3, tf.keras 2.15) or `_layer_checkpoint_dependencies/` (tf.keras 2.13/2.14, which Keras 3
// itself retries on a miss), counted the 2.14+ way or the 2.13 way; the layout under which most of
// the model's layers are found wins (ties: the writer's version decides).
std::vector<std::string> ResolveContainer(const WeightsIndex& ix, const KerasFile& file, const std::string& container,
                                          const ModelDef& model) {
  static const char* const kDirs[] = {"layers", "_layer_checkpoint_dependencies"};
  std::vector<std::string> dirs;
  for (const char* d : kDirs)
    if (ix.IsGroup(JoinPath(container, d))) dirs.push_back(JoinPath(container, d));
  std::vector<std::string> out(model.layers.size());
  if (dirs.empty()) {
    for (size_t i = 0; i < model.layers.size(); ++i) {
      const LayerDef& l = model.layers[i];
      if (HasKerasPath(model, l))
        out[i] = JoinPath(container, "layers") + "/" + SnakeCase(l.model ? l.model->class_name : l.class_name);
    }
    return out;
  }
  std::map<std::string, std::string> by_name;  // layer name → group, from name attrs
  for (const auto& dir : dirs)
    for (const auto& key : ix.Find(dir)->children) {
      const std::string n = ix.NameAttr(dir + "/" + key + "/vars");
      if (!n.empty()) by_name.emplace(n, dir + "/" + key);
    }
  const bool v213 = file.keras_version.compare(0, 4, "2.13") == 0;
  int best_score = -1;
  std::string best_dir;
  std::vector<std::string> best_keys;
  for (const auto& dir : dirs) {
    for (bool tf213 : {v213, !v213}) {
      auto keys = ComputeKeys(ix, dir, model, tf213);
      int score = 0;
      for (const auto& k : keys)
        if (!k.empty() && ix.IsGroup(dir + "/" + k)) ++score;
      if (score > best_score) {
        best_score = score;
        best_dir = dir;
        best_keys = std::move(keys);
      }
    }
  }
  for (size_t i = 0; i < model.layers.size(); ++i) {
    auto it = by_name.find(model.layers[i].name);
    if (it != by_name.end()) out[i] = it->second;
    else if (!best_keys[i].empty()) out[i] = best_dir + "/" + best_keys[i];
  }
  return out;
}

// The normalized path of `layer` (an entry of model.layers) in the container; false with *path =
// the expected path when the file has no such group.
bool ResolveInContainer(const WeightsIndex& ix, const KerasFile& file, const std::string& container,
                        const ModelDef& model, const LayerDef& layer, std::string* path) {
  auto& cache = ix.container_paths;
  auto key = std::make_pair(container, &model);
  auto it = cache.find(key);
  if (it == cache.end()) it = cache.emplace(key, ResolveContainer(ix, file, container, model)).first;
  size_t index = 0;
  while (index < model.layers.size() && &model.layers[index] != &layer) ++index;
  *path = index < it->second.size() ? it->second[index] : "";
  if (path->empty()) *path = JoinPath(container, "layers") + "/" + SnakeCase(layer.class_name);
  return ix.IsGroup(*path);
}

// ---------------------------------------------------------------------------------------------
// Legacy .h5, a layer inside nested models: every weight of the outermost nested model's tree is
// in /model_weights/<outermost nested model> (trainable ones of all sub-layers first, then the
// non-trainable ones), so a weight is given to the layer its name designates. Names are
// `<layer>/<var>:0` (tf.keras), or carry model scopes (`outer/inner/dense/kernel`, Keras 3), or
// sub-layer scopes (`lstm/lstm_cell/kernel`). A weight matches a layer when the layer's name is
// one of its path components; the score adds the enclosing model names found before it (in order)
// and subtracts those missing; the best-scoring layer owns the weight (ties: the first in model
// order), so two layers named `dense` in different nested models are told apart by the scopes.

struct LeafChain {
  const LayerDef* leaf;
  std::vector<std::string> names;  // outermost nested model ... leaf
};

void CollectLeaves(const ModelDef& m, std::vector<std::string> names, std::vector<LeafChain>* out) {
  for (const auto& l : m.layers) {
    if (l.is_input) continue;
    std::vector<std::string> n = names;
    n.push_back(l.name);
    if (l.model) CollectLeaves(*l.model, n, out);
    else out->push_back({&l, n});
  }
}

// INT_MIN when the weight does not name the leaf.
int MatchScore(const std::vector<std::string>& parts, const std::vector<std::string>& names) {
  if (parts.size() < 2 || names.empty()) return INT_MIN;
  int pos = -1;
  for (int i = static_cast<int>(parts.size()) - 2; i >= 0; --i)
    if (parts[static_cast<size_t>(i)] == names.back()) { pos = i; break; }
  if (pos < 0) return INT_MIN;
  int score = 1, j = pos - 1;
  for (int a = static_cast<int>(names.size()) - 2; a >= 0; --a) {
    int k = j;
    while (k >= 0 && parts[static_cast<size_t>(k)] != names[static_cast<size_t>(a)]) --k;
    if (k >= 0) {
      ++score;
      j = k - 1;
    } else {
      --score;
    }
  }
  return score;
}
}  // namespace

std::string SnakeCase(const std::string& class_name) {
  static const std::regex non_word("[^A-Za-z0-9_]+");
  static const std::regex cap_word("(.)([A-Z][a-z]+)");
  static const std::regex lower_upper("([a-z])([A-Z])");
  std::string s = std::regex_replace(class_name, non_word, "");
  s = std::regex_replace(s, cap_word, "$1_$2");
  s = std::regex_replace(s, lower_upper, "$1_$2");
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

StatusOr<LayerWeights> FindLayerWeights(const KerasFile& file, const LayerChain& chain, bool whole_tree) {
  const LayerDef* leaf = chain.back().second;
  hid_t root = file.weights_root.get();
  if (file.kind == FileKind::kKerasZip) {
    if (!file.weights_index) file.weights_index = std::make_shared<WeightsIndex>(root);
    const WeightsIndex& ix = *file.weights_index;
    std::string path;
    bool found = true;
    for (const auto& [model, layer] : chain) {
      std::string next;
      found = found && ResolveInContainer(ix, file, path, *model, *layer, &next);
      path = next;
      if (!found) break;
    }
    std::vector<WeightRef> refs;
    if (found) CollectVars(ix, path, &refs, whole_tree);
    return LayerWeights(&file, leaf->name, path, std::move(refs), true);
  }

  const std::string group_path = chain.front().second->name;
  const std::string where = "model_weights/" + group_path;
  H5Id group = OpenGroup(root, group_path);
  if (!group) return LayerWeights(&file, leaf->name, where, {}, false);
  bool found = false;
  auto names = ReadStringListAttr(group.get(), "weight_names", &found);
  if (!names.ok()) return names.status().WithContext("layer '" + leaf->name + "': " + where);
  std::vector<LeafChain> leaves;
  if (chain.size() > 1 && chain.front().second->model)
    CollectLeaves(*chain.front().second->model, {chain.front().second->name}, &leaves);
  std::vector<WeightRef> refs;
  for (const auto& n : *names) {
    if (chain.size() > 1) {
      // Inside a nested model: keep the weights whose name designates this layer best.
      const auto parts = SplitPath(n);
      int best = INT_MIN;
      const LayerDef* owner = nullptr;
      for (const auto& c : leaves) {
        const int s = MatchScore(parts, c.names);
        if (s > best) {
          best = s;
          owner = c.leaf;
        }
      }
      if (owner != leaf) continue;
    }
    refs.push_back({n, group_path + "/" + n});
  }
  return LayerWeights(&file, leaf->name, where, std::move(refs), false);
}

LayerWeights LayerWeights::Slice(size_t begin, size_t n, const std::string& layer_name) const {
  std::vector<WeightRef> part;
  for (size_t i = begin; i < refs_.size() && i < begin + n; ++i) part.push_back(refs_[i]);
  return LayerWeights(file_, layer_name, where_, std::move(part), by_position_);
}

std::string LayerWeights::DisplayName(const std::string& role) const {
  for (size_t i = 0; i < roles_.size(); ++i)
    if (roles_[i] == role && bound_[i] >= 0) return refs_[static_cast<size_t>(bound_[i])].name;
  if (file_ && file_->keras_major >= 3) return layer_ + "/" + role;
  return layer_ + "/" + role + ":0";
}

Status LayerWeights::Bind(const std::vector<std::string>& roles) {
  roles_ = roles;
  bound_.assign(roles.size(), -1);
  std::vector<std::string> listed;
  for (const auto& r : refs_) listed.push_back(r.name);
  const std::string file_desc = file_ && file_->kind == FileKind::kKerasZip ? "model.weights.h5" : "the file";
  if (roles.empty()) return OkStatus();
  if (!refs_.empty() && std::any_of(roles.begin(), roles.end(), [](const std::string& r) {
        return r.find('/') != std::string::npos;
      }))
    return BindSubLayers(listed, file_desc);
  if (refs_.empty())
    return NotFound("weight '" + DisplayName(roles[0]) + "' not found in " + file_desc + " (no weights under " + where_ +
                    "); the file does not match its model config: save the model again with model.save()");

  bool any_named = false;
  if (!by_position_) {
    for (const auto& r : refs_)
      for (const auto& role : roles) any_named = any_named || RoleOf(r.name) == role;
  }
  std::vector<bool> used(refs_.size(), false);
  if (any_named) {
    // Exact names first, then the names other Keras versions use for the same weight.
    for (int pass = 0; pass < 2; ++pass) {
      for (size_t i = 0; i < roles.size(); ++i) {
        if (bound_[i] >= 0) continue;
        const std::string want = pass == 0 ? roles[i] : AliasOf(roles[i]);
        if (want.empty()) continue;
        for (size_t k = 0; k < refs_.size(); ++k) {
          if (!used[k] && RoleOf(refs_[k].name) == want) {
            bound_[i] = static_cast<int>(k);
            used[k] = true;
            break;
          }
        }
      }
    }
    return CheckBound(used, listed, file_desc);
  }
  if (refs_.size() != roles.size())
    return InvalidArgument("the file has " + std::to_string(refs_.size()) + " weight(s) for this layer (" +
                           Join(listed) + ") but its config implies " + std::to_string(roles.size()) + " (" +
                           Join(roles) + "); the file does not match its model config");
  for (size_t i = 0; i < roles.size(); ++i) bound_[i] = static_cast<int>(i);
  return OkStatus();
}

// ---- sub-layer weights (MultiHeadAttention's query/key/value/attention_output EinsumDense) ----
// A role "<sub>/<weight>" names weight <weight> of sub-layer <sub>. Files name the sub-layer
// differently: legacy H5 `mha/query/kernel:0` (tf.keras) or `mha_2/query/kernel` (Keras 3), .keras
// `layers/mha/query_dense/vars/0` (Keras 3.1+), `_query_dense` (Keras 3.0, tf.keras 2.13-2.15),
// and the output projection is `attention_output` / `output_dense` / `_output_dense`. In .keras
// files the weights of a sub-layer are its vars in the order the caller lists its roles.
namespace {

std::string SubLayerKey(std::string s) {
  if (!s.empty() && s[0] == '_') s.erase(0, 1);
  const std::string dense = "_dense";
  if (s.size() > dense.size() && s.compare(s.size() - dense.size(), dense.size(), dense) == 0)
    s.erase(s.size() - dense.size());
  if (s == "output") s = "attention_output";
  return s;
}

}  // namespace

Status LayerWeights::BindSubLayers(const std::vector<std::string>& listed, const std::string& file_desc) {
  std::vector<bool> used(refs_.size(), false);
  auto owner_leaf = [&](const WeightRef& r, std::string* owner, std::string* leaf) {
    auto parts = SplitPath(r.name);
    if (by_position_) {  // .../<sub>/vars/<n>
      if (parts.size() < 3 || parts[parts.size() - 2] != "vars") return false;
      *owner = SubLayerKey(parts[parts.size() - 3]);
      *leaf = parts.back();
      return true;
    }
    if (parts.size() < 2) return false;  // .../<sub>/<weight>[:0]
    *owner = SubLayerKey(parts[parts.size() - 2]);
    *leaf = RoleOf(r.name);
    return true;
  };
  std::map<std::string, int> next_index;  // .keras: vars consumed per sub-layer
  for (size_t i = 0; i < roles_.size(); ++i) {
    const size_t slash = roles_[i].find('/');
    const std::string sub = slash == std::string::npos ? "" : roles_[i].substr(0, slash);
    const std::string leaf = slash == std::string::npos ? roles_[i] : roles_[i].substr(slash + 1);
    for (size_t k = 0; k < refs_.size() && bound_[i] < 0; ++k) {
      std::string owner, ref_leaf;
      if (used[k] || !owner_leaf(refs_[k], &owner, &ref_leaf) || owner != sub) continue;
      if (by_position_ ? ref_leaf == std::to_string(next_index[sub]) : ref_leaf == leaf) {
        bound_[i] = static_cast<int>(k);
        used[k] = true;
        if (by_position_) ++next_index[sub];
      }
    }
  }
  return CheckBound(used, listed, file_desc);
}

// Every role found a weight and every weight of the file was used.
Status LayerWeights::CheckBound(const std::vector<bool>& used, const std::vector<std::string>& listed,
                                const std::string& file_desc) const {
  for (size_t i = 0; i < roles_.size(); ++i) {
    if (bound_[i] < 0)
      return NotFound("weight '" + DisplayName(roles_[i]) + "' not found in " + file_desc + " (" + where_ +
                      " lists: " + Join(listed) + "); the file does not match its model config: save the model "
                      "again with model.save()");
  }
  std::vector<std::string> extra;
  for (size_t k = 0; k < refs_.size(); ++k)
    if (!used[k]) extra.push_back(refs_[k].name);
  if (!extra.empty())
    return InvalidArgument("the file has weights the layer config does not use (" + Join(extra) + ", expected " +
                           Join(roles_) + "); the file does not match its model config");
  return OkStatus();
}

bool LayerWeights::has(const std::string& role) const {
  for (size_t i = 0; i < roles_.size(); ++i)
    if (roles_[i] == role && bound_[i] >= 0) return true;
  return false;
}

StatusOr<const WeightRef*> LayerWeights::Find(const std::string& role) const {
  for (size_t i = 0; i < roles_.size(); ++i)
    if (roles_[i] == role && bound_[i] >= 0) return &refs_[static_cast<size_t>(bound_[i])];
  return Internal("weight role '" + role + "' was not bound for layer '" + layer_ + "'");
}

Status LayerWeights::Read(const WeightRef& ref, const std::string& role, const Shape& expected, float* out) const {
  hid_t root = file_->weights_root.get();
  const std::string root_name = file_->kind == FileKind::kKerasZip ? "" : "model_weights/";
  H5Id ds = OpenDataset(root, ref.path);
  if (!ds)
    return NotFound("weight '" + ref.name + "' not found in " +
                    (file_->kind == FileKind::kKerasZip ? std::string("model.weights.h5") : std::string("the file")) +
                    " (expected dataset /" + root_name + ref.path +
                    "); the file is incomplete or corrupt: save the model again with model.save()");
  H5Id space(H5Dget_space(ds.get()), H5Sclose);
  H5Id type(H5Dget_type(ds.get()), H5Tclose);
  if (!space || !type) return DataLoss("cannot read weight '" + ref.name + "': " + H5ErrorText());
  int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) return DataLoss("cannot read weight '" + ref.name + "': " + H5ErrorText());
  std::vector<hsize_t> hd(static_cast<size_t>(rank));
  if (rank > 0) H5Sget_simple_extent_dims(space.get(), hd.data(), nullptr);
  Shape dims(hd.begin(), hd.end());
  if (dims != expected)
    return InvalidArgument("weight '" + ref.name + "' has shape " + ShapeStr(dims) + " in the file but the layer config implies " +
                           ShapeStr(expected) + " for its " + role + "; the file does not match its model config");
  const int64_t n = sdk::NumElements(dims);
  if (n == 0) return OkStatus();
  H5T_class_t cls = H5Tget_class(type.get());
  bool bf16 = false;
  if (HasAttr(ds.get(), "dtype")) {
    auto dt = ReadStringAttr(ds.get(), "dtype");
    bf16 = dt.ok() && *dt == "bfloat16";
  }
  if (bf16 && H5Tget_size(type.get()) == 2 && cls != H5T_FLOAT) {
    // Keras 3 stores bfloat16 as its 16 raw bits: widen to float32 in place (the upper halves).
    auto* raw = reinterpret_cast<uint16_t*>(out);
    if (H5Dread(ds.get(), H5T_NATIVE_UINT16, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw) < 0)
      return DataLoss("cannot read weight '" + ref.name + "' (" + H5ErrorText() + "); the file is truncated or corrupt");
    for (int64_t i = n - 1; i >= 0; --i) {
      uint32_t bits = static_cast<uint32_t>(raw[i]) << 16;
      std::memcpy(out + i, &bits, 4);
    }
    return OkStatus();
  }
  if (cls != H5T_FLOAT && cls != H5T_INTEGER)
    return InvalidArgument("weight '" + ref.name + "' is not a numeric dataset");
  if (H5Dread(ds.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) < 0)
    return DataLoss("cannot read weight '" + ref.name + "' (" + H5ErrorText() + "); the file is truncated or corrupt");
  return OkStatus();
}

StatusOr<int64_t> LayerWeights::InPlaceOffset(const WeightRef& ref, const std::string& role,
                                              const Shape& expected) const {
  // .keras weights are in place only when the archive stores model.weights.h5 uncompressed.
  if (file_->kind != FileKind::kHdf5 && file_->image_offset < 0) return -1;
  H5Id ds = OpenDataset(file_->weights_root.get(), ref.path);
  if (!ds) return -1;  // Read() reports it
  H5Id space(H5Dget_space(ds.get()), H5Sclose);
  H5Id type(H5Dget_type(ds.get()), H5Tclose);
  H5Id dcpl(H5Dget_create_plist(ds.get()), H5Pclose);
  if (!space || !type || !dcpl) return -1;
  int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) return -1;
  std::vector<hsize_t> hd(static_cast<size_t>(rank));
  if (rank > 0) H5Sget_simple_extent_dims(space.get(), hd.data(), nullptr);
  if (Shape(hd.begin(), hd.end()) != expected) return -1;  // Read() reports it
  if (HasAttr(ds.get(), "dtype")) return -1;               // e.g. Keras 3 bfloat16
  if (H5Tequal(type.get(), H5T_IEEE_F32LE) <= 0) return -1;
  if (H5Pget_layout(dcpl.get()) != H5D_CONTIGUOUS || H5Pget_nfilters(dcpl.get()) != 0) return -1;
  const haddr_t offset = H5Dget_offset(ds.get());
  if (offset == HADDR_UNDEF) return -1;
  const int64_t n = sdk::NumElements(expected);
  if (H5Dget_storage_size(ds.get()) != static_cast<hsize_t>(n) * 4) return -1;
  return static_cast<int64_t>(offset) + std::max<int64_t>(file_->image_offset, 0);
}

StatusOr<ValueView> LayerWeights::ReadConst(Emitter& em, const std::string& const_name, const std::string& role,
                                            const Shape& expected, const Shape* const_dims) const {
  TFLC_ASSIGN_OR_RETURN(const WeightRef* ref, Find(role));
  const Shape& dims = const_dims ? *const_dims : expected;
  const int64_t n = sdk::NumElements(expected);
  if (n < 0) return Internal("unknown weight shape for '" + ref->name + "'");
  // Large weights stored plainly in the file are used in place: the host maps them, nothing is read.
  constexpr int64_t kMapThreshold = 1 << 16;  // bytes; small tensors are cheaper to read
  if (n * 4 >= kMapThreshold) {
    TFLC_ASSIGN_OR_RETURN(int64_t offset, InPlaceOffset(*ref, role, expected));
    if (offset >= 0) {
      return em.FileConst(const_name, TFLC_TYPE_FLOAT32, dims, file_->path, static_cast<uint64_t>(offset),
                          static_cast<size_t>(n) * 4);
    }
  }
  void* data = nullptr;
  TFLC_ASSIGN_OR_RETURN(ValueView v, em.NewConst(const_name, TFLC_TYPE_FLOAT32, dims, static_cast<size_t>(n) * 4, &data));
  if (n > 0 && !data) return Internal("the host returned no buffer for constant '" + const_name + "'");
  TFLC_RETURN_IF_ERROR(Read(*ref, role, expected, static_cast<float*>(data)));
  return v;
}

StatusOr<Shape> LayerWeights::StoredShape(size_t k) const {
  if (k >= refs_.size()) return Internal("weight index " + std::to_string(k) + " out of range");
  const WeightRef& ref = refs_[k];
  H5Id ds = OpenDataset(file_->weights_root.get(), ref.path);
  if (!ds) return NotFound("weight '" + ref.name + "' not found (expected dataset " + ref.path + ")");
  H5Id space(H5Dget_space(ds.get()), H5Sclose);
  const int rank = space ? H5Sget_simple_extent_ndims(space.get()) : -1;
  if (rank < 0) return DataLoss("cannot read weight '" + ref.name + "': " + H5ErrorText());
  std::vector<hsize_t> hd(static_cast<size_t>(rank));
  if (rank > 0) H5Sget_simple_extent_dims(space.get(), hd.data(), nullptr);
  return Shape(hd.begin(), hd.end());
}

StatusOr<ValueView> LayerWeights::ReadConstAt(Emitter& em, const std::string& const_name, size_t k, Shape* dims) const {
  TFLC_ASSIGN_OR_RETURN(*dims, StoredShape(k));
  LayerWeights one(file_, layer_, where_, {refs_[k]}, true);
  one.roles_ = {"weight"};
  one.bound_ = {0};
  return one.ReadConst(em, const_name, "weight", *dims);
}

StatusOr<std::vector<float>> LayerWeights::ReadData(const std::string& role, const Shape& expected) const {
  TFLC_ASSIGN_OR_RETURN(const WeightRef* ref, Find(role));
  std::vector<float> out(static_cast<size_t>(std::max<int64_t>(0, sdk::NumElements(expected))));
  TFLC_RETURN_IF_ERROR(Read(*ref, role, expected, out.data()));
  return out;
}

}  // namespace tflc::keras
