// QUANTIZE and DEQUANTIZE, per-tensor and per-axis.
#include "test_util.h"

namespace tflc::opset_builtin::testing {
namespace {

class QuantTest : public OpsetTest {
 protected:
  // QUANTIZE of constant `x` to `type` with output parameters `q`; the output tensor bytes.
  Tensor Quantize(const Tensor& x, TflcDataType type, const Quant& q) {
    NodeView n = Node("QUANTIZE", {Const(x)});
    // The quantizer chooses the target type and parameters when it creates the node.
    EXPECT_TRUE(n.output(0).SetShape(type, x.dims).ok());
    SetQuant(n.output(0), q);
    EXPECT_TRUE(g().Output(n.output(0), "q").ok());
    Status s = Infer();
    EXPECT_TRUE(s.ok()) << s;
    s = host().FoldConstants();
    EXPECT_TRUE(s.ok()) << s;
    ValueView out = g().output(g().num_outputs() - 1);
    Tensor t;
    if (!out.is_const()) {
      ADD_FAILURE() << "QUANTIZE was not folded";
      return t;
    }
    t.type = out.type();
    t.dims = out.dims();
    const auto* d = static_cast<const uint8_t*>(out.data());
    t.bytes.assign(d, d + out.byte_size());
    return t;
  }
  Tensor Dequantize(const Tensor& x, const Quant& q) {
    NodeView n = Node("DEQUANTIZE", {Const(x)});
    if (!q.scales.empty()) SetQuant(n.input(0), q);
    EXPECT_TRUE(g().Output(n.output(0), "d").ok());
    EXPECT_TRUE(Infer().ok());
    EXPECT_TRUE(host().FoldConstants().ok());
    ValueView out = g().output(g().num_outputs() - 1);
    Tensor t;
    t.type = out.type();
    t.dims = out.dims();
    if (out.is_const()) {
      const auto* d = static_cast<const uint8_t*>(out.data());
      t.bytes.assign(d, d + out.byte_size());
    } else {
      ADD_FAILURE() << "DEQUANTIZE was not folded";
    }
    return t;
  }
};

TEST_F(QuantTest, QuantizeInt8PerTensorRoundsAndClamps) {
  // q = round(x / 0.01) + 10, clamped to [-128, 127]; 0.005 / 0.01 = 0.5 rounds away from zero.
  Tensor q = Quantize(F({6}, {-1, 0, 0.5f, 1, 2, 0.005f}), TFLC_TYPE_INT8, {{0.01f}, {10}});
  EXPECT_EQ(q.type, TFLC_TYPE_INT8);
  EXPECT_EQ(q.as<int8_t>(), (std::vector<int8_t>{-90, 10, 60, 110, 127, 11}));
}

TEST_F(QuantTest, QuantizeUint8AndInt16) {
  EXPECT_EQ(Quantize(F({3}, {-1, 0, 1}), TFLC_TYPE_UINT8, {{1.f / 128}, {128}}).as<uint8_t>(),
            (std::vector<uint8_t>{0, 128, 255}));
  EXPECT_EQ(Quantize(F({2}, {-1, 0.5f}), TFLC_TYPE_INT16, {{1.f / 32767}, {0}}).as<int16_t>(),
            (std::vector<int16_t>{-32767, 16384}));
}

TEST_F(QuantTest, QuantizePerAxis) {
  // scales along dimension 1: column 0 / 0.5, column 1 / 0.25.
  Tensor q = Quantize(F({2, 2}, {1, 1, -1, 0.5f}), TFLC_TYPE_INT8, {{0.5f, 0.25f}, {0, 0}, 1});
  EXPECT_EQ(q.as<int8_t>(), (std::vector<int8_t>{2, 4, -2, 2}));
}

TEST_F(QuantTest, QuantizeNeedsTheTargetType) {
  EXPECT_TRUE(StatusHas(ShapeStatus("QUANTIZE", {F({2}, {0, 1})}), TFLC_CODE_INVALID_ARGUMENT,
                        "must already have type INT8, UINT8 or INT16"));
}

TEST_F(QuantTest, Dequantize) {
  Tensor d = Dequantize(I8({4}, {-90, 10, 60, 110}), {{0.01f}, {10}});
  EXPECT_EQ(d.type, TFLC_TYPE_FLOAT32);
  ExpectNear(d.f(), {-1, 0, 0.5f, 1});
  // Per-channel weights along dimension 0 (rows): scales 0.5 and 2.
  ExpectNear(Dequantize(I8({2, 2}, {2, -4, 3, 1}), {{0.5f, 2.f}, {0, 0}, 0}).f(), {1, -2, 6, 2});
  // float16 weights (the float16 quantizer's DEQUANTIZE).
  ExpectNear(Dequantize(Tensor::Of<uint16_t>(TFLC_TYPE_FLOAT16, {3}, {0x3c00, 0xc000, 0x3555}), {}).f(),
             {1, -2, 0.33325195f});
}

TEST_F(QuantTest, RequantizeInt8ToInt8) {
  // QUANTIZE of int8 data re-expresses it with the output parameters.
  NodeView n = Node("QUANTIZE", {Const(I8({3}, {-10, 0, 10}))});
  SetQuant(n.input(0), {{0.1f}, {0}});
  TFLC_ASSERT_OK(n.output(0).SetShape(TFLC_TYPE_INT8, {3}));
  SetQuant(n.output(0), {{0.2f}, {5}});
  TFLC_ASSERT_OK(g().Output(n.output(0), "q"));
  TFLC_ASSERT_OK(Infer());
  TFLC_ASSERT_OK(host().FoldConstants());
  const auto* d = g().output(0).data_as<int8_t>();
  ASSERT_NE(d, nullptr);
  EXPECT_EQ((std::vector<int8_t>(d, d + 3)), (std::vector<int8_t>{0, 5, 10}));
}

// Requantizations a quantizer inserts (QUANTIZE of integer data to other parameters or type).
TEST_F(QuantTest, RequantizeBetweenTypes) {
  auto requantize = [&](const Tensor& x, const Quant& in_q, TflcDataType to, const Quant& out_q) {
    NodeView n = Node("QUANTIZE", {Const(x)});
    SetQuant(n.input(0), in_q);
    EXPECT_TRUE(n.output(0).SetShape(to, x.dims).ok());
    SetQuant(n.output(0), out_q);
    EXPECT_TRUE(g().Output(n.output(0), "q").ok());
    Status s = InferAndFold();
    EXPECT_TRUE(s.ok()) << s;
    ValueView out = g().output(g().num_outputs() - 1);
    EXPECT_EQ(out.type(), to);
    Tensor t;
    if (out.is_const()) {
      const auto* d = static_cast<const uint8_t*>(out.data());
      t.bytes.assign(d, d + out.byte_size());
    } else {
      ADD_FAILURE() << "QUANTIZE was not folded";
    }
    return t;
  };
  // uint8 (zero point 128) <-> int8 (zero point 0) with the same scale: a shift by 128.
  EXPECT_EQ(requantize(U8({3}, {0, 128, 255}), {{0.5f}, {128}}, TFLC_TYPE_INT8, {{0.5f}, {0}}).as<int8_t>(),
            (std::vector<int8_t>{-128, 0, 127}));
  EXPECT_EQ(requantize(I8({3}, {-128, 0, 127}), {{0.5f}, {0}}, TFLC_TYPE_UINT8, {{0.5f}, {128}}).as<uint8_t>(),
            (std::vector<uint8_t>{0, 128, 255}));
  // int16 -> int16 with twice the scale; int16 -> int8.
  EXPECT_EQ(requantize(Tensor::Of<int16_t>(TFLC_TYPE_INT16, {3}, {-1000, 10, 1000}), {{0.001f}, {0}}, TFLC_TYPE_INT16,
                       {{0.002f}, {0}})
                .as<int16_t>(),
            (std::vector<int16_t>{-500, 5, 500}));
  EXPECT_EQ(requantize(Tensor::Of<int16_t>(TFLC_TYPE_INT16, {2}, {-1000, 1000}), {{0.001f}, {0}}, TFLC_TYPE_INT8,
                       {{0.01f}, {0}})
                .as<int8_t>(),
            (std::vector<int8_t>{-100, 100}));
}

TEST_F(QuantTest, QuantizeKeepsTheQuantizersTypeAndDefaultsRequantizeToTheInputType) {
  // The output type set by the quantizer survives shape inference.
  NodeView q = Node("QUANTIZE", {Input(TFLC_TYPE_FLOAT32, {2, 3})});
  TFLC_ASSERT_OK(q.output(0).SetShape(TFLC_TYPE_INT16, {2, 3}));
  TFLC_ASSERT_OK(Infer());
  EXPECT_EQ(q.output(0).type(), TFLC_TYPE_INT16);
  EXPECT_EQ(DimsOf(q.output(0)), (Dims{2, 3}));
  // Without one, integer input keeps its type (a requantization).
  NodeView r;
  TFLC_ASSERT_OK(InferOne("QUANTIZE", {Input(TFLC_TYPE_INT8, {4})}, {}, &r));
  EXPECT_EQ(r.output(0).type(), TFLC_TYPE_INT8);
}

TEST_F(QuantTest, QuantizeRejectsConversionsWithoutAKernel) {
  NodeView n = Node("QUANTIZE", {Input(TFLC_TYPE_INT8, {2})});
  TFLC_ASSERT_OK(n.output(0).SetShape(TFLC_TYPE_INT16, {2}));
  EXPECT_TRUE(StatusHas(Infer(), TFLC_CODE_INVALID_ARGUMENT, "QUANTIZE from INT8 to INT16 has no TFLite kernel"));
}

TEST_F(QuantTest, DequantizeUint8AndInt16) {
  ExpectNear(Dequantize(U8({3}, {0, 128, 255}), {{0.5f}, {128}}).f(), {-64, 0, 63.5f});
  ExpectNear(Dequantize(Tensor::Of<int16_t>(TFLC_TYPE_INT16, {2}, {-32767, 16384}), {{1.f / 32767}, {0}}).f(),
             {-1, 16384.f / 32767});
}

}  // namespace
}  // namespace tflc::opset_builtin::testing
