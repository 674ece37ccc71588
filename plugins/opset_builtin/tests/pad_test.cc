// PAD, PADV2, MIRROR_PAD.
#include <cstring>
#include <random>

#include "test_util.h"

namespace tflc::opset_builtin::testing {
namespace {

class PadTest : public OpsetTest {};

TEST_F(PadTest, PadWithZeros) {
  Tensor y = Fold1("PAD", {F({2, 2}, {1, 2, 3, 4}), I32({2, 2}, {1, 0, 0, 2})});
  EXPECT_EQ(y.dims, (Dims{3, 4}));
  ExpectNear(y.f(), {0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0});
  Tensor z = Fold1("PAD", {Vec({7}), I64({1, 2}, {2, 1})});
  EXPECT_EQ(z.i32(), (std::vector<int32_t>{0, 0, 7, 0}));
}

TEST_F(PadTest, QuantizedPadUsesTheZeroPoint) {
  NodeView n = Node("PAD", {Const(I8({2}, {1, 2})), Const(I32({1, 2}, {1, 1}))});
  SetQuant(n.input(0), {{0.5f}, {-5}});
  SetQuant(n.output(0), {{0.5f}, {-5}});
  TFLC_ASSERT_OK(g().Output(n.output(0), "y"));
  TFLC_ASSERT_OK(Infer());
  TFLC_ASSERT_OK(host().FoldConstants());
  ValueView out = g().output(0);
  ASSERT_TRUE(out.is_const());
  const auto* d = out.data_as<int8_t>();
  EXPECT_EQ((std::vector<int8_t>(d, d + 4)), (std::vector<int8_t>{-5, 1, 2, -5}));
}

TEST_F(PadTest, PadV2WithConstant) {
  ExpectNear(Fold1("PADV2", {F({1, 2}, {1, 2}), I32({2, 2}, {0, 1, 1, 0}), ScalarF(9)}).f(), {9, 1, 2, 9, 9, 9});
}

TEST_F(PadTest, MirrorPad) {
  ExpectNear(Fold1("MIRROR_PAD", {F({3}, {1, 2, 3}), I32({1, 2}, {2, 1})}, {{"mode", 0}}).f(), {3, 2, 1, 2, 3, 2});
  ExpectNear(Fold1("MIRROR_PAD", {F({3}, {1, 2, 3}), I32({1, 2}, {2, 2})}, {{"mode", 1}}).f(), {2, 1, 1, 2, 3, 3, 2});
  // 2-D REFLECT by one on each side.
  Tensor y = Fold1("MIRROR_PAD", {F({2, 2}, {1, 2, 3, 4}), I32({2, 2}, {1, 0, 0, 1})}, {{"mode", 0}});
  EXPECT_EQ(y.dims, (Dims{3, 3}));
  ExpectNear(y.f(), {3, 4, 3, 1, 2, 1, 3, 4, 3});
}

TEST_F(PadTest, ShapesAndErrors) {
  NodeView n;
  TFLC_ASSERT_OK(InferOne("PAD", {Input(TFLC_TYPE_FLOAT32, {-1, 5, 5, 3}), Const(I32({4, 2}, {0, 0, 1, 1, 2, 2, 0, 0}))}, {}, &n));
  EXPECT_EQ(n.output(0).dims(), (Dims{-1, 7, 9, 3}));
  TFLC_ASSERT_OK(InferOne("PAD", {Input(TFLC_TYPE_FLOAT32, {2, 2}), Input(TFLC_TYPE_INT32, {2, 2})}, {}, &n));
  EXPECT_EQ(n.output(0).dims(), (Dims{-1, -1}));
  EXPECT_TRUE(StatusHas(ShapeStatus("PAD", {Arg::In(TFLC_TYPE_FLOAT32, {2, 2}), I32({1, 2}, {0, 0})}),
                        TFLC_CODE_INVALID_ARGUMENT, "paddings must be [2, 2]"));
  EXPECT_TRUE(StatusHas(ShapeStatus("MIRROR_PAD", {Arg::In(TFLC_TYPE_FLOAT32, {3}), I32({1, 2}, {3, 0})}, {{"mode", 0}}),
                        TFLC_CODE_INVALID_ARGUMENT, "REFLECT padding of dimension 0 (size 3) can be at most 2"));
}

// PAD / PADV2 copy contiguous runs; the output must equal the element-by-element definition on
// random shapes of rank 0..5 (zero and non-zero fill, float and int8 data).
TEST_F(PadTest, ConstantPadMatchesElementwiseDefinitionOnRandomShapes) {
  std::mt19937 rng(31337);
  std::uniform_int_distribution<int64_t> dim(0, 4), pad(0, 2), coin(0, 1), val(-100, 100);
  for (int i = 0; i < 200; ++i) {
    const size_t rank = static_cast<size_t>(i % 6);
    Dims in(rank), out(rank);
    std::vector<int32_t> p(rank * 2);
    for (size_t j = 0; j < rank; ++j) {
      in[j] = i % 17 == 0 ? dim(rng) : 1 + dim(rng);  // some empty inputs
      p[2 * j] = static_cast<int32_t>(coin(rng) ? pad(rng) : 0);
      p[2 * j + 1] = static_cast<int32_t>(coin(rng) ? pad(rng) : 0);
      out[j] = in[j] + p[2 * j] + p[2 * j + 1];
    }
    int64_t n_in = 1, n_out = 1;
    for (size_t j = 0; j < rank; ++j) {
      n_in *= in[j];
      n_out *= out[j];
    }
    std::vector<float> x(static_cast<size_t>(n_in));
    for (float& v : x) v = static_cast<float>(val(rng)) * 0.25f;
    const bool v2 = coin(rng) == 1;
    const float fill = v2 ? static_cast<float>(val(rng)) : 0.f;
    // out[idx] = inside ? in[idx - before] : fill
    std::vector<float> want(static_cast<size_t>(n_out));
    std::vector<int64_t> idx(rank, 0);
    for (int64_t o = 0; o < n_out; ++o) {
      int64_t off = 0;
      bool inside = true;
      for (size_t j = 0; j < rank; ++j) {
        const int64_t k = idx[j] - p[2 * j];
        if (k < 0 || k >= in[j]) inside = false;
        off = off * in[j] + k;
      }
      want[static_cast<size_t>(o)] = inside ? x[static_cast<size_t>(off)] : fill;
      for (size_t j = rank; j-- > 0;) {
        if (++idx[j] < out[j]) break;
        idx[j] = 0;
      }
    }
    const Tensor paddings = I32({static_cast<int64_t>(rank), 2}, p);
    Tensor y = v2 ? Fold1("PADV2", {F(in, x), paddings, ScalarF(fill)}) : Fold1("PAD", {F(in, x), paddings});
    ASSERT_EQ(y.dims, out) << "case " << i;
    const std::vector<float> got = y.f();
    ASSERT_EQ(got.size(), want.size()) << "case " << i;
    EXPECT_EQ(0, got.empty() ? 0 : std::memcmp(got.data(), want.data(), got.size() * sizeof(float))) << "case " << i;
  }
}

TEST_F(PadTest, Int8PadV2FillsEveryPaddedByte) {
  // A non-zero one-byte fill over a run of several elements and a padded inner axis.
  Tensor y = Fold1("PADV2", {I8({1, 2, 3}, {1, 2, 3, 4, 5, 6}), I32({3, 2}, {0, 1, 2, 0, 1, 2}),
                             I8({}, {-7})});
  EXPECT_EQ(y.dims, (Dims{2, 4, 6}));
  std::vector<int8_t> want(48, -7);
  for (int r = 0; r < 2; ++r)
    for (int c = 0; c < 3; ++c) want[static_cast<size_t>((2 + r) * 6 + 1 + c)] = static_cast<int8_t>(r * 3 + c + 1);
  EXPECT_EQ(y.as<int8_t>(), want);
}

}  // namespace
}  // namespace tflc::opset_builtin::testing
