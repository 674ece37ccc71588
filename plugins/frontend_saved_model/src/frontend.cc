#include "frontend.h"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "saved_model.pb.h"
#include "tf_common/checkpoint.h"
#include "tf_common/importer.h"
#include "tf_common/tensor.h"
#include "tf_common/util.h"
#include "tflc/sdk/plugin.h"

namespace tflc::saved_model {
namespace {

using tf::MetaGraphDef;
using tf::SavedModel;

bool FormatIsOurs(std::string_view format) { return format.empty() || format == "saved_model"; }

bool IsDir(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}
bool IsFile(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}
bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The SavedModel directory for a user path (the directory, or a saved_model.pb inside it).
std::string ModelDir(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  if (EndsWith(path, "/saved_model.pb") || EndsWith(path, "/saved_model.pbtxt")) return path.substr(0, path.rfind('/'));
  return path;
}

Status ParseSavedModel(const std::string& dir, SavedModel* sm);

int ProbeConfidence(const std::string& path) {
  const std::string dir = ModelDir(path);
  if (!IsDir(dir)) return 0;
  // Parse it: an unreadable file gets 0 (Load, called anyway for --saved_model_dir, says why).
  SavedModel sm;
  if (!ParseSavedModel(dir, &sm).ok()) return 0;
  return 95;
}

StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot open " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Parses the bytes of `file` (saved_model.pb, or saved_model.pbtxt when `text`).
Status ParseSavedModelBytes(const std::string& file, const std::string& bytes, bool text, SavedModel* sm) {
  if (!text) {
    if (!sm->ParseFromString(bytes) || sm->meta_graphs_size() == 0)
      return DataLoss(file + " is not a valid SavedModel (corrupt or truncated)");
    return OkStatus();
  }
  if (!tf::ParseTextProto(bytes, sm) || sm->meta_graphs_size() == 0)
    return DataLoss(file + " is not a valid SavedModel text proto (corrupt or truncated)");
  return OkStatus();
}

Status ParseSavedModel(const std::string& dir, SavedModel* sm) {
  const std::string pb = dir + "/saved_model.pb", pbtxt = dir + "/saved_model.pbtxt";
  if (IsFile(pb)) {
    TFLC_ASSIGN_OR_RETURN(std::string bytes, ReadFile(pb));
    return ParseSavedModelBytes(pb, bytes, /*text=*/false, sm);
  }
  if (IsFile(pbtxt)) {
    TFLC_ASSIGN_OR_RETURN(std::string bytes, ReadFile(pbtxt));
    return ParseSavedModelBytes(pbtxt, bytes, /*text=*/true, sm);
  }
  return NotFound(dir + " has no saved_model.pb; --saved_model_dir takes the SavedModel directory");
}

std::string TagSetName(const MetaGraphDef& m) {
  std::vector<std::string> tags(m.meta_info_def().tags().begin(), m.meta_info_def().tags().end());
  std::sort(tags.begin(), tags.end());
  std::string out;
  for (const auto& t : tags) out += (out.empty() ? "" : ",") + t;
  return out;
}

StatusOr<const MetaGraphDef*> ChooseMetaGraph(const SavedModel& sm, const std::string& tag_option) {
  std::vector<std::string> want = tf::Split(tag_option, ',');
  std::sort(want.begin(), want.end());
  want.erase(std::unique(want.begin(), want.end()), want.end());
  std::vector<std::string> available;
  for (const auto& m : sm.meta_graphs()) {
    std::vector<std::string> tags(m.meta_info_def().tags().begin(), m.meta_info_def().tags().end());
    std::sort(tags.begin(), tags.end());
    tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
    if (tags == want) return &m;
    available.push_back(TagSetName(m));
  }
  return NotFound("the SavedModel has no MetaGraph with tag set '" + tag_option + "'; available tag sets: " +
                  tf::QuotedList(available) + " (choose one with --saved_model_tag_set)");
}

// Follows Identity nodes back to the node that produces `r`.
StatusOr<tf::Ref> SkipIdentity(const tf::FlatGraph& g, tf::Ref r) {
  for (int i = 0; i < 1000; ++i) {
    TFLC_ASSIGN_OR_RETURN(r, g.Resolve(r));
    const tf::FlatNode* n = g.Find(r.node);
    if (!n || n->def->op() != "Identity" || n->inputs.empty()) return r;
    r = n->inputs[0];
  }
  return r;
}

// Variable node → checkpoint key, from the restore graph: RestoreV2:k → (Identity) → Assign /
// AssignVariableOp(var). Works for TF1 (save/restore_all) and TF2 (the inlined restore function).
std::map<std::string, std::string> VariableKeys(const tf::FlatGraph& g) {
  std::map<std::string, std::string> keys;
  for (const auto& [name, n] : g.nodes()) {
    const std::string& op = n.def->op();
    if ((op != "AssignVariableOp" && op != "Assign") || n.inputs.size() < 2) continue;
    auto var = SkipIdentity(g, n.inputs[0]);
    auto val = SkipIdentity(g, n.inputs[1]);
    if (!var.ok() || !val.ok()) continue;
    const tf::FlatNode* v = g.Find(var->node);
    const tf::FlatNode* r = g.Find(val->node);
    if (!v || !r || !tf::IsVariableOp(v->def->op())) continue;
    if (r->def->op() != "RestoreV2" && r->def->op() != "RestoreV2") continue;
    if (r->inputs.size() < 2) continue;
    auto names_ref = SkipIdentity(g, r->inputs[1]);
    if (!names_ref.ok()) continue;
    const tf::FlatNode* names = g.Find(names_ref->node);
    if (!names || names->def->op() != "Const") continue;
    auto it = names->def->attr().find("value");
    if (it == names->def->attr().end()) continue;
    const auto& t = it->second.tensor();
    if (val->index < t.string_val_size()) keys[v->name] = t.string_val(val->index);
  }
  return keys;
}

class VariableStore {
 public:
  VariableStore(std::string dir, const tf::FlatGraph& g) : dir_(std::move(dir)), keys_(VariableKeys(g)) {}

  StatusOr<sdk::ValueView> Resolve(const tf::FlatNode& var, const sdk::GraphBuilder& gb) {
    if (!ckpt_) {
      auto c = tf::Checkpoint::Open(dir_ + "/variables/variables");
      if (!c.ok()) return c.status();
      ckpt_ = std::move(c).value();
    }
    std::vector<std::string> candidates;
    auto k = keys_.find(var.name);
    if (k != keys_.end()) candidates.push_back(k->second);
    candidates.push_back(var.name);
    auto sn = var.def->attr().find("shared_name");
    if (sn != var.def->attr().end() && !sn->second.s().empty()) candidates.push_back(sn->second.s());
    for (const auto& key : candidates)
      if (ckpt_->Has(key)) return ckpt_->EmitConst(key, var.name, gb);
    return NotFound("no checkpoint entry for it in " + dir_ + "/variables/variables.index (looked for " +
                    tf::QuotedList(candidates) + ")");
  }

 private:
  std::string dir_;
  std::map<std::string, std::string> keys_;
  std::unique_ptr<tf::Checkpoint> ckpt_;
};

// Imports the parsed SavedModel `sm` of directory `dir` into `model`.
Status ImportSavedModel(const TflcHostApi* host, const TflcOptions* options, const std::string& dir,
                        const SavedModel& sm, TflcModel* model) {
  std::string tag_option = "serve", sig_option = "serving_default";
  sdk::GetOption(host, options, "saved_model_tag_set", &tag_option);
  sdk::GetOption(host, options, "saved_model_signature_key", &sig_option);
  TFLC_ASSIGN_OR_RETURN(const MetaGraphDef* mg, ChooseMetaGraph(sm, tag_option));

  std::vector<std::string> keys = tf::Split(sig_option, ',');
  if (keys.empty()) keys.push_back("serving_default");
  std::vector<std::string> available;
  for (const auto& [k, v] : mg->signature_def())
    if (k != "__saved_model_init_op" && k != "__saved_model_train_op") available.push_back(k);
  std::sort(available.begin(), available.end());
  for (const auto& key : keys)
    if (!mg->signature_def().count(key))
      return NotFound("the SavedModel has no signature '" + key + "'; available signature keys: " +
                      tf::QuotedList(available) + " (choose with --saved_model_signature_key)");

  TFLC_ASSIGN_OR_RETURN(auto flat, tf::FlatGraph::Build(mg->graph_def(), &mg->meta_info_def().stripped_op_list()));
  VariableStore store(dir, *flat);
  tf::VariableResolver resolver = [&store](const tf::FlatNode& n, const sdk::GraphBuilder& gb) {
    return store.Resolve(n, gb);
  };
  // --input_shapes (tflite_convert syntax) gives one shape per signature input, in the order of the
  // inputs' names; it overrides the SignatureDef's shapes (e.g. an unknown rank or batch size).
  std::string shapes_option;
  std::vector<std::vector<int64_t>> shapes;
  if (sdk::GetOption(host, options, "input_shapes", &shapes_option) && !shapes_option.empty()) {
    TFLC_ASSIGN_OR_RETURN(shapes, tf::ParseInputShapes(shapes_option));
  }
  for (const auto& key : keys) {
    const tf::SignatureDef& sig = mg->signature_def().at(key);
    if (!shapes.empty() && shapes.size() != static_cast<size_t>(sig.inputs().size())) {
      std::vector<std::string> names;
      for (const auto& [k, v] : sig.inputs()) names.push_back(k);
      std::sort(names.begin(), names.end());
      return InvalidArgument("--input_shapes gives " + std::to_string(shapes.size()) + " shape(s) but signature '" +
                             key + "' has " + std::to_string(names.size()) + " input(s): " + tf::QuotedList(names) +
                             " (give one shape per input, in this order, separated by ':')");
    }
    tf::ImportSpec spec;
    spec.inputs_listed = true;
    spec.unknown_rank_is_scalar = true;
    std::vector<std::string> in_keys, out_keys;
    for (const auto& [k, v] : sig.inputs()) in_keys.push_back(k);
    for (const auto& [k, v] : sig.outputs()) out_keys.push_back(k);
    std::sort(in_keys.begin(), in_keys.end());
    std::sort(out_keys.begin(), out_keys.end());
    for (const auto& k : in_keys) {
      const tf::TensorInfo& ti = sig.inputs().at(k);
      if (ti.name().empty())
        return Unimplemented("signature '" + key + "' input '" + k + "' is a sparse or composite tensor");
      tf::ImportInput in{ti.name(), k, std::nullopt};
      if (ti.has_tensor_shape() && !ti.tensor_shape().unknown_rank()) in.shape = tf::FromShapeProto(ti.tensor_shape()).dims;
      if (!shapes.empty()) in.shape = shapes[spec.inputs.size()];
      spec.inputs.push_back(in);
    }
    for (const auto& k : out_keys) {
      const tf::TensorInfo& ti = sig.outputs().at(k);
      if (ti.name().empty())
        return Unimplemented("signature '" + key + "' output '" + k + "' is a sparse or composite tensor");
      spec.outputs.push_back({ti.name(), k});
    }
    TflcGraph* graph = host->Model_AddGraph(model, sdk::Sv(key));
    if (!graph) return Internal("the host could not create a graph");
    Status s = tf::ImportGraph(*flat, spec, resolver, sdk::GraphBuilder(host, graph));
    if (!s.ok()) return s.WithContext("signature '" + key + "'");
  }
  return OkStatus();
}

Status LoadSavedModel(const TflcHostApi* host, const TflcOptions* options, const std::string& path,
                      TflcModel* model) {
  const std::string dir = ModelDir(path);
  if (!IsDir(dir)) return InvalidArgument("is not a directory; --saved_model_dir takes the SavedModel directory");
  SavedModel sm;
  TFLC_RETURN_IF_ERROR(ParseSavedModel(dir, &sm));
  return ImportSavedModel(host, options, dir, sm, model);
}

TflcStatus* Probe(TflcFrontendProbe_Args* args) {
  return sdk::Guard(args->host, [&]() -> Status {
    args->confidence = 0;
    if (!FormatIsOurs(sdk::Str(args->format))) return OkStatus();
    args->confidence = ProbeConfidence(std::string(sdk::Str(args->path)));
    return OkStatus();
  });
}

TflcStatus* Load(TflcFrontendLoad_Args* args) {
  return sdk::Guard(args->host, [&]() -> Status {
    const std::string path(sdk::Str(args->path));
    if (!TFLC_HAS_FIELD(args, TflcFrontendLoad_Args, model) || !args->model)
      return Internal("saved_model: the host passed no model to load into");
    Status s = LoadSavedModel(args->host, args->options, path, args->model);
    if (!s.ok() && s.message().find(path) == std::string::npos) return Status(s.code(), path + ": " + s.message());
    return s;
  });
}

const TflcFrontend kFrontends[] = {{
    TflcFrontend_STRUCT_SIZE,
    "saved_model",
    "TensorFlow SavedModel directories (TF1 and TF2): variables frozen from the checkpoint, functions inlined",
    "saved_model",
    Probe,
    Load,
    nullptr,
}};

const TflcPluginApi* Api() {
  static const TflcPluginApi api = [] {
    TflcPluginApi a = sdk::NewPluginApi("frontend_saved_model", "0.1.0", "TensorFlow SavedModel frontend");
    sdk::SetFrontends(a, kFrontends);
    return a;
  }();
  return &api;
}

}  // namespace

Status LoadSavedModelBytes(const TflcHostApi* host, const TflcOptions* options, const std::string& dir,
                           const std::string& bytes, bool text, TflcModel* model) {
  SavedModel sm;
  TFLC_RETURN_IF_ERROR(ParseSavedModelBytes(dir + (text ? "/saved_model.pbtxt" : "/saved_model.pb"), bytes, text, &sm));
  return ImportSavedModel(host, options, dir, sm, model);
}

}  // namespace tflc::saved_model

extern "C" const TflcPluginApi* TflcFrontendSavedModel_Query(const TflcPluginQuery_Args* args) {
  return tflc::sdk::Negotiate(args, tflc::saved_model::Api());
}
