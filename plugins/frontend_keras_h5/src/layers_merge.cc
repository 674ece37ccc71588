// Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate.
#include "layers.h"

namespace tflc::keras {

namespace {

StatusOr<Shape> MergeShape(LayerContext& ctx) {
  Shape s = ctx.in(0).shape;
  for (size_t i = 1; i < ctx.inputs().size(); ++i) {
    const Shape& o = ctx.in(i).shape;
    if (o.size() != s.size() || !BroadcastShapes(s, o, &s))
      return InvalidArgument("input shapes " + ShapeStr(ctx.in(0).shape) + " and " + ShapeStr(o) +
                             " cannot be merged (they must have the same rank and broadcast)");
  }
  return s;
}

// inputs[0] op inputs[1] op ... (Keras _Merge._merge_function order).
Status Chain(LayerContext& ctx, const std::string& op, std::vector<Tensor>* out, Tensor* result = nullptr) {
  if (ctx.inputs().size() < 2)
    return InvalidArgument("expects at least 2 inputs, the model config gives it " + std::to_string(ctx.inputs().size()));
  Tensor y = ctx.in(0);
  TFLC_ASSIGN_OR_RETURN(y.shape, MergeShape(ctx));
  for (size_t i = 1; i < ctx.inputs().size(); ++i) {
    TFLC_ASSIGN_OR_RETURN(y.value, ctx.Op(op, {y.value, ctx.in(i).value}, {Attr::T()}));
  }
  if (result) *result = y;
  else out->push_back(y);
  return OkStatus();
}

}  // namespace

Status ConvertAdd(LayerContext& ctx, std::vector<Tensor>* out) { return Chain(ctx, "AddV2", out); }
Status ConvertMultiply(LayerContext& ctx, std::vector<Tensor>* out) { return Chain(ctx, "Mul", out); }
Status ConvertMaximum(LayerContext& ctx, std::vector<Tensor>* out) { return Chain(ctx, "Maximum", out); }
Status ConvertMinimum(LayerContext& ctx, std::vector<Tensor>* out) { return Chain(ctx, "Minimum", out); }

Status ConvertSubtract(LayerContext& ctx, std::vector<Tensor>* out) {
  TFLC_RETURN_IF_ERROR(ctx.ExpectInputs(2));
  return Chain(ctx, "Sub", out);
}

Status ConvertAverage(LayerContext& ctx, std::vector<Tensor>* out) {
  Tensor sum;
  TFLC_RETURN_IF_ERROR(Chain(ctx, "AddV2", out, &sum));
  TFLC_ASSIGN_OR_RETURN(ValueView k, ctx.ScalarF32("inv_n", 1.0f / static_cast<float>(ctx.inputs().size())));
  TFLC_ASSIGN_OR_RETURN(sum.value, ctx.Op("Mul", {sum.value, k}, {Attr::T()}));
  out->push_back(sum);
  return OkStatus();
}

Status ConvertConcatenate(LayerContext& ctx, std::vector<Tensor>* out) {
  if (ctx.inputs().empty()) return InvalidArgument("has no inputs");
  TFLC_ASSIGN_OR_RETURN(int64_t axis, ctx.Int("axis", -1));
  const int rank = ctx.in(0).rank();
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank)
    return InvalidArgument("axis " + std::to_string(axis) + " is out of range for input shape " + ShapeStr(ctx.in(0).shape));
  Tensor y = ctx.in(0);
  int64_t total = 0;
  std::vector<ValueView> ins;
  for (const auto& t : ctx.inputs()) {
    if (t.rank() != rank) return InvalidArgument("inputs have different ranks (" + ShapeStr(ctx.in(0).shape) + " and " + ShapeStr(t.shape) + ")");
    for (int d = 0; d < rank; ++d) {
      if (d == axis) continue;
      const int64_t a = y.shape[static_cast<size_t>(d)], b = t.shape[static_cast<size_t>(d)];
      if (a >= 0 && b >= 0 && a != b)
        return InvalidArgument("input shapes " + ShapeStr(ctx.in(0).shape) + " and " + ShapeStr(t.shape) +
                               " differ outside the concatenation axis " + std::to_string(axis));
    }
    const int64_t n = t.shape[static_cast<size_t>(axis)];
    total = (total < 0 || n < 0) ? -1 : total + n;
    ins.push_back(t.value);
  }
  if (ins.size() == 1) {
    out->push_back(y);
    return OkStatus();
  }
  y.shape[static_cast<size_t>(axis)] = total;
  TFLC_ASSIGN_OR_RETURN(ValueView ax, ctx.em().ScalarI32(ctx.scope(), "concat/axis", static_cast<int32_t>(axis)));
  ins.push_back(ax);
  TFLC_ASSIGN_OR_RETURN(y.value, ctx.Op("ConcatV2", ins, {Attr::T(), Attr::Int("N", static_cast<int64_t>(ins.size() - 1)),
                                                          Attr::Type("Tidx", TFLC_TYPE_INT32)}));
  out->push_back(y);
  return OkStatus();
}

}  // namespace tflc::keras
