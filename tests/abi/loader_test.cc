// Plugin discovery and loading: bad libraries are skipped with one warning each, naming the file
// and the reason; good plugins in the same directory still load.
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include <boost/filesystem.hpp>
#include <gtest/gtest.h>

#include "ir/host_api.h"
#include "loader/loader.h"
#include "pipeline/passes.h"
#include "registry/registry.h"
#include "tflc/sdk/plugin.h"

namespace fs = boost::filesystem;

namespace {

class LoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / fs::unique_path("tflc-loader-%%%%%%");
    fs::create_directories(dir_);
    std::ofstream(dir_ / "garbage.so") << "this is not an ELF file\n";
    std::ofstream(dir_ / "empty.so");  // zero bytes
    for (const char* name : {"test_good_plugin", "test_no_entry", "test_declines_abi", "test_wrong_major"}) {
      fs::copy_file(fs::path(TFLC_TEST_PLUGIN_DIR) / (std::string("lib") + name + ".so"),
                    dir_ / (std::string("lib") + name + ".so"));
    }
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::vector<std::string> Load(tflc::host::Registry* registry) { return LoadDir(registry, dir_); }

  static std::vector<std::string> LoadDir(tflc::host::Registry* registry, const fs::path& dir) {
    std::vector<std::string> warnings;
    tflc::host::LoadPlugins(registry, {dir.string()}, [&](const std::string& w) { warnings.push_back(w); });
    return warnings;
  }

  // A fresh directory under dir_ holding copies of the named test plugins (lib<name>.so).
  fs::path DirWith(const std::string& sub, const std::vector<std::string>& names) {
    fs::path d = dir_ / sub;
    fs::create_directories(d);
    for (const std::string& name : names) {
      fs::copy_file(fs::path(TFLC_TEST_PLUGIN_DIR) / ("lib" + name + ".so"), d / ("lib" + name + ".so"));
    }
    return d;
  }

  static bool AnyContains(const std::vector<std::string>& v, const std::string& a, const std::string& b) {
    for (const auto& s : v) {
      if (s.find(a) != std::string::npos && s.find(b) != std::string::npos) return true;
    }
    return false;
  }

  fs::path dir_;
};

TEST_F(LoaderTest, WarnsForEachBadLibraryAndLoadsTheGoodOne) {
  tflc::host::Registry registry;
  std::vector<std::string> w = Load(&registry);
  ASSERT_EQ(w.size(), 5u) << "one warning per bad file";
  EXPECT_TRUE(AnyContains(w, (dir_ / "garbage.so").string(), "not a loadable shared library"));
  EXPECT_TRUE(AnyContains(w, (dir_ / "empty.so").string(), "not a loadable shared library"));
  EXPECT_TRUE(AnyContains(w, "libtest_no_entry.so", "no TflcPlugin_Query entry point"));
  EXPECT_TRUE(AnyContains(w, "libtest_declines_abi.so", "declined the host's ABI"));
  EXPECT_TRUE(AnyContains(w, "libtest_wrong_major.so", "ABI major version 2"));
  ASSERT_EQ(registry.plugins().size(), 1u);
  EXPECT_EQ(registry.plugins()[0]->name(), "test_good_plugin");
  EXPECT_NE(registry.FindOp(TFLC_DOMAIN_CUSTOM, "TestVendorOp"), nullptr);
}

// Plugins whose tables are too small or lack required callbacks are skipped, each with one warning
// naming the file, the struct or row, and the field; the good plugin beside them still loads.
TEST_F(LoaderTest, SkipsTablesThatAreTooSmallOrLackCallbacks) {
  struct Case {
    const char* plugin;
    std::vector<std::string> says;
  };
  const std::vector<Case> cases = {  // in file name order, the order they load in
      {"test_null_apply", {"quantizer 0 ('bad_table_quantizer') has a NULL Apply callback", "fix the plugin's table"}},
      {"test_null_infer_shape",
       {"opset entry 0 ('BadTableCustomOp') has a NULL InferShape callback", "fix the plugin's table"}},
      {"test_null_load", {"frontend 0 ('bad_table_frontend') has a NULL Load callback", "fix the plugin's table"}},
      {"test_null_lower",
       {"lowering row 1 ('BadTableOpB') has a NULL Lower callback", "only Match may be NULL", "fix the plugin's table"}},
      {"test_small_api", {"its TflcPluginApi has struct_size 16, smaller than ABI v1.0's", "TflcPluginApi_STRUCT_SIZE"}},
      {"test_small_row",
       {"lowering row 1 ('BadTableOpB') has struct_size 16, smaller than ABI v1.0's TflcLoweringEntry",
        "TflcLoweringEntry_STRUCT_SIZE"}},
  };
  std::vector<std::string> names = {"test_good_plugin"};
  for (const Case& c : cases) names.push_back(c.plugin);
  fs::path d = DirWith("bad_tables", names);
  tflc::host::Registry registry;
  std::vector<std::string> w = LoadDir(&registry, d);
  ASSERT_EQ(w.size(), cases.size()) << "one warning per bad file";
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].plugin);
    const std::string file = (d / ("lib" + std::string(cases[i].plugin) + ".so")).string();
    EXPECT_EQ(w[i].rfind("skipping " + file + ": ", 0), 0u) << w[i];
    for (const std::string& part : cases[i].says) EXPECT_NE(w[i].find(part), std::string::npos) << w[i];
  }
  ASSERT_EQ(registry.plugins().size(), 1u);
  EXPECT_EQ(registry.plugins()[0]->name(), "test_good_plugin");
  EXPECT_TRUE(registry.LoweringsFor("BadTableOpA").empty()) << "nothing of a skipped plugin is indexed";
  EXPECT_EQ(registry.FindOp(TFLC_DOMAIN_CUSTOM, "BadTableCustomOp"), nullptr);
  EXPECT_TRUE(registry.quantizers().empty());
  EXPECT_TRUE(registry.frontends().empty());
}

// Two plugins lowering the same op to the same target at the same priority: one warning at load
// naming both files and the op; the plugin loaded first (file name order) wins, at every load.
// The same for an op both define, and for duplicates inside one plugin.
TEST_F(LoaderTest, EqualPriorityRowsWarnNamingBothFilesAndFirstLoadedWins) {
  fs::path d = DirWith("dups", {"test_dup_rows_b", "test_dup_rows_a"});
  const std::string a = (d / "libtest_dup_rows_a.so").string();
  const std::string b = (d / "libtest_dup_rows_b.so").string();
  tflc::host::Registry registry;
  std::vector<std::string> w = LoadDir(&registry, d);
  ASSERT_EQ(registry.plugins().size(), 2u) << "conflicts are warnings: both plugins load";
  ASSERT_EQ(w.size(), 4u);
  EXPECT_EQ(w[0],
            "lowering conflict: plugin 'test_dup_rows_a' (" + a +
                ") has two rows for SelfDupOp → custom at priority 0 and the first has no Match, so lowering row 2 "
                "('SelfDupOp') is never used — give it a different priority, a Match on the first row, or remove it");
  EXPECT_EQ(w[1], "opset conflict: plugin 'test_dup_rows_a' (" + a +
                      ") defines custom op SelfDupCustomOp twice; opset entry 2 ('SelfDupCustomOp') is ignored — remove it");
  EXPECT_EQ(w[2], "lowering conflict: plugins 'test_dup_rows_a' (" + a + ") and 'test_dup_rows_b' (" + b +
                      ") both lower DupOp → custom at priority 5; 'test_dup_rows_a' (loaded first) is tried first — "
                      "give one row a higher priority");
  EXPECT_EQ(w[3], "opset conflict: plugins 'test_dup_rows_a' (" + a + ") and 'test_dup_rows_b' (" + b +
                      ") both define custom op DupCustomOp; keeping 'test_dup_rows_a' (loaded first) — remove the op "
                      "from one of them");

  std::vector<tflc::host::LoweringRef> rows = registry.LoweringsFor("DupOp");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].plugin->name(), "test_dup_rows_a");
  EXPECT_EQ(registry.FindOp(TFLC_DOMAIN_CUSTOM, "DupCustomOp")->plugin->name(), "test_dup_rows_a");

  // And a conversion uses a's row.
  TflcModel model;
  TflcGraph* g = tflc::host::AddGraph(&model, "serving_default");
  tflc::sdk::GraphBuilder gb(tflc::host::HostApi(), g);
  auto x = gb.Input("x", TFLC_TYPE_FLOAT32, {1, 3});
  auto n = gb.Source("DupOp", "dup", {*x});
  ASSERT_TRUE(gb.Output(n->output(0), "y").ok());
  TflcOptions options;
  options.values["allow_custom_ops"] = "true";
  tflc::host::PassContext ctx{&registry, &options};
  ASSERT_TRUE(tflc::host::LowerGraph(ctx, g).ok());
  ASSERT_EQ(gb.num_nodes(), 1u);
  EXPECT_EQ(gb.node(0).op(), "DupFromA");
}

TEST_F(LoaderTest, SameDirectoryTwiceLoadsOnce) {
  tflc::host::Registry registry;
  std::vector<std::string> warnings;
  tflc::host::LoadPlugins(&registry, {dir_.string(), dir_.string()},
                          [&](const std::string& w) { warnings.push_back(w); });
  EXPECT_EQ(registry.plugins().size(), 1u);
}

TEST(PluginSearchPath, FlagsThenEnvironmentThenInstallDir) {
  ::setenv("TFLC_PLUGIN_PATH", "/env/a:/env/b", 1);
  std::vector<std::string> p = tflc::host::PluginSearchPath({"/flag"});
  ::unsetenv("TFLC_PLUGIN_PATH");
  ASSERT_GE(p.size(), 4u);
  EXPECT_EQ(p[0], "/flag");
  EXPECT_EQ(p[1], "/env/a");
  EXPECT_EQ(p[2], "/env/b");
  EXPECT_NE(p[3].find("lib/tflc/plugins"), std::string::npos);
}

}  // namespace
