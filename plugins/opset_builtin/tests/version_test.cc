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

// Quantized nodes as the quantizers build them (op_version.cc): int8, int16x8 and hybrid.
class QuantizedVersionTest : public VersionTest {
 protected:
  // A graph input of `type` with per-tensor parameters (int16: symmetric).
  ValueView Q(TflcDataType type, const Dims& d, float scale = 0.1f) {
    ValueView v = Input(type, d);
    SetQuant(v, {{scale}, {0}});
    return v;
  }
  ValueView Bias(TflcDataType type, int64_t n) {
    ValueView v = type == TFLC_TYPE_INT64 ? Const(I64({n}, std::vector<int64_t>(static_cast<size_t>(n), 0)))
                                          : Const(I32({n}, std::vector<int32_t>(static_cast<size_t>(n), 0)));
    SetQuant(v, {std::vector<float>(static_cast<size_t>(n), 0.01f), std::vector<int64_t>(static_cast<size_t>(n), 0)});
    return v;
  }
  // Builds `op` over `ins`, gives its outputs `out_type` (as a quantizer does), infers and versions it.
  int VQ(const std::string& op, const std::vector<ValueView>& ins, TflcDataType out_type, const Attrs& attrs = {}) {
    NodeView n;
    Status s = InferOne(op, ins, attrs, &n);
    EXPECT_TRUE(s.ok()) << s;
    EXPECT_EQ(n.output(0).type(), out_type) << op;
    return VersionOf(n);
  }
};

TEST_F(QuantizedVersionTest, Conv2D) {
  const Dims x = {1, 4, 4, 2}, w = {3, 1, 1, 2};
  EXPECT_EQ(VQ("CONV_2D", {Q(TFLC_TYPE_INT8, x), W8(w, 3), Bias(TFLC_TYPE_INT32, 3)}, TFLC_TYPE_INT8, conv_), 3);
  EXPECT_EQ(VQ("CONV_2D", {Q(TFLC_TYPE_INT8, x), W8(w), Bias(TFLC_TYPE_INT32, 3)}, TFLC_TYPE_INT8, conv_), 3);
  // int16x8 with an int64 bias: op_version.cc's int16 rule looks for int16 weights, so version 1.
  EXPECT_EQ(VQ("CONV_2D", {Q(TFLC_TYPE_INT16, x), W8(w, 3), Bias(TFLC_TYPE_INT64, 3)}, TFLC_TYPE_INT16, conv_), 1);
  EXPECT_EQ(VQ("CONV_2D", {Input(TFLC_TYPE_FLOAT32, x), W8(w, 3), Wf({3})}, TFLC_TYPE_FLOAT32, conv_), 5);
  EXPECT_EQ(VQ("CONV_2D", {Input(TFLC_TYPE_FLOAT32, x), W8(w), Wf({3})}, TFLC_TYPE_FLOAT32, conv_), 2);
}

TEST_F(QuantizedVersionTest, DepthwiseConv2D) {
  const Dims x = {1, 4, 4, 2}, w = {1, 2, 2, 2};
  EXPECT_EQ(VQ("DEPTHWISE_CONV_2D", {Q(TFLC_TYPE_INT8, x), W8(w), Bias(TFLC_TYPE_INT32, 2)}, TFLC_TYPE_INT8, conv_), 3);
  EXPECT_EQ(VQ("DEPTHWISE_CONV_2D", {Q(TFLC_TYPE_INT16, x), W8(w), Bias(TFLC_TYPE_INT64, 2)}, TFLC_TYPE_INT16, conv_), 1);
  // Per-channel along dimension 3 for depthwise weights.
  ValueView pc = Const(Tensor::Of<int8_t>(TFLC_TYPE_INT8, w, std::vector<int8_t>(8, 1)));
  SetQuant(pc, {{0.1f, 0.2f}, {0, 0}, 3});
  EXPECT_EQ(VQ("DEPTHWISE_CONV_2D", {Input(TFLC_TYPE_FLOAT32, x), pc, Wf({2})}, TFLC_TYPE_FLOAT32, conv_), 6);
  EXPECT_EQ(VQ("DEPTHWISE_CONV_2D", {Input(TFLC_TYPE_FLOAT32, x), W8(w), Wf({2})}, TFLC_TYPE_FLOAT32, conv_), 4);
}

TEST_F(QuantizedVersionTest, FullyConnected) {
  // int8 per-channel weights (dimension 0) are still version 4; int16x8 is version 1 upstream.
  EXPECT_EQ(VQ("FULLY_CONNECTED", {Q(TFLC_TYPE_INT8, {1, 4}), W8({2, 4}, 2), Bias(TFLC_TYPE_INT32, 2)}, TFLC_TYPE_INT8), 4);
  EXPECT_EQ(VQ("FULLY_CONNECTED", {Q(TFLC_TYPE_INT8, {1, 4}), W8({2, 4}), Bias(TFLC_TYPE_INT32, 2)}, TFLC_TYPE_INT8), 4);
  EXPECT_EQ(VQ("FULLY_CONNECTED", {Q(TFLC_TYPE_INT16, {1, 4}), W8({2, 4}, 2), Bias(TFLC_TYPE_INT64, 2)}, TFLC_TYPE_INT16),
            1);
  EXPECT_EQ(VQ("FULLY_CONNECTED", {Q(TFLC_TYPE_INT8, {1, 4}), W8({2, 4})}, TFLC_TYPE_INT8), 6);  // no bias
  // Hybrid: per-tensor is version 3 (9 asymmetric); per-channel hybrid is version 12 (TFLite 2.17).
  EXPECT_EQ(VQ("FULLY_CONNECTED", {Input(TFLC_TYPE_FLOAT32, {1, 4}), W8({2, 4}), Wf({2})}, TFLC_TYPE_FLOAT32), 3);
  EXPECT_EQ(VQ("FULLY_CONNECTED", {Input(TFLC_TYPE_FLOAT32, {1, 4}), W8({2, 4}, 2), Wf({2})}, TFLC_TYPE_FLOAT32), 12);
}

TEST_F(QuantizedVersionTest, AddMul) {
  EXPECT_EQ(VQ("ADD", {Q(TFLC_TYPE_INT8, {2}), Q(TFLC_TYPE_INT8, {2})}, TFLC_TYPE_INT8), 2);
  // int16: general scaling (pot_scale_int16 false) is version 3; power-of-two scales stay version 1.
  EXPECT_EQ(VQ("ADD", {Q(TFLC_TYPE_INT16, {2}), Q(TFLC_TYPE_INT16, {2})}, TFLC_TYPE_INT16, {{"pot_scale_int16", false}}),
            3);
  EXPECT_EQ(VQ("ADD", {Q(TFLC_TYPE_INT16, {2}), Q(TFLC_TYPE_INT16, {2})}, TFLC_TYPE_INT16), 1);
  // Unquantized int16 is integer arithmetic: version 5.
  EXPECT_EQ(VQ("ADD", {Input(TFLC_TYPE_INT16, {2}), Input(TFLC_TYPE_INT16, {2})}, TFLC_TYPE_INT16), 5);
  EXPECT_EQ(VQ("SUB", {Q(TFLC_TYPE_INT16, {2}), Q(TFLC_TYPE_INT16, {2})}, TFLC_TYPE_INT16, {{"pot_scale_int16", false}}),
            5);
  EXPECT_EQ(VQ("MUL", {Q(TFLC_TYPE_INT16, {2}), Q(TFLC_TYPE_INT16, {2})}, TFLC_TYPE_INT16), 4);
  EXPECT_EQ(VQ("MUL", {Input(TFLC_TYPE_INT16, {2}), Input(TFLC_TYPE_INT16, {2})}, TFLC_TYPE_INT16), 7);
}

TEST_F(QuantizedVersionTest, PassThroughAndReductions) {
  EXPECT_EQ(VQ("PAD", {Q(TFLC_TYPE_INT8, {1, 2}), Const(I32({2, 2}, {0, 0, 1, 1}))}, TFLC_TYPE_INT8), 2);
  EXPECT_EQ(VQ("PAD", {Q(TFLC_TYPE_INT16, {1, 2}), Const(I32({2, 2}, {0, 0, 1, 1}))}, TFLC_TYPE_INT16), 3);
  EXPECT_EQ(VQ("MEAN", {Q(TFLC_TYPE_INT8, {2, 3}), Const(Vec({1}))}, TFLC_TYPE_INT8), 2);
  EXPECT_EQ(VQ("MEAN", {Q(TFLC_TYPE_INT16, {2, 3}), Const(Vec({1}))}, TFLC_TYPE_INT16), 3);
  const Attrs pool = {{"padding", 1}, {"stride_w", 1}, {"stride_h", 1}, {"filter_width", 2}, {"filter_height", 2}};
  EXPECT_EQ(VQ("MAX_POOL_2D", {Q(TFLC_TYPE_INT8, {1, 4, 4, 1})}, TFLC_TYPE_INT8, pool), 2);
  EXPECT_EQ(VQ("MAX_POOL_2D", {Q(TFLC_TYPE_INT16, {1, 4, 4, 1})}, TFLC_TYPE_INT16, pool), 3);
}

TEST_F(QuantizedVersionTest, Softmax) {
  EXPECT_EQ(VQ("SOFTMAX", {Q(TFLC_TYPE_INT8, {1, 3})}, TFLC_TYPE_INT8, {{"beta", 1.0}}), 2);
  EXPECT_EQ(VQ("SOFTMAX", {Q(TFLC_TYPE_INT16, {1, 3})}, TFLC_TYPE_INT16, {{"beta", 1.0}}), 3);
}

TEST_F(QuantizedVersionTest, QuantizeAndDequantize) {
  auto quantize = [&](ValueView in, TflcDataType to, const Quant& q) {
    NodeView n = Node("QUANTIZE", {in});
    EXPECT_TRUE(n.output(0).SetShape(to, in.dims()).ok());
    SetQuant(n.output(0), q);
    Status s = Infer();
    EXPECT_TRUE(s.ok()) << s;
    return VersionOf(n);
  };
  EXPECT_EQ(quantize(Input(TFLC_TYPE_FLOAT32, {2}), TFLC_TYPE_INT8, {{0.1f}, {3}}), 1);
  EXPECT_EQ(quantize(Input(TFLC_TYPE_FLOAT32, {2}), TFLC_TYPE_UINT8, {{0.1f}, {128}}), 1);
  EXPECT_EQ(quantize(Input(TFLC_TYPE_FLOAT32, {2}), TFLC_TYPE_INT16, {{0.1f}, {0}}), 2);
  EXPECT_EQ(quantize(Q(TFLC_TYPE_INT8, {2}), TFLC_TYPE_INT8, {{0.2f}, {0}}), 1);    // requantize
  EXPECT_EQ(quantize(Q(TFLC_TYPE_INT16, {2}), TFLC_TYPE_INT16, {{0.2f}, {0}}), 2);  // requantize
  EXPECT_EQ(quantize(Input(TFLC_TYPE_FLOAT32, {2, 2}), TFLC_TYPE_INT8, {{0.1f, 0.2f}, {0, 0}, 0}), 3);
  EXPECT_EQ(V("DEQUANTIZE", {Q(TFLC_TYPE_INT8, {2})}), 2);
  EXPECT_EQ(V("DEQUANTIZE", {Q(TFLC_TYPE_UINT8, {2})}), 1);
  EXPECT_EQ(V("DEQUANTIZE", {Q(TFLC_TYPE_INT16, {2})}), 3);
  EXPECT_EQ(V("DEQUANTIZE", {Input(TFLC_TYPE_FLOAT16, {2})}), 3);
}

}  // namespace
}  // namespace tflc::opset_builtin::testing
