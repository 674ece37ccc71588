// Elementwise ops: broadcasting arithmetic and comparisons, logic, unary math, SELECT, ADD_N, CAST.
#include <cmath>
#include <functional>

#include "elementwise.h"
#include "ops.h"

namespace tflc::opset_builtin {
namespace {

Status CheckSameTypes(const OpContext& c, size_t a, size_t b) {
  TflcDataType ta = c.type(a), tb = c.type(b);
  if (ta != TFLC_TYPE_UNKNOWN && tb != TFLC_TYPE_UNKNOWN && ta != tb) {
    return InvalidArgument("inputs " + std::to_string(a) + " and " + std::to_string(b) +
                           " must have the same type, got " + TypeName(ta) + " and " + TypeName(tb));
  }
  return OkStatus();
}

Status InferBroadcast(ShapeContext& c, TflcDataType out_type) {
  TFLC_RETURN_IF_ERROR(c.ExpectInputs(2, 2));
  TFLC_RETURN_IF_ERROR(c.ExpectOutputs(1));
  TFLC_RETURN_IF_ERROR(c.Require(0, "x"));
  TFLC_RETURN_IF_ERROR(c.Require(1, "y"));
  TFLC_RETURN_IF_ERROR(CheckSameTypes(c, 0, 1));
  if (c.rank(0) < 0 || c.rank(1) < 0) return c.SetUnknownRank(0, out_type);
  TFLC_ASSIGN_OR_RETURN(Dims out, BroadcastShapes(c.dims(0), c.dims(1)));
  return c.Set(0, out_type, out);
}

TflcDataType KnownType(const OpContext& c, size_t a, size_t b) {
  return c.type(a) != TFLC_TYPE_UNKNOWN ? c.type(a) : c.type(b);
}

// Integer division kernels reject a zero divisor, as TFLite does.
Status CheckNoZeroDivisor(const EvalContext& c, const char* op) {
  TflcDataType t = c.type(1);
  if (t != TFLC_TYPE_INT32 && t != TFLC_TYPE_INT64) return OkStatus();
  const int64_t n = c.in_size(1);
  for (int64_t i = 0; i < n; ++i) {
    int64_t v = t == TFLC_TYPE_INT32 ? c.in<int32_t>(1)[i] : c.in<int64_t>(1)[i];
    if (v == 0) return InvalidArgument(std::string(op) + ": integer division by zero (element " + std::to_string(i) + " of input 1)");
  }
  return OkStatus();
}

// ---- functors ----
struct AddFn { template <typename T> T operator()(T a, T b) const { return a + b; } };
struct SubFn { template <typename T> T operator()(T a, T b) const { return a - b; } };
struct MulFn { template <typename T> T operator()(T a, T b) const { return a * b; } };
struct DivFn { template <typename T> T operator()(T a, T b) const { return a / b; } };  // ints truncate
struct MaxFn { template <typename T> T operator()(T a, T b) const { return a > b ? a : b; } };
struct MinFn { template <typename T> T operator()(T a, T b) const { return a < b ? a : b; } };
struct SquaredDiffFn {
  template <typename T> T operator()(T a, T b) const { T d = a - b; return d * d; }
};
struct PowFn {
  template <typename T>
  T operator()(T a, T b) const {
    if constexpr (std::is_floating_point_v<T>) {
      return std::pow(a, b);
    } else {  // integer power by squaring; negative exponents are rejected before
      T result = 1;
      while (b > 0) {
        if (b & 1) result *= a;
        a *= a;
        b >>= 1;
      }
      return result;
    }
  }
};
struct FloorDivFn {
  template <typename T>
  T operator()(T a, T b) const {
    if constexpr (std::is_floating_point_v<T>) {
      return std::floor(a / b);
    } else {
      T q = a / b;
      return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
    }
  }
};
struct FloorModFn {  // tflite/kernels/internal/reference/floor_mod.h
  template <typename T>
  T operator()(T a, T b) const {
    T trunc_mod;
    if constexpr (std::is_floating_point_v<T>) {
      trunc_mod = std::fmod(a, b);
    } else {
      trunc_mod = a % b;
    }
    return (trunc_mod != 0) && ((b < 0) != (trunc_mod < 0)) ? trunc_mod + b : trunc_mod;
  }
};
struct EqualFn { template <typename T> bool operator()(T a, T b) const { return a == b; } };
struct NotEqualFn { template <typename T> bool operator()(T a, T b) const { return a != b; } };
struct LessFn { template <typename T> bool operator()(T a, T b) const { return a < b; } };
struct LessEqualFn { template <typename T> bool operator()(T a, T b) const { return a <= b; } };
struct GreaterFn { template <typename T> bool operator()(T a, T b) const { return a > b; } };
struct GreaterEqualFn { template <typename T> bool operator()(T a, T b) const { return a >= b; } };
struct AbsFn { template <typename T> T operator()(T x) const { return x < 0 ? -x : x; } };
struct NegFn { template <typename T> T operator()(T x) const { return -x; } };
struct SquareFn { template <typename T> T operator()(T x) const { return x * x; } };

// tflite/kernels/internal/reference/round.h: round half to even.
float RoundToNearestEven(float value) {
  float floor_val = std::floor(value);
  float diff = value - floor_val;
  if (diff < 0.5f || (diff == 0.5f && std::fmod(floor_val, 2.0f) == 0.f)) return floor_val;
  return floor_val + 1.0f;
}

template <typename Fn>
Status EvalLogical(const EvalContext& c) {
  if (c.type(0) != TFLC_TYPE_BOOL) return Unimplemented("logical ops take BOOL inputs");
  Fn fn;
  BroadcastBinary<uint8_t, bool>(c, [&](uint8_t a, uint8_t b) { return fn(a != 0, b != 0); });
  return OkStatus();
}

// ---- CAST ----
template <typename Out>
Status CastTo(const EvalContext& c, Out* out) {
  const int64_t n = c.in_size(0);
  if (c.type(0) == TFLC_TYPE_FLOAT16) {
    const uint16_t* in = c.in<uint16_t>(0);
    for (int64_t i = 0; i < n; ++i) {
      float v = HalfToFloat(in[i]);
      if constexpr (std::is_same_v<Out, bool>) {
        out[i] = v != 0.f;
      } else {
        out[i] = static_cast<Out>(v);
      }
    }
    return OkStatus();
  }
  return DispatchAll(c.type(0), "CAST", [&](auto tag) -> Status {
    using In = typename decltype(tag)::type;
    const In* in = c.in<In>(0);
    for (int64_t i = 0; i < n; ++i) {
      if constexpr (std::is_same_v<Out, bool>) {
        out[i] = in[i] != In(0);
      } else {
        out[i] = static_cast<Out>(in[i]);
      }
    }
    return OkStatus();
  });
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Shapes.

Status InferBinary(ShapeContext& c) { return InferBroadcast(c, KnownType(c, 0, 1)); }

Status InferComparison(ShapeContext& c) { return InferBroadcast(c, TFLC_TYPE_BOOL); }

Status InferLogicalBinary(ShapeContext& c) {
  for (size_t i = 0; i < 2 && i < c.num_inputs(); ++i) {
    if (c.type(i) != TFLC_TYPE_UNKNOWN && c.type(i) != TFLC_TYPE_BOOL) {
      return InvalidArgument("input " + std::to_string(i) + " must be BOOL, got " + TypeName(c.type(i)));
    }
  }
  return InferBroadcast(c, TFLC_TYPE_BOOL);
}

Status InferUnary(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(c.ExpectInputs(1, 1));
  TFLC_RETURN_IF_ERROR(c.ExpectOutputs(1));
  TFLC_RETURN_IF_ERROR(c.Require(0, "x"));
  return c.SetLike(0, 0);
}

Status InferLogicalNot(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(InferUnary(c));
  if (c.type(0) != TFLC_TYPE_UNKNOWN && c.type(0) != TFLC_TYPE_BOOL) {
    return InvalidArgument("input 0 must be BOOL, got " + TypeName(c.type(0)));
  }
  return OkStatus();
}

Status InferAddN(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(c.ExpectOutputs(1));
  if (c.num_inputs() < 1) return InvalidArgument("expects at least 1 input");
  Dims out;
  bool ranked = false;
  for (size_t i = 0; i < c.num_inputs(); ++i) {
    TFLC_RETURN_IF_ERROR(c.Require(i, "summand"));
    TFLC_RETURN_IF_ERROR(CheckSameTypes(c, 0, i));
    if (c.rank(i) < 0) continue;
    Dims d = c.dims(i);
    if (!ranked) {
      out = d;
      ranked = true;
      continue;
    }
    if (d.size() != out.size()) {
      return InvalidArgument("all inputs must have the same shape; input 0 is " + DimsToString(out) + ", input " +
                             std::to_string(i) + " is " + DimsToString(d));
    }
    for (size_t k = 0; k < d.size(); ++k) {
      auto m = MergeDim(out[k], d[k]);
      if (!m.ok()) {
        return InvalidArgument("all inputs must have the same shape; got " + DimsToString(out) + " and " +
                               DimsToString(d) + " (input " + std::to_string(i) + ")");
      }
      out[k] = *m;
    }
  }
  if (!ranked) return c.SetUnknownRank(0, c.type(0));
  return c.Set(0, c.type(0), out);
}

Status InferSelect(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(c.ExpectInputs(3, 3));
  TFLC_RETURN_IF_ERROR(c.ExpectOutputs(1));
  TFLC_RETURN_IF_ERROR(c.Require(0, "condition"));
  TFLC_RETURN_IF_ERROR(c.Require(1, "x"));
  TFLC_RETURN_IF_ERROR(c.Require(2, "y"));
  TFLC_RETURN_IF_ERROR(CheckSameTypes(c, 1, 2));
  if (c.type(0) != TFLC_TYPE_UNKNOWN && c.type(0) != TFLC_TYPE_BOOL) {
    return InvalidArgument("condition must be BOOL, got " + TypeName(c.type(0)));
  }
  TflcDataType t = KnownType(c, 1, 2);
  if (c.rank(1) < 0 || c.rank(2) < 0) return c.SetUnknownRank(0, t);
  Dims x = c.dims(1), y = c.dims(2);
  if (x.size() != y.size()) {
    return InvalidArgument("SELECT needs x and y of the same shape, got " + DimsToString(x) + " and " + DimsToString(y));
  }
  for (size_t k = 0; k < x.size(); ++k) {
    auto m = MergeDim(x[k], y[k]);
    if (!m.ok()) {
      return InvalidArgument("SELECT needs x and y of the same shape, got " + DimsToString(x) + " and " + DimsToString(y));
    }
    x[k] = *m;
  }
  if (c.rank(0) >= 0) {
    Dims cond = c.dims(0);
    bool low_rank = cond.empty() || (cond.size() == 1 && !x.empty() && MergeDim(cond[0], x[0]).ok());
    bool same = cond.size() == x.size();
    for (size_t k = 0; same && k < x.size(); ++k) same = MergeDim(cond[k], x[k]).ok();
    if (!same && !low_rank) {
      return InvalidArgument("SELECT condition " + DimsToString(cond) + " must have the shape of x " +
                             DimsToString(x) + ", or be a scalar or a vector over x's first dimension "
                             "(use SELECT_V2 to broadcast)");
    }
  }
  return c.Set(0, t, x);
}

Status InferSelectV2(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(c.ExpectInputs(3, 3));
  TFLC_RETURN_IF_ERROR(c.ExpectOutputs(1));
  for (size_t i = 0; i < 3; ++i) TFLC_RETURN_IF_ERROR(c.Require(i, i == 0 ? "condition" : (i == 1 ? "x" : "y")));
  TFLC_RETURN_IF_ERROR(CheckSameTypes(c, 1, 2));
  if (c.type(0) != TFLC_TYPE_UNKNOWN && c.type(0) != TFLC_TYPE_BOOL) {
    return InvalidArgument("condition must be BOOL, got " + TypeName(c.type(0)));
  }
  TflcDataType t = KnownType(c, 1, 2);
  if (c.rank(0) < 0 || c.rank(1) < 0 || c.rank(2) < 0) return c.SetUnknownRank(0, t);
  TFLC_ASSIGN_OR_RETURN(Dims xy, BroadcastShapes(c.dims(1), c.dims(2)));
  TFLC_ASSIGN_OR_RETURN(Dims out, BroadcastShapes(c.dims(0), xy));
  return c.Set(0, t, out);
}

Status InferCast(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(c.ExpectInputs(1, 1));
  TFLC_RETURN_IF_ERROR(c.ExpectOutputs(1));
  TFLC_RETURN_IF_ERROR(c.Require(0, "x"));
  if (!c.node().HasAttr("out_data_type")) {
    return InvalidArgument("CAST needs the attribute 'out_data_type' (a TensorType value, e.g. INT32=2)");
  }
  TFLC_ASSIGN_OR_RETURN(int64_t out, c.Int("out_data_type"));
  if (out < 0 || sdk::ElementSize(static_cast<TflcDataType>(out)) == 0) {
    return InvalidArgument("out_data_type " + std::to_string(out) + " is not a castable TensorType");
  }
  auto t = static_cast<TflcDataType>(out);
  if (c.rank(0) < 0) return c.SetUnknownRank(0, t);
  return c.Set(0, t, c.dims(0));
}

// ---------------------------------------------------------------------------------------------
// Kernels.

Status EvalAdd(EvalContext& c) { return EvalArithmetic<AddFn>(c, "ADD", true); }
Status EvalSub(EvalContext& c) { return EvalArithmetic<SubFn>(c, "SUB", true); }
Status EvalMul(EvalContext& c) { return EvalArithmetic<MulFn>(c, "MUL", true); }
Status EvalDiv(EvalContext& c) {
  TFLC_RETURN_IF_ERROR(CheckNoZeroDivisor(c, "DIV"));
  return EvalArithmetic<DivFn>(c, "DIV", true);
}
Status EvalMaximum(EvalContext& c) { return EvalArithmetic<MaxFn>(c, "MAXIMUM", false); }
Status EvalMinimum(EvalContext& c) { return EvalArithmetic<MinFn>(c, "MINIMUM", false); }
Status EvalSquaredDifference(EvalContext& c) { return EvalArithmetic<SquaredDiffFn>(c, "SQUARED_DIFFERENCE", false); }
Status EvalPow(EvalContext& c) {
  if (c.type(1) == TFLC_TYPE_INT32 || c.type(1) == TFLC_TYPE_INT64) {
    TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> e, c.IntsOf(1));
    for (int64_t v : e) {
      if (v < 0) return InvalidArgument("POW: integer base to a negative integer power (" + std::to_string(v) + ")");
    }
  }
  return EvalArithmetic<PowFn>(c, "POW", false);
}
Status EvalFloorDiv(EvalContext& c) {
  TFLC_RETURN_IF_ERROR(CheckNoZeroDivisor(c, "FLOOR_DIV"));
  return EvalArithmetic<FloorDivFn>(c, "FLOOR_DIV", false);
}
Status EvalFloorMod(EvalContext& c) {
  TFLC_RETURN_IF_ERROR(CheckNoZeroDivisor(c, "FLOOR_MOD"));
  return EvalArithmetic<FloorModFn>(c, "FLOOR_MOD", false);
}

Status EvalAddN(EvalContext& c) {
  return DispatchArith(c.type(0), "ADD_N", [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    T* o = c.out<T>(0);
    const int64_t n = c.out_size(0);
    for (int64_t k = 0; k < n; ++k) o[k] = T(0);
    for (size_t i = 0; i < c.num_inputs(); ++i) {
      const T* a = c.in<T>(i);
      for (int64_t k = 0; k < n; ++k) o[k] += a[k];
    }
    return OkStatus();
  });
}

Status EvalEqual(EvalContext& c) { return EvalComparison<EqualFn>(c, "EQUAL"); }
Status EvalNotEqual(EvalContext& c) { return EvalComparison<NotEqualFn>(c, "NOT_EQUAL"); }
Status EvalLess(EvalContext& c) { return EvalComparison<LessFn>(c, "LESS"); }
Status EvalLessEqual(EvalContext& c) { return EvalComparison<LessEqualFn>(c, "LESS_EQUAL"); }
Status EvalGreater(EvalContext& c) { return EvalComparison<GreaterFn>(c, "GREATER"); }
Status EvalGreaterEqual(EvalContext& c) { return EvalComparison<GreaterEqualFn>(c, "GREATER_EQUAL"); }
Status EvalLogicalAnd(EvalContext& c) { return EvalLogical<std::logical_and<bool>>(c); }
Status EvalLogicalOr(EvalContext& c) { return EvalLogical<std::logical_or<bool>>(c); }
Status EvalLogicalNot(EvalContext& c) {
  if (c.type(0) != TFLC_TYPE_BOOL) return Unimplemented("LOGICAL_NOT takes BOOL input");
  MapUnary<uint8_t, bool>(c, [](uint8_t x) { return x == 0; });
  return OkStatus();
}

Status EvalSelect(EvalContext& c) {
  TFLC_ASSIGN_OR_RETURN(size_t bytes, ElementBytes(c.type(1), "SELECT"));
  const uint8_t* cond = c.in<uint8_t>(0);
  const auto* x = c.in<uint8_t>(1);
  const auto* y = c.in<uint8_t>(2);
  auto* o = c.out<uint8_t>(0);
  const int64_t n = c.out_size(0);
  const Dims cd = c.dims(0), xd = c.dims(1);
  // Same shape: elementwise. Scalar or vector condition: one choice per slice along dim 0.
  int64_t inner = 1;
  if (cd.size() != xd.size()) {
    inner = cd.empty() ? n : (xd.empty() || xd[0] == 0 ? 1 : n / xd[0]);
  }
  for (int64_t i = 0; i < n; ++i) {
    bool take_x = cond[inner == 1 ? i : i / inner] != 0;
    std::memcpy(o + i * bytes, (take_x ? x : y) + i * bytes, bytes);
  }
  return OkStatus();
}

Status EvalSelectV2(EvalContext& c) {
  TFLC_ASSIGN_OR_RETURN(size_t bytes, ElementBytes(c.type(1), "SELECT_V2"));
  const uint8_t* cond = c.in<uint8_t>(0);
  const auto* x = c.in<uint8_t>(1);
  const auto* y = c.in<uint8_t>(2);
  auto* o = c.out<uint8_t>(0);
  const Dims ins[3] = {c.dims(0), c.dims(1), c.dims(2)};
  ForEachBroadcast(c.out_dims(0), ins, [&](int64_t i, int64_t ic, int64_t ix, int64_t iy) {
    std::memcpy(o + i * bytes, cond[ic] ? x + ix * bytes : y + iy * bytes, bytes);
  });
  return OkStatus();
}

Status EvalExp(EvalContext& c) { return EvalUnaryFloat(c, "EXP", [](float x) { return std::exp(x); }); }
Status EvalLog(EvalContext& c) { return EvalUnaryFloat(c, "LOG", [](float x) { return std::log(x); }); }
Status EvalSqrt(EvalContext& c) { return EvalUnaryFloat(c, "SQRT", [](float x) { return std::sqrt(x); }); }
Status EvalRsqrt(EvalContext& c) { return EvalUnaryFloat(c, "RSQRT", [](float x) { return 1.f / std::sqrt(x); }); }
Status EvalFloor(EvalContext& c) { return EvalUnaryFloat(c, "FLOOR", [](float x) { return std::floor(x); }); }
Status EvalCeil(EvalContext& c) { return EvalUnaryFloat(c, "CEIL", [](float x) { return std::ceil(x); }); }
Status EvalRound(EvalContext& c) { return EvalUnaryFloat(c, "ROUND", RoundToNearestEven); }
Status EvalSin(EvalContext& c) { return EvalUnaryFloat(c, "SIN", [](float x) { return std::sin(x); }); }
Status EvalCos(EvalContext& c) { return EvalUnaryFloat(c, "COS", [](float x) { return std::cos(x); }); }
Status EvalSquare(EvalContext& c) { return EvalUnaryArith<SquareFn>(c, "SQUARE"); }
Status EvalAbs(EvalContext& c) { return EvalUnaryArith<AbsFn>(c, "ABS"); }
Status EvalNeg(EvalContext& c) { return EvalUnaryArith<NegFn>(c, "NEG"); }

Status EvalZerosLike(EvalContext& c) {
  TFLC_ASSIGN_OR_RETURN(size_t bytes, ElementBytes(c.output_type(0), "ZEROS_LIKE"));
  std::memset(c.out_data(0), 0, static_cast<size_t>(c.out_size(0)) * bytes);
  return OkStatus();
}

Status EvalCast(EvalContext& c) {
  TflcDataType out = c.output_type(0);
  if (out == TFLC_TYPE_FLOAT16) {
    std::vector<float> tmp(static_cast<size_t>(c.out_size(0)));
    TFLC_RETURN_IF_ERROR(CastTo<float>(c, tmp.data()));
    uint16_t* o = c.out<uint16_t>(0);
    for (size_t i = 0; i < tmp.size(); ++i) o[i] = FloatToHalf(tmp[i]);
    return OkStatus();
  }
  switch (out) {
    case TFLC_TYPE_FLOAT32: return CastTo<float>(c, c.out<float>(0));
    case TFLC_TYPE_INT32: return CastTo<int32_t>(c, c.out<int32_t>(0));
    case TFLC_TYPE_INT64: return CastTo<int64_t>(c, c.out<int64_t>(0));
    case TFLC_TYPE_INT16: return CastTo<int16_t>(c, c.out<int16_t>(0));
    case TFLC_TYPE_INT8: return CastTo<int8_t>(c, c.out<int8_t>(0));
    case TFLC_TYPE_UINT8: return CastTo<uint8_t>(c, c.out<uint8_t>(0));
    case TFLC_TYPE_BOOL: return CastTo<bool>(c, c.out<bool>(0));
    default: return Unimplemented("CAST: the reference kernel does not produce " + TypeName(out));
  }
}

}  // namespace tflc::opset_builtin
