// Fuzz target: the GraphDef frontend (plugins/frontend_graphdef + tf_common): binary and text
// GraphDef parsing, function inlining (FlatGraph), pruning, cycle detection, TensorProto decoding
// of Const nodes and attribute conversion (ImportGraph), into the real host IR (FakeHost).
// The input is the .pb / .pbtxt file; the options are chosen from it as a user would (the outputs
// are nodes nothing consumes, like the error message suggests).
#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include "frontend.h"
#include "fuzz_util.h"
#include "graph.pb.h"
#include "tflc/testing/fake_host.h"

namespace {

struct Quiet : google::protobuf::io::ErrorCollector {
  void AddError(int, int, const std::string&) override {}
};

// Output and input arrays for the input (only to choose options; the frontend parses on its own).
void ChooseArrays(const std::string& bytes, std::string* outputs, std::string* inputs) {
  tflc::tf::GraphDef g;
  if (!g.ParseFromString(bytes)) {
    g.Clear();
    google::protobuf::TextFormat::Parser parser;
    Quiet quiet;
    parser.RecordErrorsTo(&quiet);
    parser.AllowUnknownField(true);
    if (!parser.ParseFromString(bytes, &g)) return;
  }
  std::set<std::string> used;
  for (const auto& n : g.node())
    for (const auto& in : n.input()) used.insert(in.substr(in[0] == '^' ? 1 : 0, in.rfind(':')));
  int count = 0;
  for (const auto& n : g.node()) {
    if (!used.count(n.name()) && count < 4) {
      *outputs += (count++ ? "," : "") + n.name();
    }
    if (n.op() == "Placeholder" && inputs->size() < 256) *inputs += (inputs->empty() ? "" : ",") + n.name();
  }
  if (outputs->empty() && g.node_size() > 0) *outputs = g.node(g.node_size() - 1).name();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  tflc::fuzz::QuietProtobufLogs();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  const std::string path = tflc::fuzz::LooksLikeText(data, size) ? "fuzz.pbtxt" : "fuzz.pb";
  std::string outputs, inputs;
  ChooseArrays(bytes, &outputs, &inputs);
  {
    // As given by the user: outputs only (every reached Placeholder becomes an input).
    tflc::testing::FakeHost h;
    if (!outputs.empty()) h.SetOption("output_arrays", outputs);
    tflc::Status s = tflc::graphdef::LoadGraphDefBytes(h.api(), h.options(), path, bytes, h.model());
    if (!s.ok() && s.message().empty()) __builtin_trap();  // a failure must say why
  }
  if (!inputs.empty() && !outputs.empty()) {
    // With --input_arrays and --input_shapes (one scalar-or-vector shape per input).
    tflc::testing::FakeHost h;
    h.SetOption("output_arrays", outputs);
    h.SetOption("input_arrays", inputs);
    std::string shapes;
    for (size_t i = 0, n = std::count(inputs.begin(), inputs.end(), ',') + 1; i < n; ++i)
      shapes += (i ? ":" : "") + std::string(size % 2 ? "1,4" : "2");
    h.SetOption("input_shapes", shapes);
    tflc::Status s = tflc::graphdef::LoadGraphDefBytes(h.api(), h.options(), path, bytes, h.model());
    if (!s.ok() && s.message().empty()) __builtin_trap();
  }
  return 0;
}
