// Probe: 90 for HDF5 files and .keras archives, 0 for anything else; never fails.
#include <fstream>
#include <iterator>

#include "test_util.h"

namespace tflc::keras::testing {
namespace {

TEST(Probe, Hdf5AndKerasArchives) {
  REQUIRE_MODELS();
  EXPECT_EQ(Probe(Model("conv2d")), 90);
  EXPECT_EQ(Probe(Model("keras3_functional")), 90);
  EXPECT_EQ(Probe(Model("conv2d"), "keras"), 90);
  // An HDF5 file is ours even when it is not a full model: Load explains what is wrong.
  EXPECT_EQ(Probe(Model("bad_weights_only")), 90);
  EXPECT_EQ(Probe(Model("bad_truncated")), 90);
}

TEST(Probe, OtherFiles) {
  REQUIRE_MODELS();
  EXPECT_EQ(Probe(Model("bad_not_hdf5")), 0);
  EXPECT_EQ(Probe(Model("bad_empty")), 0);
  EXPECT_EQ(Probe(::testing::TempDir() + "/no_such_file.h5"), 0);
  EXPECT_EQ(Probe(::testing::TempDir()), 0);
  EXPECT_EQ(Probe(Model("conv2d"), "saved_model"), 0);
}

TEST(Probe, UserBlock) {
  REQUIRE_MODELS();
  // The HDF5 signature may follow a user block of 512, 1024, ... bytes.
  std::ifstream in(Model("conv2d"), std::ios::binary);
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string p = ::testing::TempDir() + "/keras_userblock.h5";
  std::ofstream out(p, std::ios::binary);
  out << std::string(1024, 'x') << data;
  out.close();
  EXPECT_EQ(Probe(p), 90);
}

}  // namespace
}  // namespace tflc::keras::testing
