// Plugin discovery and loading: bad libraries are skipped with one warning each, naming the file
// and the reason; good plugins in the same directory still load.
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include <boost/filesystem.hpp>
#include <gtest/gtest.h>

#include "loader/loader.h"
#include "registry/registry.h"

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

  std::vector<std::string> Load(tflc::host::Registry* registry) {
    std::vector<std::string> warnings;
    tflc::host::LoadPlugins(registry, {dir_.string()}, [&](const std::string& w) { warnings.push_back(w); });
    return warnings;
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
