#include "test_util.h"

#include <sys/stat.h>

#include <cmath>
#include <cstring>
#include <sstream>

#include "frontend.h"

namespace tflc::keras::testing {

namespace {

bool Exists(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0;
}

const TflcFrontend& Frontend(const TflcHostApi* host) {
  TflcPluginQuery_Args q{};
  q.struct_size = TflcPluginQuery_Args_STRUCT_SIZE;
  q.host_abi_major = TFLC_ABI_VERSION_MAJOR;
  q.host_abi_minor = TFLC_ABI_VERSION_MINOR;
  q.host = host;
  const TflcPluginApi* api = TflcFrontendKerasH5_Query(&q);
  return api->frontends[0];
}

// Lines of Dump() starting with `prefix` ("  input ", "  output "): the signature names.
std::vector<std::string> DumpNames(const std::string& dump, const std::string& prefix) {
  std::vector<std::string> out;
  std::istringstream in(dump);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) != 0) continue;
    std::string rest = line.substr(prefix.size());
    out.push_back(rest.substr(0, rest.find(':')));
  }
  return out;
}

}  // namespace

std::string ModelsDir() {
#ifdef TFLC_KERAS_TEST_MODELS_DIR
  if (Exists(std::string(TFLC_KERAS_TEST_MODELS_DIR) + "/manifest.json")) return TFLC_KERAS_TEST_MODELS_DIR;
#endif
  return "";
}

std::string Model(const std::string& name) {
  std::string base = ModelsDir() + "/" + name;
  if (Exists(base + ".keras")) return base + ".keras";
  return base + ".h5";
}

std::string SharedModelsDir() {
#ifdef TFLC_SHARED_MODELS_DIR
  if (Exists(std::string(TFLC_SHARED_MODELS_DIR) + "/MANIFEST.md")) return TFLC_SHARED_MODELS_DIR;
#endif
  return "";
}

Loaded::Loaded(const std::string& path, const std::string& format, TflcPluginQueryFn extra)
    : host_(std::make_unique<tflc::testing::FakeHost>()) {
  if (extra) status_ = host_->Register(extra, "extra");
  if (status_.ok()) status_ = host_->Register(&TflcFrontendKerasH5_Query, "frontend_keras_h5");
  if (status_.ok()) status_ = host_->LoadModel(path, format);
}

std::vector<std::string> Loaded::Ops() {
  std::vector<std::string> ops;
  GraphBuilder gb = g();
  for (size_t i = 0; i < gb.num_nodes(); ++i) ops.emplace_back(gb.node(i).op());
  return ops;
}

int Loaded::Count(const std::string& op) {
  int n = 0;
  for (const auto& o : Ops()) n += o == op;
  return n;
}

bool Loaded::HasNode(const std::string& name) {
  GraphBuilder gb = g();
  for (size_t i = 0; i < gb.num_nodes(); ++i)
    if (gb.node(i).name() == name) return true;
  return false;
}

NodeView Loaded::Node(const std::string& name) {
  GraphBuilder gb = g();
  for (size_t i = 0; i < gb.num_nodes(); ++i)
    if (gb.node(i).name() == name) return gb.node(i);
  ADD_FAILURE() << "no node named '" << name << "' in\n" << host_->Dump();
  return NodeView();
}

ValueView Loaded::Input(const std::string& name, size_t i) {
  NodeView n = Node(name);
  if (!n) return ValueView();
  if (i >= n.num_inputs()) {
    ADD_FAILURE() << "node '" << name << "' has no input " << i;
    return ValueView();
  }
  return n.input(i);
}

std::vector<int64_t> Loaded::InDims(const std::string& name, size_t i) {
  ValueView v = Input(name, i);
  if (!v) return {};
  return v.dims();
}

std::vector<int64_t> Loaded::Ints(const std::string& node, const std::string& attr) {
  NodeView n = Node(node);
  if (!n) return {};
  auto v = n.IntListAttr(attr);
  EXPECT_TRUE(v.ok()) << node << "." << attr << ": " << v.status();
  return v.ok() ? *v : std::vector<int64_t>{};
}

std::string Loaded::Str(const std::string& node, const std::string& attr) {
  NodeView n = Node(node);
  if (!n) return "";
  auto v = n.StringAttr(attr);
  EXPECT_TRUE(v.ok()) << node << "." << attr << ": " << v.status();
  return v.ok() ? *v : "";
}

double Loaded::Float(const std::string& node, const std::string& attr) {
  NodeView n = Node(node);
  if (!n) return 0;
  auto v = n.FloatAttr(attr);
  EXPECT_TRUE(v.ok()) << node << "." << attr << ": " << v.status();
  return v.ok() ? *v : 0;
}

int64_t Loaded::Int(const std::string& node, const std::string& attr) {
  NodeView n = Node(node);
  if (!n) return 0;
  auto v = n.IntAttr(attr);
  EXPECT_TRUE(v.ok()) << node << "." << attr << ": " << v.status();
  return v.ok() ? *v : 0;
}

std::vector<std::string> Loaded::InputSignatures() { return DumpNames(host_->Dump(), "  input "); }
std::vector<std::string> Loaded::OutputSignatures() { return DumpNames(host_->Dump(), "  output "); }

Status LoadDirect(const std::string& path) {
  tflc::testing::FakeHost host;
  const TflcFrontend& fe = Frontend(host.api());
  TflcFrontendLoad_Args a{};
  a.struct_size = TflcFrontendLoad_Args_STRUCT_SIZE;
  a.host = host.api();
  a.path = sdk::Sv(path);
  a.format = sdk::Sv("keras");
  a.options = host.options();
  a.model = host.model();
  TflcStatus* s = fe.Load(&a);
  if (!s) return OkStatus();
  Status out(host.api()->Status_Code(s), std::string(sdk::Str(host.api()->Status_Message(s))));
  host.api()->Status_Destroy(s);
  return out;
}

int Probe(const std::string& path, const std::string& format) {
  tflc::testing::FakeHost host;
  const TflcFrontend& fe = Frontend(host.api());
  TflcFrontendProbe_Args a{};
  a.struct_size = TflcFrontendProbe_Args_STRUCT_SIZE;
  a.host = host.api();
  a.path = sdk::Sv(path);
  a.format = sdk::Sv(format);
  a.confidence = -1;
  TflcStatus* s = fe.Probe(&a);
  if (s) {
    ADD_FAILURE() << "Probe returned an error: " << sdk::Str(host.api()->Status_Message(s));
    host.api()->Status_Destroy(s);
  }
  return a.confidence;
}

std::vector<int32_t> I32(const ValueView& v) {
  if (!v) return {};
  auto r = v.ConstVector<int32_t>();
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : std::vector<int32_t>{};
}

std::vector<float> F32(const ValueView& v) {
  if (!v) return {};
  auto r = v.ConstVector<float>();
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : std::vector<float>{};
}

float First(const ValueView& v) {
  std::vector<float> f = F32(v);
  if (f.empty()) {
    ADD_FAILURE() << "empty or missing constant";
    return std::nanf("");
  }
  return f[0];
}

}  // namespace tflc::keras::testing
