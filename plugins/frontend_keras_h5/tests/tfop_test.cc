// TF-op layers (TFOpLambda, SlicingOpLambda) and Keras 3 operation layers: dispatch, emitted TF
// ops and attributes for the generated models of tests/models/gen_tfop.py.
#include "layers.h"
#include "test_util.h"

namespace tflc::keras::testing {
namespace {

using Dims = std::vector<int64_t>;

#define LOAD(var, name)                       \
  REQUIRE_MODELS();                           \
  Loaded var(Model(name));                    \
  ASSERT_TRUE(var.status().ok()) << var.status()

LayerDef Entry(const std::string& cls, const std::string& module, const Json& config, const Json& args) {
  LayerDef l;
  l.class_name = cls;
  l.name = "x";
  l.module = module;
  l.config = config;
  CallArgs c;
  c.args = args;
  l.calls.push_back(c);
  return l;
}

TEST(TfOpDispatch, OpLayersAreToldFromStockLayers) {
  const Json two = Json::array({Json{{"__tflc_tensor__", 0}}, Json{{"__tflc_tensor__", 1}}});
  const Json list = Json::array({two});
  const Json layer_cfg = {{"name", "add"}, {"trainable", true}, {"dtype", "float32"}};
  const Json op_cfg = {{"name", "add"}};
  // .keras: the module decides.
  EXPECT_NE(FindOpLayerConverter(Entry("Add", "keras.src.ops.numpy", op_cfg, two)), nullptr);
  EXPECT_EQ(FindOpLayerConverter(Entry("Add", "keras.layers", layer_cfg, list)), nullptr);
  EXPECT_EQ(FindOpLayerConverter(Entry("Add", "my_pkg.layers", op_cfg, two)), nullptr);
  // Keras 3 legacy H5 (no module): a Layer config has trainable/dtype; merge layers take one list.
  EXPECT_NE(FindOpLayerConverter(Entry("Add", "", op_cfg, two)), nullptr);
  EXPECT_EQ(FindOpLayerConverter(Entry("Add", "", layer_cfg, list)), nullptr);
  EXPECT_EQ(FindOpLayerConverter(Entry("Add", "", op_cfg, list)), nullptr);
  EXPECT_NE(FindOpLayerConverter(Entry("Reshape", "", {{"newshape", {-1, 2}}}, Json::array({two[0]}))), nullptr);
  EXPECT_EQ(FindOpLayerConverter(Entry("Reshape", "", {{"name", "r"}, {"trainable", true}, {"dtype", "float32"},
                                                       {"target_shape", {2}}},
                                       Json::array({two[0]}))),
            nullptr);
  // FindLayerConverter takes the op first, the stock layer otherwise.
  EXPECT_NE(FindLayerConverter(Entry("Add", "", layer_cfg, list)), nullptr);
  EXPECT_NE(FindLayerConverter(Entry("Add", "", layer_cfg, list)), FindOpLayerConverter(Entry("Add", "", op_cfg, two)));
  // TFOpLambda / SlicingOpLambda, unless a registered user class of that name.
  EXPECT_NE(FindOpLayerConverter(Entry("TFOpLambda", "", {{"function", "math.add"}}, two)), nullptr);
  EXPECT_NE(FindOpLayerConverter(Entry("SlicingOpLambda", "", {{"function", "__operators__.getitem"}}, two)), nullptr);
  LayerDef custom = Entry("TFOpLambda", "", {{"function", "math.add"}}, two);
  custom.registered_name = "Custom>TFOpLambda";
  EXPECT_EQ(FindOpLayerConverter(custom), nullptr);
}

TEST(TfOp, OperatorsGeolifeStyle) {
  LOAD(l, "tfop_operators");
  // __operators__.add(x, y=<tensor kwarg>) → AddV2(x, dense)
  ASSERT_TRUE(l.HasNode("tf.__operators__.add/AddV2"));
  EXPECT_EQ(l.Input("tf.__operators__.add/AddV2", 1).producer().op(), "BiasAdd");
  // math.subtract(1.0, y=a): the _CONSTANT_VALUE first argument becomes a float32 Const.
  ValueView one = l.Input("tf.math.subtract/Sub", 0);
  ASSERT_TRUE(one.is_const());
  EXPECT_EQ(F32(one), (std::vector<float>{1.0f}));
  EXPECT_EQ(F32(l.Input("tf.math.multiply/Mul", 1)), (std::vector<float>{0.5f}));
  EXPECT_EQ(l.InDims("tf.math.minimum/Minimum", 1), (Dims{6}));
  EXPECT_TRUE(l.HasNode("tf.math.truediv/RealDiv"));
  EXPECT_TRUE(l.HasNode("tf.math.negative/Neg"));
  EXPECT_TRUE(l.HasNode("tf.math.pow/Pow"));
  EXPECT_TRUE(l.HasNode("tf.math.squared_difference/SquaredDifference"));
  // radd: 2.0 + mn keeps the operand order.
  EXPECT_TRUE(l.Input("tf.__operators__.add_2/AddV2", 0).is_const());
  // rank-3 matmul → BatchMatMulV2 with adj_y.
  EXPECT_EQ(l.Int("tf.linalg.matmul/BatchMatMulV2", "adj_y"), 1);
  EXPECT_EQ(l.g().output(1).dims(), (Dims{1, 4, 4}));
}

TEST(TfOp, GetItemMasks) {
  LOAD(l, "tfop_getitem");
  const std::string a = "tf.__operators__.getitem/StridedSlice";  // x[:, 1:4]
  EXPECT_EQ(I32(l.Input(a, 1)), (std::vector<int32_t>{0, 1}));
  EXPECT_EQ(I32(l.Input(a, 2)), (std::vector<int32_t>{0, 4}));
  EXPECT_EQ(l.Int(a, "begin_mask"), 1);
  EXPECT_EQ(l.Int(a, "end_mask"), 1);
  const std::string b = "tf.__operators__.getitem_1/StridedSlice";  // x[..., -1]
  EXPECT_EQ(l.Int(b, "ellipsis_mask"), 1);
  EXPECT_EQ(l.Int(b, "shrink_axis_mask"), 2);
  EXPECT_EQ(I32(l.Input(b, 1)), (std::vector<int32_t>{0, -1}));
  EXPECT_EQ(I32(l.Input(b, 2)), (std::vector<int32_t>{0, 0}));
  const std::string c = "tf.__operators__.getitem_2/StridedSlice";  // x[:, None, 2:, ::2]
  EXPECT_EQ(l.Int(c, "new_axis_mask"), 2);
  EXPECT_EQ(l.Int(c, "begin_mask"), 1 | 8);
  EXPECT_EQ(l.Int(c, "end_mask"), 1 | 4 | 8);
  EXPECT_EQ(I32(l.Input(c, 3)), (std::vector<int32_t>{1, 1, 1, 2}));
  EXPECT_EQ(l.g().output(0).dims(), (Dims{1, 3, 6, 3}));
  EXPECT_EQ(l.g().output(1).dims(), (Dims{1, 5, 6}));
  EXPECT_EQ(l.g().output(2).dims(), (Dims{1, 1, 3, 3, 3}));
  EXPECT_EQ(l.g().output(3).dims(), (Dims{1, 5, 3}));
  EXPECT_EQ(l.g().output(4).dims(), (Dims{1, 6, 2}));
  EXPECT_TRUE(l.HasNode("tf.slice/Slice"));
}

TEST(TfOp, ShapesReductionsSplits) {
  LOAD(l, "tfop_shapes");
  EXPECT_EQ(l.Int("tf.math.reduce_mean/Mean", "keep_dims"), 1);
  EXPECT_EQ(I32(l.Input("tf.math.reduce_mean/Mean", 1)), (std::vector<int32_t>{-1}));
  EXPECT_EQ(l.Int("tf.reduce_sum/Sum", "keep_dims"), 0);
  EXPECT_EQ(I32(l.Input("tf.reshape/Reshape", 1)), (std::vector<int32_t>{-1, 3, 8}));
  EXPECT_EQ(I32(l.Input("tf.transpose/Transpose", 1)), (std::vector<int32_t>{0, 2, 1}));
  EXPECT_EQ(l.Int("tf.concat/ConcatV2", "N"), 3);
  EXPECT_EQ(l.Int("tf.stack/Pack", "axis"), 1);
  EXPECT_EQ(l.Int("tf.split/Split", "num_split"), 3);
  EXPECT_EQ(I32(l.Input("tf.split_1/SplitV", 1)), (std::vector<int32_t>{1, -1, 2}));
  EXPECT_EQ(l.Int("tf.unstack/Unpack", "num"), 4);
  EXPECT_TRUE(l.HasNode("tf.clip_by_value/Minimum"));
  EXPECT_TRUE(l.HasNode("tf.clip_by_value/Maximum"));
  EXPECT_EQ(l.Ints("tf.squeeze/Squeeze", "squeeze_dims"), (Dims{-1}));
  // Outputs 1 and 2 of split feed the add; output 1 of split_1 and 3 of unstack are model outputs.
  EXPECT_EQ(l.g().output(6).dims(), (Dims{1, 4, 3}));
  EXPECT_EQ(l.g().output(7).dims(), (Dims{1, 6}));
  EXPECT_EQ(l.g().output(8).type(), TFLC_TYPE_FLOAT32);
}

TEST(TfOp, StaticShapesFoldIntoConstantArguments) {
  LOAD(l, "tfop_static_shape");
  EXPECT_EQ(l.Count("Shape"), 0);  // tf.shape of a static shape is a constant
  EXPECT_EQ(I32(l.Input("tf.reshape/Reshape", 1)), (std::vector<int32_t>{1, -1, 3}));  // [tf.shape(x)[0], -1, 3]
  EXPECT_EQ(I32(l.Input("tf.reshape_1/Reshape", 1)), (std::vector<int32_t>{1, 4, 6}));  // compat.v1.shape(x)
  EXPECT_EQ(I32(l.Input("tf.tile/Tile", 1)), (std::vector<int32_t>{1, 1, 2}));
  EXPECT_EQ(l.g().output(0).dims(), (Dims{1, 8, 3}));
}

TEST(TfOp, Keras3Operations) {
  LOAD(l, "keras3_ops");
  EXPECT_EQ(l.InDims("add_1/AddV2", 1), (Dims{6}));  // inline __tensor__
  EXPECT_TRUE(l.Input("add_1/AddV2", 1).is_const());
  EXPECT_EQ(F32(l.Input("subtract/Sub", 0)), (std::vector<float>{1.0f}));  // 1 - x
  EXPECT_EQ(l.Int("get_item/StridedSlice", "shrink_axis_mask"), 2);
  EXPECT_EQ(l.Int("get_item_1/StridedSlice", "ellipsis_mask"), 1);
  EXPECT_EQ(I32(l.Input("get_item_1/StridedSlice", 3)), (std::vector<int32_t>{1, 2}));
  EXPECT_EQ(l.Int("mean/Mean", "keep_dims"), 0);
  EXPECT_TRUE(l.HasNode("matmul/BatchMatMulV2"));
  EXPECT_TRUE(l.HasNode("softmax/Softmax"));
  EXPECT_EQ(l.g().output(1).dims(), (Dims{1, 1, 9}));
}

TEST(TfOp, Keras3LegacyOpsNextToStockAdd) {
  LOAD(l, "keras3_legacy_ops");
  EXPECT_TRUE(l.HasNode("add/AddV2"));    // the op
  EXPECT_TRUE(l.HasNode("add_1/AddV2"));  // the Add layer
  EXPECT_EQ(I32(l.Input("reshape/Reshape", 1)), (std::vector<int32_t>{-1, 2, 3}));
  EXPECT_EQ(l.g().output(0).dims(), (Dims{1, 2}));
}

TEST(TfOp, UnsupportedFunctionsNameTheLayerAndFunction) {
  REQUIRE_MODELS();
  Status s = LoadDirect(Model("bad_tfop_unsupported"));
  EXPECT_EQ(s.code(), TFLC_CODE_UNIMPLEMENTED) << s;
  EXPECT_NE(s.message().find("layer 'tf.math.bessel_i0' (TFOpLambda): TF function 'math.bessel_i0' is not supported"),
            std::string::npos)
      << s;
  s = LoadDirect(Model("bad_keras3_op_unsupported"));
  EXPECT_NE(s.message().find("Keras operation 'keras.src.ops.numpy.Digitize' is not supported"), std::string::npos) << s;
}

}  // namespace
}  // namespace tflc::keras::testing
