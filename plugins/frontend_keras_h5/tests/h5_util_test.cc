// HDF5 helpers: both string encodings, split attributes, snake_case names, sniffing.
#include "h5_util.h"

#include "keras_file.h"
#include "test_util.h"
#include "weights.h"

namespace tflc::keras::testing {
namespace {

TEST(H5Util, FixedAndVariableLengthStringLists) {
  REQUIRE_MODELS();
  ScopedH5Silence silence;
  {
    auto f = OpenH5File(Model("conv2d"));  // fixed-length (numpy bytes arrays)
    ASSERT_TRUE(f.ok()) << f.status();
    H5Id g = OpenGroup(f->get(), "model_weights");
    auto names = ReadStringListAttr(g.get(), "layer_names");
    ASSERT_TRUE(names.ok()) << names.status();
    EXPECT_EQ(*names, (std::vector<std::string>{"image", "conv_same_relu", "conv_stride2_nobias", "conv_dilated"}));
    auto version = ReadStringAttr(f->get(), "keras_version");  // a variable-length str
    ASSERT_TRUE(version.ok());
    EXPECT_EQ(*version, "2.8.0");
    H5Id input = OpenGroup(f->get(), "model_weights/image");
    auto none = ReadStringListAttr(input.get(), "weight_names");  // empty list
    ASSERT_TRUE(none.ok()) << none.status();
    EXPECT_TRUE(none->empty());
  }
  {
    auto f = OpenH5File(Model("sequential_vlen_split"));  // vlen strings, layer_names0/1
    ASSERT_TRUE(f.ok()) << f.status();
    H5Id g = OpenGroup(f->get(), "model_weights");
    bool found = false;
    auto names = ReadStringListAttr(g.get(), "layer_names", &found);
    ASSERT_TRUE(names.ok()) << names.status();
    EXPECT_TRUE(found);
    EXPECT_EQ(names->size(), 6u);
    EXPECT_EQ(names->front(), "dense_0");
    H5Id d = OpenGroup(f->get(), "model_weights/dense_3");
    auto wn = ReadStringListAttr(d.get(), "weight_names");
    ASSERT_TRUE(wn.ok()) << wn.status();
    EXPECT_EQ(*wn, (std::vector<std::string>{"dense_3/kernel:0", "dense_3/bias:0"}));
  }
  EXPECT_EQ(H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL), 0);
}

TEST(H5Util, MissingObjectsAreNotErrors) {
  REQUIRE_MODELS();
  ScopedH5Silence silence;
  auto f = OpenH5File(Model("conv2d"));
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(H5LinkExists(f->get(), "model_weights/nope/deeper/kernel:0"));
  EXPECT_FALSE(OpenDataset(f->get(), "model_weights/conv_same_relu/conv_same_relu/nope:0"));
  EXPECT_TRUE(IsDataset(f->get(), "model_weights/conv_same_relu/conv_same_relu/kernel:0"));
  EXPECT_TRUE(H5ErrorText().empty());
}

TEST(H5Util, SnakeCaseAsKeras3) {
  EXPECT_EQ(SnakeCase("Conv2D"), "conv2d");
  EXPECT_EQ(SnakeCase("BatchNormalization"), "batch_normalization");
  EXPECT_EQ(SnakeCase("DepthwiseConv2D"), "depthwise_conv2d");
  EXPECT_EQ(SnakeCase("GlobalAveragePooling2D"), "global_average_pooling2d");
  EXPECT_EQ(SnakeCase("ReLU"), "re_lu");
  EXPECT_EQ(SnakeCase("QDense"), "q_dense");
  EXPECT_EQ(SnakeCase("LSTM"), "lstm");
  EXPECT_EQ(SnakeCase("PReLU"), "p_re_lu");
}

TEST(H5Util, Sniff) {
  REQUIRE_MODELS();
  EXPECT_EQ(SniffFile(Model("conv2d")), FileKind::kHdf5);
  EXPECT_EQ(SniffFile(Model("keras3_lstm")), FileKind::kKerasZip);
  EXPECT_EQ(SniffFile(Model("bad_not_hdf5")), FileKind::kNone);
  EXPECT_EQ(SniffFile(Model("bad_empty")), FileKind::kNone);
}

}  // namespace
}  // namespace tflc::keras::testing
