// The one generic implementation of elementwise kernels: broadcasting binaries and unaries over a
// functor. elementwise.cc (arithmetic, comparisons, math) and activation.cc instantiate it.
#ifndef TFLC_PLUGINS_OPSET_BUILTIN_SRC_ELEMENTWISE_H_
#define TFLC_PLUGINS_OPSET_BUILTIN_SRC_ELEMENTWISE_H_

#include "common.h"

namespace tflc::opset_builtin {

// out[i] = fn(a[ia], b[ib]) with numpy broadcasting of inputs 0 and 1 to output 0.
template <typename In, typename Out, typename Fn>
void BroadcastBinary(const EvalContext& c, Fn&& fn) {
  const In* a = c.in<In>(0);
  const In* b = c.in<In>(1);
  Out* o = c.out<Out>(0);
  const Dims out_dims = c.out_dims(0);
  const Dims da = c.dims(0), db = c.dims(1);
  if (da == out_dims && db == out_dims) {  // fast path: same shapes
    const int64_t n = NumElements(out_dims);
    for (int64_t i = 0; i < n; ++i) o[i] = fn(a[i], b[i]);
    return;
  }
  const Dims ins[2] = {da, db};
  ForEachBroadcast(out_dims, ins, [&](int64_t i, int64_t ia, int64_t ib) { o[i] = fn(a[ia], b[ib]); });
}

// out[i] = fn(in[i]) over input 0.
template <typename In, typename Out, typename Fn>
void MapUnary(const EvalContext& c, Fn&& fn) {
  const In* a = c.in<In>(0);
  Out* o = c.out<Out>(0);
  const int64_t n = c.out_size(0);
  for (int64_t i = 0; i < n; ++i) o[i] = fn(a[i]);
}

// Arithmetic binary (float / int32 / int64) with an optional fused activation.
template <typename Fn>
Status EvalArithmetic(const EvalContext& c, const char* op, bool fused_activation) {
  int64_t act = kActNone;
  if (fused_activation) {
    TFLC_ASSIGN_OR_RETURN(act, c.FusedActivation());
  }
  return DispatchArith(c.type(0), op, [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    Fn fn;
    if (act == kActNone) {
      BroadcastBinary<T, T>(c, [&](T a, T b) { return fn(a, b); });
    } else {
      BroadcastBinary<T, T>(c, [&](T a, T b) { return ApplyActivationT<T>(act, fn(a, b)); });
    }
    return OkStatus();
  });
}

// Comparison of any numeric/bool type; output BOOL.
template <typename Fn>
Status EvalComparison(const EvalContext& c, const char* op) {
  return DispatchAll(c.type(0), op, [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    Fn fn;
    BroadcastBinary<T, bool>(c, [&](T a, T b) { return fn(a, b); });
    return OkStatus();
  });
}

// A float32-only unary (math functions, activations).
template <typename Fn>
Status EvalUnaryFloat(const EvalContext& c, const char* op, Fn&& fn) {
  if (c.type(0) != TFLC_TYPE_FLOAT32) {
    return Unimplemented(std::string(op) + ": the reference kernel handles FLOAT32 only, got " + TypeName(c.type(0)));
  }
  MapUnary<float, float>(c, fn);
  return OkStatus();
}

// A unary over float / int32 / int64 (ABS, NEG, SQUARE).
template <typename Fn>
Status EvalUnaryArith(const EvalContext& c, const char* op) {
  return DispatchArith(c.type(0), op, [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    Fn fn;
    MapUnary<T, T>(c, [&](T x) { return fn(x); });
    return OkStatus();
  });
}

}  // namespace tflc::opset_builtin

#endif  // TFLC_PLUGINS_OPSET_BUILTIN_SRC_ELEMENTWISE_H_
