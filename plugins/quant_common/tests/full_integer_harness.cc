#include "full_integer_harness.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

// opset_builtin's query (plugins/opset_builtin/src/opset_builtin.h; that directory is private to it).
extern "C" const TflcPluginApi* TflcOpsetBuiltin_Query(const TflcPluginQuery_Args* args);

namespace tflc::quant::testing {

namespace fs = std::filesystem;

namespace {

// A version 1.0 .npy of float32 data (numpy's header layout: padded to 64 bytes, '\n' last).
std::string NpyF32(const Dims& dims, const std::vector<float>& data) {
  std::string shape = "(";
  for (size_t i = 0; i < dims.size(); ++i) shape += (i ? ", " : "") + std::to_string(dims[i]);
  if (dims.size() == 1) shape += ",";
  shape += ")";
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out = "\x93NUMPY";
  out += '\x01';
  out += '\0';
  out += static_cast<char>(header.size() & 0xFF);
  out += static_cast<char>((header.size() >> 8) & 0xFF);
  out += header;
  out.append(reinterpret_cast<const char*>(data.data()), data.size() * sizeof(float));
  return out;
}

}  // namespace

std::string WriteNpyDir(const std::string& tag, const Dims& dims, const std::vector<std::vector<float>>& samples) {
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = tag;
  if (info) name = std::string(info->test_suite_name()) + "." + info->name() + "." + tag;
  for (char& c : name) {
    if (c == '/') c = '_';
  }
  const fs::path dir = fs::path(::testing::TempDir()) / ("tflc_quant_int8_" + name);
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir);
  for (size_t i = 0; i < samples.size(); ++i) {
    char file[32];
    std::snprintf(file, sizeof(file), "sample_%04zu.npy", i);
    std::ofstream f(dir / file, std::ios::binary);
    const std::string bytes = NpyF32(dims, samples[i]);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  return dir.string();
}


std::vector<std::vector<float>> Samples(size_t count, size_t n, float lo, float hi, uint32_t seed) {
  std::vector<std::vector<float>> out;
  for (size_t s = 0; s < count; ++s) {
    std::vector<float> v = SeededFloats(n, seed + static_cast<uint32_t>(s), hi - lo);
    for (float& x : v) x = std::clamp(x + (hi + lo) / 2, lo, hi);
    out.push_back(v);
  }
  out[0][0] = lo;
  out[1 % count][n - 1] = hi;
  return out;
}

void FullIntegerTest::Init(TflcPluginQueryFn quantizer, const std::string& origin) {
  Status s = host_.Register(TflcOpsetBuiltin_Query, "opset_builtin (in-process)");
  ASSERT_TRUE(s.ok()) << s;
  s = host_.Register(quantizer, origin);
  ASSERT_TRUE(s.ok()) << s;
  host_.SetOption("optimizations", "DEFAULT");
}

ValueView FullIntegerTest::Input(const std::string& name, const Dims& dims) {
  auto v = g().Input(name, TFLC_TYPE_FLOAT32, dims);
  EXPECT_TRUE(v.ok()) << v.status();
  return v.ok() ? *v : ValueView();
}

ValueView FullIntegerTest::Const(const std::string& name, const Dims& dims, const std::vector<float>& v) {
  auto c = g().ConstFloat(name, dims, v);
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? *c : ValueView();
}

ValueView FullIntegerTest::ConstInt32(const std::string& name, const Dims& dims, const std::vector<int32_t>& v) {
  auto c = g().ConstInt32(name, dims, v);
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? *c : ValueView();
}

NodeView FullIntegerTest::Op(const std::string& op, const std::string& name, const std::vector<ValueView>& in,
                             const std::vector<Attr>& attrs) {
  auto n = g().Builtin(op, name, in);
  EXPECT_TRUE(n.ok()) << n.status();
  if (!n.ok()) return NodeView();
  for (const Attr& a : attrs) {
    Status s = a.is_float ? n->SetFloat(a.name, a.value) : n->SetInt(a.name, static_cast<int64_t>(a.value));
    EXPECT_TRUE(s.ok()) << op << " " << a.name << ": " << s;
  }
  return *n;
}

void FullIntegerTest::Output(const ValueView& v, const std::string& name) {
  Status s = g().Output(v, name);
  EXPECT_TRUE(s.ok()) << s;
}

void FullIntegerTest::Prepare(const Dims& dims, const std::vector<std::vector<float>>& samples) {
  Status s = host_.RunPipeline();
  ASSERT_TRUE(s.ok()) << s << "\n" << Dump();
  float_outputs_.clear();
  for (const auto& x : samples) {
    auto out = host_.Interpret({HostTensor::Float(dims, x)});
    ASSERT_TRUE(out.ok()) << out.status();
    std::vector<std::vector<float>> ys;
    for (const HostTensor& t : *out) ys.push_back(t.floats());
    float_outputs_.push_back(std::move(ys));
  }
  host_.SetOption("representative_dataset", WriteNpyDir("dataset", dims, samples));
}

std::pair<float, float> FullIntegerTest::OutputRange(size_t k) const {
  float lo = INFINITY, hi = -INFINITY;
  for (const auto& ys : float_outputs_) {
    for (float y : ys[k]) {
      lo = std::min(lo, y);
      hi = std::max(hi, y);
    }
  }
  return {lo, hi};
}

std::vector<NodeView> FullIntegerTest::Nodes(const std::string& op) {
  std::vector<NodeView> out;
  for (size_t i = 0; i < g().num_nodes(); ++i) {
    if (g().node(i).op() == op) out.push_back(g().node(i));
  }
  return out;
}

NodeView FullIntegerTest::Only(const std::string& op) {
  auto n = Nodes(op);
  EXPECT_EQ(n.size(), 1u) << "nodes of " << op << " in\n" << Dump();
  return n.size() == 1 ? n[0] : NodeView();
}

Params Int8Params(double lo, double hi) {
  lo = std::min(lo, 0.0);
  hi = std::max(hi, 0.0);
  const double scale = (hi - lo) / 255.0;
  const double zp = -128.0 - lo / scale;
  const int64_t nudged = zp <= -128 ? -128 : zp >= 127 ? 127 : static_cast<int64_t>(std::round(zp));
  return {static_cast<float>(scale), nudged};
}

Params Int16Params(double lo, double hi) {
  const double a = std::max(std::fabs(lo), std::fabs(hi));
  return {static_cast<float>(a / 32767.0), 0};
}

::testing::AssertionResult HasParams(const ValueView& v, float scale, int64_t zero_point) {
  const ValueView::Quant q = v.quant();
  if (q.scales.size() != 1 || q.zero_points.size() != 1) {
    return ::testing::AssertionFailure() << "'" << v.name() << "' has " << q.scales.size() << " scales";
  }
  const float tol = std::max(1e-6f * std::fabs(scale), 1e-12f);
  if (std::fabs(q.scales[0] - scale) > tol || q.zero_points[0] != zero_point) {
    return ::testing::AssertionFailure() << "'" << v.name() << "' has scale " << q.scales[0] << " zero point "
                                         << q.zero_points[0] << ", expected " << scale << " / " << zero_point;
  }
  return ::testing::AssertionSuccess();
}

}  // namespace tflc::quant::testing
