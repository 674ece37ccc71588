// MEAN / SUM / REDUCE_MAX / REDUCE_MIN / REDUCE_PROD / REDUCE_ANY / REDUCE_ALL, ARG_MAX / ARG_MIN, CUMSUM, TOPK_V2.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <sstream>
#include <type_traits>

#include "common.h"
#include "reduce.h"
#include "test_util.h"

namespace tflc::opset_builtin::testing {
namespace {

class ReduceTest : public OpsetTest {};

// The reduction kernel as it was before the [outer, reduce, inner] block path, kept as the
// bit-exactness reference: a row-major walk over the input folding each element into its output,
// then MEAN's one division by the element count.
template <typename T>
std::vector<T> RefReduce(const std::string& op, const Dims& in, const std::vector<T>& x,
                         const std::vector<int32_t>& axes) {
  using Acc = std::conditional_t<std::is_floating_point_v<T>, float, int64_t>;
  const size_t rank = in.size();
  std::vector<bool> reduced(rank, false);
  int64_t count = 1;
  for (int32_t a : axes) {
    const size_t j = static_cast<size_t>(a < 0 ? a + static_cast<int32_t>(rank) : a);
    if (!reduced[j]) count *= in[j];
    reduced[j] = true;
  }
  Dims kept(rank);
  for (size_t j = 0; j < rank; ++j) kept[j] = reduced[j] ? 1 : in[j];
  const Dims ks = Strides(kept);
  Acc init = 0;
  if (op == "REDUCE_PROD") init = 1;
  if (op == "REDUCE_MAX") init = static_cast<Acc>(std::numeric_limits<T>::lowest());
  if (op == "REDUCE_MIN") init = static_cast<Acc>(std::numeric_limits<T>::max());
  std::vector<Acc> acc(static_cast<size_t>(NumElements(kept)), init);
  ForEachIndex(in, [&](int64_t i, const std::vector<int64_t>& idx) {
    int64_t o = 0;
    for (size_t j = 0; j < idx.size(); ++j) {
      if (!reduced[j]) o += idx[j] * ks[j];
    }
    const Acc v = static_cast<Acc>(x[i]);
    if (op == "SUM" || op == "MEAN") acc[o] += v;
    if (op == "REDUCE_PROD") acc[o] *= v;
    if (op == "REDUCE_MAX") acc[o] = std::max(acc[o], v);
    if (op == "REDUCE_MIN") acc[o] = std::min(acc[o], v);
  });
  std::vector<T> out(acc.size());
  for (size_t o = 0; o < acc.size(); ++o) {
    Acc v = acc[o];
    if (op == "MEAN") {
      if constexpr (std::is_floating_point_v<T>) {
        v = v / static_cast<Acc>(count);
      } else {
        v = count ? v / count : 0;
      }
    }
    out[o] = static_cast<T>(v);
  }
  return out;
}

template <typename T>
T Pick(std::mt19937& rng, std::initializer_list<T> options) {
  std::uniform_int_distribution<size_t> u(0, options.size() - 1);
  return options.begin()[u(rng)];
}

// Floats whose sums depend on the order they are added in (magnitudes 2^-12 .. 2^20), in one of
// three mixes: plain; with rare +-inf and NaN and frequent +-0; only +-0 and +-1 (ties, where
// MAX / MIN keep the first of equal values, so -0 vs +0 shows the order).
std::vector<float> RandomReduceFloats(std::mt19937& rng, int64_t n, int mix) {
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  std::uniform_int_distribution<int> exp(-12, 20);
  std::uniform_int_distribution<int> special(0, 199);
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) {
    const int k = special(rng);
    if (mix == 2) {
      x = k % 4 == 0 ? -0.f : k % 4 == 1 ? 0.f : k % 4 == 2 ? 1.f : -1.f;
    } else if (mix == 1 && k < 44) {
      x = k < 20 ? -0.f : k < 40 ? 0.f : k == 40 ? inf : k == 41 ? -inf : std::nanf("");
    } else {
      x = std::ldexp(u(rng), exp(rng));
    }
  }
  return v;
}

// A random reduction: shape of rank 1-5 (odd sizes), axes a random subset in random order, some
// negative, some repeated.
struct ReduceCase {
  Dims dims;
  std::vector<int32_t> axes;
  bool keep_dims = false;
  bool scalar_axis = false;  // the axes input is a scalar (one axis)

  std::string Describe() const {
    std::ostringstream s;
    s << DimsToString(dims) << " axes [";
    for (size_t k = 0; k < axes.size(); ++k) s << (k ? "," : "") << axes[k];
    s << "] keep_dims " << keep_dims;
    return s.str();
  }
  std::vector<bool> Reduced() const {
    std::vector<bool> r(dims.size(), false);
    for (int32_t a : axes) r[static_cast<size_t>(a < 0 ? a + static_cast<int32_t>(dims.size()) : a)] = true;
    return r;
  }
  Dims OutDims() const {
    const std::vector<bool> r = Reduced();
    Dims out;
    for (size_t j = 0; j < dims.size(); ++j) {
      if (!r[j]) {
        out.push_back(dims[j]);
      } else if (keep_dims) {
        out.push_back(1);
      }
    }
    return out;
  }
  Tensor AxesTensor() const { return scalar_axis ? Scalar(axes[0]) : I32({static_cast<int64_t>(axes.size())}, axes); }
};

ReduceCase RandomReduceCase(std::mt19937& rng) {
  ReduceCase c;
  for (;;) {
    const int rank = Pick<int>(rng, {1, 2, 3, 3, 4, 4, 4, 5});
    c.dims.clear();
    for (int j = 0; j < rank; ++j) c.dims.push_back(Pick<int64_t>(rng, {1, 1, 2, 3, 4, 7, 16, 17, 33}));
    if (NumElements(c.dims) <= 20000) break;
  }
  const int32_t rank = static_cast<int32_t>(c.dims.size());
  c.axes.clear();
  for (int32_t j = 0; j < rank; ++j) {
    if (Pick<int>(rng, {0, 1}) == 0) continue;
    c.axes.push_back(Pick<int>(rng, {0, 1}) ? j : j - rank);
    if (Pick<int>(rng, {0, 0, 0, 1}) == 1) c.axes.push_back(j);  // a repeated axis counts once
  }
  std::shuffle(c.axes.begin(), c.axes.end(), rng);
  c.keep_dims = Pick<int>(rng, {0, 1}) == 1;
  c.scalar_axis = c.axes.size() == 1 && Pick<int>(rng, {0, 1}) == 1;
  return c;
}

// Hand-picked cases first (global average pooling and trailing-axis reductions with channel
// counts around the 16- and 4-lane blocks), then random ones.
std::vector<ReduceCase> ReduceCases(std::mt19937& rng, int random_count) {
  std::vector<ReduceCase> cases;
  for (int64_t ch : {1, 3, 4, 7, 16, 17, 23, 33, 56}) {
    cases.push_back({{1, 4, 4, ch}, {1, 2}, false, false});
    cases.push_back({{2, 7, 7, ch}, {-3, -2}, true, false});
    cases.push_back({{3, ch}, {1}, false, true});
    cases.push_back({{ch, 5, 3}, {-1, 1}, false, false});
    cases.push_back({{2, ch, 3}, {0}, false, true});
  }
  cases.push_back({{2, 3, 4}, {}, false, false});       // nothing reduced
  cases.push_back({{2, 3, 4}, {0, 1, 2}, false, false});  // everything
  cases.push_back({{2, 3, 4}, {0, 2}, true, false});    // two separate runs: the generic walk
  cases.push_back({{2, 1, 3}, {0, 2}, false, false});   // ... one run once the size-1 dim is dropped
  cases.push_back({{2, 0, 3}, {1}, false, false});      // empty reduction: MEAN is 0 / 0
  for (int i = 0; i < random_count; ++i) cases.push_back(RandomReduceCase(rng));
  return cases;
}

TEST_F(ReduceTest, BlockLayout) {
  ReduceBlock b;
  // NHWC global average pooling: outer N, reduce H * W, inner C.
  ASSERT_TRUE(AsReduceBlock({2, 4, 4, 56}, {false, true, true, false}, &b));
  EXPECT_EQ(b.outer, 2);
  EXPECT_EQ(b.reduce, 16);
  EXPECT_EQ(b.inner, 56);
  // Trailing axes: inner 1.
  ASSERT_TRUE(AsReduceBlock({3, 5, 7}, {false, true, true}, &b));
  EXPECT_EQ(b.outer, 3);
  EXPECT_EQ(b.reduce, 35);
  EXPECT_EQ(b.inner, 1);
  // Leading axes: outer 1.
  ASSERT_TRUE(AsReduceBlock({3, 5, 7}, {true, false, false}, &b));
  EXPECT_EQ(b.outer, 1);
  EXPECT_EQ(b.reduce, 3);
  EXPECT_EQ(b.inner, 35);
  // Size-1 dims do not split a run.
  ASSERT_TRUE(AsReduceBlock({1, 4, 1, 4, 8}, {false, true, false, true, false}, &b));
  EXPECT_EQ(b.outer, 1);
  EXPECT_EQ(b.reduce, 16);
  EXPECT_EQ(b.inner, 8);
  // Nothing reduced: every output its own lane.
  ASSERT_TRUE(AsReduceBlock({3, 5}, {false, false}, &b));
  EXPECT_EQ(b.outer, 1);
  EXPECT_EQ(b.reduce, 1);
  EXPECT_EQ(b.inner, 15);
  // Two runs: the generic walk.
  EXPECT_FALSE(AsReduceBlock({2, 3, 4}, {true, false, true}, &b));
  EXPECT_FALSE(AsReduceBlock({2, 3, 4, 5}, {false, true, false, true}, &b));
}

// The block path gives the same bits as the reference walk for MEAN, SUM, REDUCE_MAX / MIN / PROD
// over float data, on block-shaped and other reductions alike.
TEST_F(ReduceTest, FloatReductionsBitExact) {
  std::mt19937 rng(20261121);
  const std::vector<ReduceCase> cases = ReduceCases(rng, 400);
  int block = 0, walk = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    const ReduceCase& c = cases[i];
    ReduceBlock b;
    (AsReduceBlock(c.dims, c.Reduced(), &b) ? block : walk) += 1;
    for (const char* op : {"MEAN", "SUM", "REDUCE_MAX", "REDUCE_MIN", "REDUCE_PROD"}) {
      const int mix = static_cast<int>((i + static_cast<size_t>(op[0])) % 3);
      const std::vector<float> x = RandomReduceFloats(rng, NumElements(c.dims), mix);
      const std::vector<float> want = RefReduce<float>(op, c.dims, x, c.axes);
      Tensor y = Fold1(op, {F(c.dims, x), c.AxesTensor()}, {{"keep_dims", c.keep_dims}});
      ASSERT_EQ(y.dims, c.OutDims()) << op << " " << c.Describe();
      EXPECT_TRUE(SameBits(y.f(), want)) << op << " " << c.Describe() << " mix " << mix;
    }
  }
  // Both paths were exercised.
  EXPECT_GT(block, 100);
  EXPECT_GT(walk, 20);
}

// Integer data takes the same block path (int64 accumulators; exact, but checked anyway).
TEST_F(ReduceTest, IntegerReductionsMatchTheWalk) {
  std::mt19937 rng(7);
  const std::vector<ReduceCase> cases = ReduceCases(rng, 60);
  for (const ReduceCase& c : cases) {
    const int64_t n = NumElements(c.dims);
    std::uniform_int_distribution<int32_t> u(-1000, 1000);
    std::uniform_int_distribution<int32_t> u8(-128, 127);
    std::vector<int32_t> x32(static_cast<size_t>(n));
    std::vector<int8_t> x8(static_cast<size_t>(n));
    for (int32_t& v : x32) v = u(rng);
    for (int8_t& v : x8) v = static_cast<int8_t>(u8(rng));
    const Attrs attrs = {{"keep_dims", c.keep_dims}};
    for (const char* op : {"MEAN", "SUM", "REDUCE_MAX", "REDUCE_MIN"}) {
      EXPECT_EQ(Fold1(op, {I32(c.dims, x32), c.AxesTensor()}, attrs).i32(), RefReduce<int32_t>(op, c.dims, x32, c.axes))
          << op << " " << c.Describe();
    }
    for (const char* op : {"REDUCE_MAX", "REDUCE_MIN"}) {
      EXPECT_EQ(Fold1(op, {I8(c.dims, x8), c.AxesTensor()}, attrs).as<int8_t>(),
                RefReduce<int8_t>(op, c.dims, x8, c.axes))
          << op << " " << c.Describe();
    }
    std::vector<int64_t> signs(static_cast<size_t>(n));  // PROD of +-1 cannot overflow
    for (size_t k = 0; k < signs.size(); ++k) signs[k] = x32[k] < 0 ? -1 : 1;
    EXPECT_EQ(Fold1("REDUCE_PROD", {I64(c.dims, signs), c.AxesTensor()}, attrs).i64(),
              RefReduce<int64_t>("REDUCE_PROD", c.dims, signs, c.axes))
        << c.Describe();
  }
}

TEST_F(ReduceTest, MeanOverSpatialAxesIsGlobalAveragePooling) {
  // NHWC [1,2,2,2]: channel 0 = 1,3,5,7; channel 1 = 2,4,6,8.
  const Tensor x = F({1, 2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  Tensor keep = Fold1("MEAN", {x, Vec({1, 2})}, {{"keep_dims", true}});
  EXPECT_EQ(keep.dims, (Dims{1, 1, 1, 2}));
  ExpectNear(keep.f(), {4, 5});
  Tensor drop = Fold1("MEAN", {x, Vec({2, -3})});
  EXPECT_EQ(drop.dims, (Dims{1, 2}));
  ExpectNear(drop.f(), {4, 5});
}

TEST_F(ReduceTest, SumMaxMinProd) {
  const Tensor x = F({2, 3}, {1, 2, 3, 4, 5, 6});
  ExpectNear(Fold1("SUM", {x, Scalar(-1)}).f(), {6, 15});
  ExpectNear(Fold1("SUM", {x, Vec({0, 0})}).f(), {5, 7, 9});  // duplicate axes count once
  ExpectNear(Fold1("SUM", {x, Vec({0, 1})}).f(), {21});
  ExpectNear(Fold1("REDUCE_MAX", {F({2, 3}, {1, -2, 3, -4, 5, -6}), Scalar(0)}).f(), {1, 5, 3});
  ExpectNear(Fold1("REDUCE_MIN", {F({2, 3}, {1, -2, 3, -4, 5, -6}), Scalar(1)}).f(), {-2, -6});
  ExpectNear(Fold1("REDUCE_PROD", {x, Scalar(1)}, {{"keep_dims", true}}).f(), {6, 120});
  // No axes: nothing reduced.
  Tensor same = Fold1("SUM", {x, I32({0}, {})});
  EXPECT_EQ(same.dims, (Dims{2, 3}));
  ExpectNear(same.f(), {1, 2, 3, 4, 5, 6});
}

TEST_F(ReduceTest, IntegerReductions) {
  EXPECT_EQ(Fold1("SUM", {Vec({1, 2, 3}), Scalar(0)}).i32(), (std::vector<int32_t>{6}));
  EXPECT_EQ(Fold1("MEAN", {Vec({1, 2}), Scalar(0)}).i32(), (std::vector<int32_t>{1}));  // truncated
  EXPECT_EQ(Fold1("REDUCE_MAX", {I8({3}, {-5, 7, 3}), Scalar(0)}).as<int8_t>(), (std::vector<int8_t>{7}));
  EXPECT_EQ(Fold1("REDUCE_PROD", {I64({3}, {2, 3, 4}), Scalar(0)}).i64(), (std::vector<int64_t>{24}));
}

TEST_F(ReduceTest, AnyAll) {
  const Tensor b = Bool({2, 3}, {1, 0, 0, 1, 1, 1});
  EXPECT_EQ(Fold1("REDUCE_ANY", {b, Scalar(1)}).b(), (std::vector<bool>{true, true}));
  EXPECT_EQ(Fold1("REDUCE_ALL", {b, Scalar(1)}).b(), (std::vector<bool>{false, true}));
  EXPECT_EQ(Fold1("REDUCE_ALL", {b, Scalar(0)}).b(), (std::vector<bool>{true, false, false}));
  EXPECT_EQ(Fold1("REDUCE_ANY", {Bool({2}, {0, 0}), Scalar(0)}).b(), (std::vector<bool>{false}));
}

TEST_F(ReduceTest, Shapes) {
  NodeView n;
  TFLC_ASSERT_OK(InferOne("MEAN", {Input(TFLC_TYPE_FLOAT32, {-1, 7, 7, 32}), Const(Vec({1, 2}))}, {}, &n));
  EXPECT_EQ(n.output(0).dims(), (Dims{-1, 32}));
  TFLC_ASSERT_OK(InferOne("SUM", {Input(TFLC_TYPE_FLOAT32, {2, 3}), Input(TFLC_TYPE_INT32, {1})}, {{"keep_dims", true}}, &n));
  EXPECT_EQ(n.output(0).dims(), (Dims{-1, -1}));  // axes unknown: rank kept, sizes unknown
  Status s = InferOne("MEAN", {Input(TFLC_TYPE_FLOAT32, {2, 3}), Const(Vec({2}))}, {}, &n);
  EXPECT_TRUE(StatusHas(s, TFLC_CODE_INVALID_ARGUMENT, "reduction axis 2 is out of range for rank 2"));
}

TEST_F(ReduceTest, ArgMaxArgMinTakeTheFirstExtremum) {
  const Tensor x = F({2, 3}, {1, 5, 5, 7, 0, 7});
  Tensor a = Fold1("ARG_MAX", {x, Scalar(1)}, {{"output_type", TFLC_TYPE_INT32}});
  EXPECT_EQ(a.type, TFLC_TYPE_INT32);
  EXPECT_EQ(a.dims, (Dims{2}));
  EXPECT_EQ(a.i32(), (std::vector<int32_t>{1, 0}));
  Tensor b = Fold1("ARG_MAX", {x, Scalar(0)}, {{"output_type", TFLC_TYPE_INT64}});
  EXPECT_EQ(b.i64(), (std::vector<int64_t>{1, 0, 1}));
  EXPECT_EQ(Fold1("ARG_MIN", {x, Vec({-1})}, {{"output_type", TFLC_TYPE_INT32}}).i32(), (std::vector<int32_t>{0, 1}));
  NodeView n;
  EXPECT_TRUE(StatusHas(InferOne("ARG_MAX", {Input(TFLC_TYPE_FLOAT32, {2, 3}), Const(Scalar(1))}, {}, &n),
                        TFLC_CODE_INVALID_ARGUMENT, "'output_type'"));
}

TEST_F(ReduceTest, Cumsum) {
  const Tensor x = F({4}, {1, 2, 3, 4});
  ExpectNear(Fold1("CUMSUM", {x, Scalar(0)}).f(), {1, 3, 6, 10});
  ExpectNear(Fold1("CUMSUM", {x, Scalar(0)}, {{"exclusive", true}}).f(), {0, 1, 3, 6});
  ExpectNear(Fold1("CUMSUM", {x, Scalar(0)}, {{"reverse", true}}).f(), {10, 9, 7, 4});
  ExpectNear(Fold1("CUMSUM", {x, Scalar(0)}, {{"reverse", true}, {"exclusive", true}}).f(), {9, 7, 4, 0});
  EXPECT_EQ(Fold1("CUMSUM", {I32({2, 2}, {1, 2, 3, 4}), Scalar(0)}).i32(), (std::vector<int32_t>{1, 2, 4, 6}));
}

TEST_F(ReduceTest, TopK) {
  auto out = Fold("TOPK_V2", {F({2, 4}, {1, 3, 2, 3, 5, 4, 6, 0}), Scalar(2)}, {}, 2);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].dims, (Dims{2, 2}));
  ExpectNear(out[0].f(), {3, 3, 6, 5});
  EXPECT_EQ(out[1].type, TFLC_TYPE_INT32);
  EXPECT_EQ(out[1].i32(), (std::vector<int32_t>{1, 3, 2, 0}));
  NodeView n;
  EXPECT_TRUE(StatusHas(InferOne("TOPK_V2", {Input(TFLC_TYPE_FLOAT32, {2, 4}), Const(Scalar(5))}, {}, &n, 2),
                        TFLC_CODE_INVALID_ARGUMENT, "k = 5 is out of range"));
}

}  // namespace
}  // namespace tflc::opset_builtin::testing
