// Op versions from signatures (op_version.cc rules).
#include "test_util.h"

namespace tflc::opset_builtin::testing {
namespace {

class VersionTest : public OpsetTest {
 protected:
  // Builds `op`, infers shapes and returns its version.
  int V(const std::string& op, const std::vector<ValueView>& ins, const Attrs& attrs = {}, size_t outs = 1) {
    NodeView n;
    Status s = InferOne(op, ins, attrs, &n, outs);
    EXPECT_TRUE(s.ok()) << s;
    return VersionOf(n);
  }
  ValueView W8(const Dims& d, size_t per_channel = 0) {
    ValueView v = Const(Tensor::Of<int8_t>(TFLC_TYPE_INT8, d, std::vector<int8_t>(static_cast<size_t>(NumElems(d)), 1)));
    if (per_channel) {
      SetQuant(v, {std::vector<float>(per_channel, 0.1f), std::vector<int64_t>(per_channel, 0), 0});
    } else {
      SetQuant(v, {{0.1f}, {0}});
    }
    return v;
  }
  ValueView Wf(const Dims& d) { return Const(F(d, std::vector<float>(static_cast<size_t>(NumElems(d)), 1.f))); }
  static int64_t NumElems(const Dims& d) {
    int64_t n = 1;
    for (int64_t x : d) n *= x;
    return n;
  }
  const Attrs conv_ = {{"padding", 0}, {"stride_w", 1}, {"stride_h", 1}};
};

TEST_F(VersionTest, Conv2D) {
  EXPECT_EQ(V("CONV_2D", {Input(TFLC_TYPE_FLOAT32, {1, 4, 4, 2}), Wf({3, 1, 1, 2})}, conv_), 1);
  EXPECT_EQ(V("CONV_2D", {Input(TFLC_TYPE_INT8, {1, 4, 4, 2}), W8({3, 1, 1, 2}, 3)}, conv_), 3);
  EXPECT_EQ(V("CONV_2D", {Input(TFLC_TYPE_FLOAT32, {1, 4, 4, 2}), W8({3, 1, 1, 2})}, conv_), 2);     // hybrid
  EXPECT_EQ(V("CONV_2D", {Input(TFLC_TYPE_FLOAT32, {1, 4, 4, 2}), W8({3, 1, 1, 2}, 3)}, conv_), 5);  // per-channel
  EXPECT_EQ(V("CONV_2D", {Input(TFLC_TYPE_FLOAT32, {1, 4, 4, 4}), Wf({2, 1, 1, 2})}, conv_), 6);     // grouped
}

TEST_F(VersionTest, DepthwiseConv2D) {
  EXPECT_EQ(V("DEPTHWISE_CONV_2D", {Input(TFLC_TYPE_FLOAT32, {1, 4, 4, 2}), Wf({1, 2, 2, 2})}, conv_), 1);
  Attrs dilated = conv_;
  dilated.push_back({"dilation_h_factor", 2});
  EXPECT_EQ(V("DEPTHWISE_CONV_2D", {Input(TFLC_TYPE_FLOAT32, {1, 4, 4, 2}), Wf({1, 2, 2, 2})}, dilated), 2);
  EXPECT_EQ(V("DEPTHWISE_CONV_2D", {Input(TFLC_TYPE_INT8, {1, 4, 4, 2}), W8({1, 2, 2, 2}, 2)}, conv_), 3);
  EXPECT_EQ(V("DEPTHWISE_CONV_2D", {Input(TFLC_TYPE_FLOAT32, {1, 4, 4, 2}), W8({1, 2, 2, 2})}, conv_), 4);
}

TEST_F(VersionTest, FullyConnected) {
  EXPECT_EQ(V("FULLY_CONNECTED", {Input(TFLC_TYPE_FLOAT32, {1, 4}), Wf({2, 4}), Wf({2})}), 1);
  EXPECT_EQ(V("FULLY_CONNECTED", {Input(TFLC_TYPE_FLOAT32, {1, 4}), Wf({2, 4}), ValueView()}), 1);  // omitted bias
  EXPECT_EQ(V("FULLY_CONNECTED", {Input(TFLC_TYPE_FLOAT32, {1, 4}), Wf({2, 4})}), 6);                // two inputs
  EXPECT_EQ(V("FULLY_CONNECTED", {Input(TFLC_TYPE_FLOAT32, {1, 3, 4}), Wf({2, 4}), Wf({2})}, {{"keep_num_dims", true}}), 5);
  EXPECT_EQ(V("FULLY_CONNECTED", {Input(TFLC_TYPE_INT8, {1, 4}), W8({2, 4}), Wf({2})}), 4);
  EXPECT_EQ(V("FULLY_CONNECTED", {Input(TFLC_TYPE_FLOAT32, {1, 4}), W8({2, 4}), Wf({2})}), 3);
  EXPECT_EQ(V("FULLY_CONNECTED", {Input(TFLC_TYPE_FLOAT32, {1, 4}), W8({2, 4}), Wf({2})}, {{"asymmetric_quantize_inputs", true}}), 9);
}

TEST_F(VersionTest, ElementwiseAndDataMovement) {
  EXPECT_EQ(V("ADD", {Input(TFLC_TYPE_FLOAT32, {2}), Input(TFLC_TYPE_FLOAT32, {2})}), 1);
  EXPECT_EQ(V("ADD", {Input(TFLC_TYPE_INT8, {2}), Input(TFLC_TYPE_INT8, {2})}), 2);
  EXPECT_EQ(V("ADD", {Input(TFLC_TYPE_INT64, {2}), Input(TFLC_TYPE_INT64, {2})}), 4);
  EXPECT_EQ(V("SUB", {Input(TFLC_TYPE_FLOAT32, {1, 2, 3, 4, 5}), Input(TFLC_TYPE_FLOAT32, {5})}), 3);
  EXPECT_EQ(V("SUB", {Input(TFLC_TYPE_FLOAT32, {1, 2, 3, 4, 5}), Input(TFLC_TYPE_FLOAT32, {1, 2, 3, 4, 5})}), 1);
  EXPECT_EQ(V("TRANSPOSE", {Input(TFLC_TYPE_FLOAT32, {1, 2, 3, 4, 5}), Const(Vec({4, 3, 2, 1, 0}))}), 4);
  EXPECT_EQ(V("TRANSPOSE", {Input(TFLC_TYPE_INT8, {2, 3}), Const(Vec({1, 0}))}), 2);
  EXPECT_EQ(V("SOFTMAX", {Input(TFLC_TYPE_INT16, {1, 3})}, {{"beta", 1.0}}), 3);
  EXPECT_EQ(V("BROADCAST_TO", {Input(TFLC_TYPE_FLOAT32, {3}), Const(Vec({2, 3}))}), 2);
  EXPECT_EQ(V("CAST", {Input(TFLC_TYPE_INT8, {3})}, {{"out_data_type", TFLC_TYPE_FLOAT32}}), 3);
  EXPECT_EQ(V("GATHER", {Input(TFLC_TYPE_FLOAT32, {2, 3}), Input(TFLC_TYPE_INT32, {2, 1})}, {{"axis", 1}, {"batch_dims", 1}}), 5);
  EXPECT_EQ(V("RESIZE_BILINEAR", {Input(TFLC_TYPE_FLOAT32, {1, 2, 2, 1}), Const(Vec({4, 4}))}, {{"half_pixel_centers", true}}), 3);
}

TEST_F(VersionTest, StridedSlice) {
  auto ss = [&](TflcDataType t, const Attrs& a) {
    return V("STRIDED_SLICE", {Input(t, {4, 4}), Const(Vec({0})), Const(Vec({2})), Const(Vec({1}))}, a);
  };
  EXPECT_EQ(ss(TFLC_TYPE_FLOAT32, {}), 1);
  EXPECT_EQ(ss(TFLC_TYPE_INT8, {}), 2);
  EXPECT_EQ(ss(TFLC_TYPE_FLOAT32, {{"new_axis_mask", 1}}), 6);
  EXPECT_EQ(ss(TFLC_TYPE_FLOAT32, {{"offset", true}}), 8);
}

TEST_F(VersionTest, TransposeConvQuantizeDequantizeMul) {
  const Attrs tc = {{"padding", 1}, {"stride_w", 1}, {"stride_h", 1}};
  ValueView shape = Const(Vec({1, 2, 2, 1}));
  EXPECT_EQ(V("TRANSPOSE_CONV", {shape, Wf({1, 1, 1, 1}), Input(TFLC_TYPE_FLOAT32, {1, 2, 2, 1})}, tc), 1);
  EXPECT_EQ(V("TRANSPOSE_CONV", {shape, Wf({1, 1, 1, 1}), Input(TFLC_TYPE_FLOAT32, {1, 2, 2, 1}), Wf({1})}, tc), 3);
  Attrs fused = tc;
  fused.push_back({"fused_activation_function", 1});
  EXPECT_EQ(V("TRANSPOSE_CONV", {shape, Wf({1, 1, 1, 1}), Input(TFLC_TYPE_FLOAT32, {1, 2, 2, 1})}, fused), 4);

  NodeView q = Node("QUANTIZE", {Input(TFLC_TYPE_FLOAT32, {2})});
  TFLC_ASSERT_OK(q.output(0).SetShape(TFLC_TYPE_INT16, {2}));
  TFLC_ASSERT_OK(Infer());
  EXPECT_EQ(VersionOf(q), 2);
  // (Graph inputs, not constants: constant DEQUANTIZE nodes fold away during shape inference.)
  ValueView per_tensor = Input(TFLC_TYPE_INT8, {2, 2});
  SetQuant(per_tensor, {{0.1f}, {0}});
  EXPECT_EQ(V("DEQUANTIZE", {per_tensor}), 2);
  ValueView per_axis = Input(TFLC_TYPE_INT8, {2, 2});
  SetQuant(per_axis, {{0.1f, 0.2f}, {0, 0}, 0});
  EXPECT_EQ(V("DEQUANTIZE", {per_axis}), 5);
  EXPECT_EQ(V("DEQUANTIZE", {Input(TFLC_TYPE_FLOAT16, {1})}), 3);

  // MUL: int8 with input1_scale * input2_scale / output_scale >= 1 -> 3, else 2.
  NodeView m = Node("MUL", {Input(TFLC_TYPE_INT8, {2}), Input(TFLC_TYPE_INT8, {2})});
  SetQuant(m.input(0), {{0.5f}, {0}});
  SetQuant(m.input(1), {{4.f}, {0}});
  SetQuant(m.output(0), {{1.f}, {0}});
  TFLC_ASSERT_OK(Infer());
  EXPECT_EQ(VersionOf(m), 3);
  SetQuant(m.output(0), {{4.f}, {0}});
  EXPECT_EQ(VersionOf(m), 2);
}

}  // namespace
}  // namespace tflc::opset_builtin::testing
