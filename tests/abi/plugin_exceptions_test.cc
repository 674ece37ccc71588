// A plugin written against the raw C ABI (no tflc::sdk::Guard) whose callbacks throw C++ exceptions:
// the host catches each at the call site and reports an INTERNAL error naming the node, the plugin
// and its file, the callback and the row, and says what to do; nothing terminates. The test plugin
// is tests/abi/plugins/throwing_plugin.cc; it is loaded with dlopen exactly as `tflc` loads it.
#include <fstream>
#include <string>
#include <vector>

#include <boost/filesystem.hpp>
#include <gtest/gtest.h>

#include "driver/converter.h"
#include "export/exporter.h"
#include "ir/host_api.h"
#include "loader/loader.h"
#include "pipeline/passes.h"
#include "quant/quantize.h"
#include "registry/registry.h"
#include "tflc/sdk/plugin.h"

namespace fs = boost::filesystem;

namespace {

class PluginExceptionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / fs::unique_path("tflc-throwing-%%%%%%");
    fs::create_directories(dir_ / "plugins");
    file_ = (dir_ / "plugins" / "libtest_throwing_plugin.so").string();
    fs::copy_file(fs::path(TFLC_TEST_PLUGIN_DIR) / "libtest_throwing_plugin.so", file_);
    registry_ = std::make_unique<tflc::host::Registry>();
    std::vector<std::string> warnings;
    tflc::host::LoadPlugins(registry_.get(), {(dir_ / "plugins").string()},
                            [&](const std::string& w) { warnings.push_back(w); });
    ASSERT_TRUE(warnings.empty()) << warnings.front();
    ASSERT_EQ(registry_->plugins().size(), 1u);
    options_.values["allow_custom_ops"] = "true";
    graph_ = tflc::host::AddGraph(&model_, "serving_default");
    model_.registry = registry_.get();
  }
  void TearDown() override {
    ::testing::internal::CaptureStderr();  // Destroy throws too: see DestroyThatThrowsIsReported
    registry_.reset();
    ::testing::internal::GetCapturedStderr();
    fs::remove_all(dir_);
  }

  tflc::sdk::GraphBuilder Builder() { return tflc::sdk::GraphBuilder(tflc::host::HostApi(), graph_); }
  tflc::host::PassContext Ctx() { return tflc::host::PassContext{registry_.get(), &options_}; }

  // The message names the plugin and its file, says it failed unexpectedly in `callback` of `row`,
  // carries the exception's text and says what to do.
  void ExpectPluginThrew(const tflc::Status& st, const std::string& callback_of_row, const std::string& what) {
    EXPECT_EQ(st.code(), TFLC_CODE_INTERNAL) << st.message();
    const std::string& m = st.message();
    EXPECT_NE(m.find("plugin 'test_throwing_plugin' (" + file_ + ") failed unexpectedly: its " + callback_of_row +
                     " threw a C++ exception (" + what + "), which must never cross the C ABI"),
              std::string::npos)
        << m;
    EXPECT_NE(m.find("This is a bug in the plugin: report it to its authors, or remove it from the plugin path"),
              std::string::npos)
        << m;
  }

  fs::path dir_;
  std::string file_;
  std::unique_ptr<tflc::host::Registry> registry_;
  TflcOptions options_;
  TflcModel model_;
  TflcGraph* graph_ = nullptr;
};

TEST_F(PluginExceptionsTest, LowerThatThrowsFailsTheConversionNamingPluginFileRowAndNode) {
  auto b = Builder();
  auto x = b.Input("x", TFLC_TYPE_FLOAT32, {1, 3});
  auto n = b.Source("ThrowingOp", "thrower", {*x});
  ASSERT_TRUE(b.Output(n->output(0), "y").ok());
  tflc::Status st = tflc::host::LowerGraph(Ctx(), graph_);
  EXPECT_EQ(st.message(),
            "node `thrower` (ThrowingOp): plugin 'test_throwing_plugin' (" + file_ +
                ") failed unexpectedly: its Lower callback of lowering row 'ThrowingOp' threw a C++ exception "
                "(ThrowingPlugin: Lower exploded), which must never cross the C ABI (plugins built with the tflc "
                "SDK wrap every callback in tflc::sdk::Guard). This is a bug in the plugin: report it to its "
                "authors, or remove it from the plugin path (`tflc plugins` lists what is loaded)");
  ExpectPluginThrew(st, "Lower callback of lowering row 'ThrowingOp'", "ThrowingPlugin: Lower exploded");
}

TEST_F(PluginExceptionsTest, MatchThatThrowsANonStdExceptionIsCaughtToo) {
  auto b = Builder();
  auto x = b.Input("x", TFLC_TYPE_FLOAT32, {1, 3});
  auto n = b.Source("ThrowingMatchOp", "matcher", {*x});
  ASSERT_TRUE(b.Output(n->output(0), "y").ok());
  tflc::Status st = tflc::host::LowerGraph(Ctx(), graph_);
  ExpectPluginThrew(st, "Match callback of lowering row 'ThrowingMatchOp'", "not a std::exception");
  EXPECT_EQ(st.message().rfind("node `matcher` (ThrowingMatchOp): ", 0), 0u) << st.message();
}

TEST_F(PluginExceptionsTest, InferShapeThatThrows) {
  auto b = Builder();
  auto x = b.Input("x", TFLC_TYPE_FLOAT32, {1, 3});
  auto n = b.AddNode(TFLC_DOMAIN_CUSTOM, "ThrowShape", "shaper", {*x});
  ASSERT_TRUE(b.Output(n->output(0), "y").ok());
  tflc::Status st = tflc::host::InferShapes(Ctx(), graph_);
  ExpectPluginThrew(st, "InferShape callback of opset entry 'ThrowShape'", "ThrowingPlugin: InferShape exploded");
  EXPECT_EQ(st.message().rfind("node `shaper` (ThrowShape): ", 0), 0u) << st.message();
}

TEST_F(PluginExceptionsTest, EvaluateThatThrowsWhileFolding) {
  auto b = Builder();
  auto c = b.ConstFloat("c", {1, 3}, {1, 2, 3});
  auto n = b.AddNode(TFLC_DOMAIN_CUSTOM, "ThrowEval", "folder", {*c});
  ASSERT_TRUE(b.Output(n->output(0), "y").ok());
  tflc::Status st = tflc::host::InferShapes(Ctx(), graph_);  // folds constant nodes
  ExpectPluginThrew(st, "Evaluate callback of opset entry 'ThrowEval'", "ThrowingPlugin: Evaluate exploded");
  EXPECT_NE(st.message().find("node `folder` (ThrowEval): plugin"), std::string::npos) << st.message();
}

TEST_F(PluginExceptionsTest, VersionThatThrowsAtExportWritesNoOutput) {
  auto b = Builder();
  auto x = b.Input("x", TFLC_TYPE_FLOAT32, {1, 3});
  auto n = b.AddNode(TFLC_DOMAIN_CUSTOM, "ThrowVersion", "versioned", {*x});
  ASSERT_TRUE(b.Output(n->output(0), "y").ok());
  ASSERT_TRUE(tflc::host::InferShapes(Ctx(), graph_).ok());
  tflc::host::ExportOptions eo;
  eo.allow_custom_ops = true;
  const std::string out = (dir_ / "out.tflite").string();
  tflc::Status st = tflc::host::ExportToFile(*registry_, &model_, eo, out);
  ExpectPluginThrew(st, "Version callback of opset entry 'ThrowVersion'", "ThrowingPlugin: Version exploded");
  EXPECT_NE(st.message().find("node `versioned` (ThrowVersion)"), std::string::npos) << st.message();
  EXPECT_FALSE(fs::exists(out));
  for (fs::directory_iterator it(dir_), end; it != end; ++it) {
    EXPECT_EQ(it->path().filename().string().find("out.tflite"), std::string::npos) << "left " << it->path();
  }
}

TEST_F(PluginExceptionsTest, FrontendLoadAndProbeThatThrow) {
  const std::string model = (dir_ / "model.throwing").string();
  std::ofstream(model) << "x";
  auto loaded = tflc::host::LoadSourceModel(*registry_, model, "", options_);
  ASSERT_FALSE(loaded.ok());
  ExpectPluginThrew(loaded.status(), "Load callback of frontend 'throwing'", "ThrowingPlugin: Load exploded");
  EXPECT_EQ(loaded.status().message().rfind(model + ": ", 0), 0u) << loaded.status().message();

  const std::string probe = (dir_ / "model.throw-probe").string();
  std::ofstream(probe) << "x";
  loaded = tflc::host::LoadSourceModel(*registry_, probe, "", options_);
  ASSERT_FALSE(loaded.ok());
  ExpectPluginThrew(loaded.status(), "Probe callback of frontend 'throwing'", "ThrowingPlugin: Probe exploded");
}

TEST_F(PluginExceptionsTest, QuantizerApplyThatThrows) {
  auto b = Builder();
  auto x = b.Input("x", TFLC_TYPE_FLOAT32, {1, 3});
  ASSERT_TRUE(b.Output(*x, "y").ok());
  tflc::host::QuantizerChoice choice;
  choice.name = "throwing";
  tflc::Status st = tflc::host::Quantize(Ctx(), &model_, choice, /*progress=*/false);
  ExpectPluginThrew(st, "Apply callback of quantizer 'throwing'", "ThrowingPlugin: Apply exploded");
}

// Calibration runs the opset kernels on worker threads, where an escaping exception would terminate
// the process.
TEST_F(PluginExceptionsTest, EvaluateThatThrowsDuringCalibrationOnWorkerThreads) {
  auto b = Builder();
  auto x = b.Input("x", TFLC_TYPE_FLOAT32, {1, 3});
  auto n = b.AddNode(TFLC_DOMAIN_CUSTOM, "ThrowEval", "kernel", {*x});
  ASSERT_TRUE(b.Output(n->output(0), "y").ok());
  ASSERT_TRUE(tflc::host::InferShapes(Ctx(), graph_).ok());
  // A directory of .npy samples, one per file: float32 [1, 3].
  const fs::path samples = dir_ / "samples";
  fs::create_directories(samples);
  for (int i = 0; i < 8; ++i) {
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3), }";
    header.append(64 - (10 + header.size() + 1) % 64, ' ');
    header += '\n';
    std::ofstream f((samples / ("s" + std::to_string(i) + ".npy")).string(), std::ios::binary);
    f.write("\x93NUMPY\x01\x00", 8);
    const char len[2] = {static_cast<char>(header.size() & 0xff), static_cast<char>(header.size() >> 8)};
    f.write(len, 2);
    f << header;
    const float v[3] = {1.0f * i, 2.0f, 3.0f};
    f.write(reinterpret_cast<const char*>(v), sizeof(v));
  }
  options_.values["representative_dataset"] = samples.string();
  tflc::host::QuantizerChoice choice;
  choice.name = "throwing_calibrated";
  tflc::Status st = tflc::host::Quantize(Ctx(), &model_, choice, /*progress=*/false);
  ExpectPluginThrew(st, "Evaluate callback of opset entry 'ThrowEval'", "ThrowingPlugin: Evaluate exploded");
  EXPECT_NE(st.message().find("node `kernel` (ThrowEval): plugin"), std::string::npos) << st.message();
}

TEST_F(PluginExceptionsTest, DestroyThatThrowsIsReportedNotFatal) {
  ::testing::internal::CaptureStderr();
  registry_.reset();  // runs the plugin's Destroy, which throws
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("tflc: warning: plugin 'test_throwing_plugin' (" + file_ +
                     ") failed unexpectedly: its Destroy callback threw a C++ exception (ThrowingPlugin: Destroy "
                     "exploded)"),
            std::string::npos)
      << err;
}

// An entry point or Create that throws: the loader skips that file with one warning naming it, and
// loads the others.
TEST(PluginExceptionsAtLoad, QueryOrCreateThatThrowsSkipsTheFile) {
  fs::path dir = fs::temp_directory_path() / fs::unique_path("tflc-throws-at-load-%%%%%%");
  fs::create_directories(dir);
  for (const char* name : {"test_good_plugin", "test_throws_in_create", "test_throws_in_query"}) {
    fs::copy_file(fs::path(TFLC_TEST_PLUGIN_DIR) / (std::string("lib") + name + ".so"),
                  dir / (std::string("lib") + name + ".so"));
  }
  tflc::host::Registry registry;
  std::vector<std::string> w;
  tflc::host::LoadPlugins(&registry, {dir.string()}, [&](const std::string& m) { w.push_back(m); });
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0], "skipping " + (dir / "libtest_throws_in_create.so").string() +
                      ": plugin 'test_throws_in_create' (" +
                      (dir / "libtest_throws_in_create.so").string() +
                      ") failed unexpectedly: its Create callback threw a C++ exception (ThrowsAtLoad: Create "
                      "exploded), which must never cross the C ABI (plugins built with the tflc SDK wrap every "
                      "callback in tflc::sdk::Guard). This is a bug in the plugin: report it to its authors, or "
                      "remove it from the plugin path (`tflc plugins` lists what is loaded)");
  EXPECT_EQ(w[1], "skipping " + (dir / "libtest_throws_in_query.so").string() +
                      ": TflcPlugin_Query threw a C++ exception (ThrowsAtLoad: Query exploded), which must never "
                      "cross the C ABI. This is a bug in the plugin: report it to its authors, or remove it from the "
                      "plugin path");
  ASSERT_EQ(registry.plugins().size(), 1u);
  EXPECT_EQ(registry.plugins()[0]->name(), "test_good_plugin");
  fs::remove_all(dir);
}

}  // namespace
