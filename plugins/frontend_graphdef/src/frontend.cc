#include "frontend.h"

#include <sys/stat.h>

#include <fstream>
#include <set>
#include <sstream>

#include "graph.pb.h"
#include "tf_common/importer.h"
#include "tf_common/util.h"
#include "tflc/sdk/plugin.h"

namespace tflc::graphdef {
namespace {

using tf::GraphDef;

bool FormatIsOurs(std::string_view format) {
  return format.empty() || format == "graph_def" || format == "graphdef" || format == "pb";
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

StatusOr<std::string> ReadFile(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return NotFound("file does not exist");
  if (S_ISDIR(st.st_mode))
    return InvalidArgument("is a directory; --graph_def_file takes a frozen GraphDef file (use --saved_model_dir for a "
                           "SavedModel directory)");
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot open the file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool ParseText(const std::string& bytes, GraphDef* g) { return tf::ParseTextProto(bytes, g); }

// Parses binary or text; `text_first` for .pbtxt.
bool ParseGraph(const std::string& path, const std::string& bytes, GraphDef* g) {
  const bool text_first = EndsWith(path, ".pbtxt") || EndsWith(path, ".txt");
  if (text_first) return ParseText(bytes, g) || (g->Clear(), g->ParseFromString(bytes));
  return g->ParseFromString(bytes) || (g->Clear(), ParseText(bytes, g));
}

bool LooksLikeGraph(const GraphDef& g) {
  if (g.node_size() == 0) return false;
  for (const auto& n : g.node())
    if (n.name().empty() || n.op().empty()) return false;
  return true;
}

int ProbeConfidence(const std::string& path) {
  if (EndsWith(path, "saved_model.pb") || EndsWith(path, "saved_model.pbtxt")) return 0;
  auto bytes = ReadFile(path);
  if (!bytes.ok()) return 0;
  GraphDef g;
  if (!ParseGraph(path, *bytes, &g) || !LooksLikeGraph(g)) return 0;
  return EndsWith(path, ".pb") || EndsWith(path, ".pbtxt") ? 90 : 60;
}

// Nodes nothing consumes (candidates for --output_arrays).
std::vector<std::string> Sinks(const GraphDef& g) {
  std::set<std::string> used;
  for (const auto& n : g.node())
    for (const auto& in : n.input()) used.insert(tf::ParseTensorName(in).node);
  std::vector<std::string> out;
  for (const auto& n : g.node())
    if (!used.count(n.name()) && n.op() != "NoOp" && n.op() != "Const" && n.op() != "Placeholder") out.push_back(n.name());
  return out;
}

}  // namespace

Status LoadGraphDefBytes(const TflcHostApi* host, const TflcOptions* options, const std::string& path,
                         const std::string& bytes, TflcModel* model) {
  GraphDef g;
  if (!ParseGraph(path, bytes, &g) || !LooksLikeGraph(g))
    return InvalidArgument("is not a valid TensorFlow GraphDef (neither binary nor text protobuf; truncated or corrupt?)");

  std::string in_arrays, out_arrays, in_shapes;
  sdk::GetOption(host, options, "input_arrays", &in_arrays);
  sdk::GetOption(host, options, "output_arrays", &out_arrays);
  const bool have_shapes = sdk::GetOption(host, options, "input_shapes", &in_shapes);

  tf::ImportSpec spec;
  for (const std::string& name : tf::Split(in_arrays, ',')) spec.inputs.push_back({name, "", std::nullopt});
  spec.inputs_listed = !spec.inputs.empty();
  if (have_shapes) {
    if (!spec.inputs_listed) return InvalidArgument("--input_shapes needs --input_arrays (one shape per input array)");
    TFLC_ASSIGN_OR_RETURN(auto shapes, tf::ParseInputShapes(in_shapes));
    if (shapes.size() != spec.inputs.size())
      return InvalidArgument("--input_shapes gives " + std::to_string(shapes.size()) + " shapes for " +
                             std::to_string(spec.inputs.size()) + " --input_arrays");
    for (size_t i = 0; i < shapes.size(); ++i) spec.inputs[i].shape = shapes[i];
  }
  for (const std::string& name : tf::Split(out_arrays, ',')) spec.outputs.push_back({name, name});
  if (spec.outputs.empty()) {
    std::vector<std::string> sinks = Sinks(g);
    return InvalidArgument("--output_arrays is required for a GraphDef (as for tflite_convert)" +
                           (sinks.empty() ? std::string() : "; nodes nothing consumes: " + tf::QuotedList(sinks)));
  }
  TFLC_ASSIGN_OR_RETURN(auto flat, tf::FlatGraph::Build(g, nullptr));
  TflcGraph* graph = host->Model_AddGraph(model, sdk::Sv("serving_default"));
  if (!graph) return Internal("the host could not create a graph");
  tf::VariableResolver no_vars = [](const tf::FlatNode& n, const sdk::GraphBuilder&) -> StatusOr<sdk::ValueView> {
    return FailedPrecondition(
        "a GraphDef has no checkpoint: freeze the graph first (variables become Const nodes), or convert the "
        "SavedModel with --saved_model_dir");
  };
  return tf::ImportGraph(*flat, spec, no_vars, sdk::GraphBuilder(host, graph));
}

namespace {

Status LoadGraphDef(const TflcHostApi* host, const TflcOptions* options, const std::string& path, TflcModel* model) {
  TFLC_ASSIGN_OR_RETURN(std::string bytes, ReadFile(path));
  return LoadGraphDefBytes(host, options, path, bytes, model);
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
      return Internal("graph_def: the host passed no model to load into");
    Status s = LoadGraphDef(args->host, args->options, path, args->model);
    if (!s.ok()) return Status(s.code(), path + ": " + s.message());
    return s;
  });
}

const TflcFrontend kFrontends[] = {{
    TflcFrontend_STRUCT_SIZE,
    "graph_def",
    "Frozen TensorFlow GraphDefs: binary .pb and text .pbtxt (--input_arrays, --output_arrays, --input_shapes)",
    "graph_def",
    Probe,
    Load,
    nullptr,
}};

const TflcPluginApi* Api() {
  static const TflcPluginApi api = [] {
    TflcPluginApi a = sdk::NewPluginApi("frontend_graphdef", "0.1.0", "Frozen TensorFlow GraphDef frontend");
    sdk::SetFrontends(a, kFrontends);
    return a;
  }();
  return &api;
}

}  // namespace
}  // namespace tflc::graphdef

extern "C" const TflcPluginApi* TflcFrontendGraphDef_Query(const TflcPluginQuery_Args* args) {
  return tflc::sdk::Negotiate(args, tflc::graphdef::Api());
}
