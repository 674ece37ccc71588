// TF-op layers of tf.keras (TFOpLambda, SlicingOpLambda) and Keras 3 operation layers
// (keras.src.ops.*): shared op emitters, the tf.keras function table and the Keras 3 op table.
//
// tf.keras: the layer config names the TF function (`function`: "math.reduce_mean"); the call's
// first argument is args[0] and every other argument is a kwarg named after the function's
// parameter (KERAS.md C.1). Keras 3: the op's __init__ arguments are in the config (axis,
// keepdims, ...), its call operands in args / kwargs (KERAS.md C.2). Both emit the TF raw ops TF's
// own function would trace (docs/keras-layers.md, "TF-op layers and Keras 3 operation layers").
#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <map>
#include <optional>

#include "layers.h"

namespace tflc::keras {

namespace {

std::string Brief(const Json& j) {
  std::string s = j.dump();
  return s.size() > 80 ? s.substr(0, 77) + "..." : s;
}

bool IsFloat(TflcDataType t) { return t == TFLC_TYPE_FLOAT32 || t == TFLC_TYPE_FLOAT16 || t == TFLC_TYPE_FLOAT64; }

StatusOr<TflcDataType> DtypeFromName(const std::string& d) {
  if (d == "float32" || d == "float16" || d == "bfloat16" || d == "float64" || d == "float") return TFLC_TYPE_FLOAT32;
  if (d == "int32") return TFLC_TYPE_INT32;
  if (d == "int64") return TFLC_TYPE_INT64;
  if (d == "int16") return TFLC_TYPE_INT16;
  if (d == "int8") return TFLC_TYPE_INT8;
  if (d == "uint8") return TFLC_TYPE_UINT8;
  if (d == "bool") return TFLC_TYPE_BOOL;
  return Unimplemented("dtype '" + d + "' is not supported (float32, int32, int64, int16, int8, uint8, bool)");
}

int64_t NumElements(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) {
    if (d < 0) return -1;
    n *= d;
  }
  return n;
}

// ------------------------------------------------------------------------------ constants

// A constant call argument: a number, a bool, nested lists, or a Keras 3 __numpy__/__tensor__.
struct ConstVal {
  Shape shape;
  std::vector<double> v;
  bool is_int = true;   // every value was written as an integer (or bool)
  bool is_bool = false;
  std::string dtype;    // Keras 3 explicit dtype, else empty
};

bool ParseNested(const Json& j, size_t depth, ConstVal* out) {
  if (j.is_boolean()) {
    out->v.push_back(j.get<bool>() ? 1.0 : 0.0);
    out->is_bool = true;
    return true;
  }
  if (j.is_number()) {
    if (!j.is_number_integer()) out->is_int = false;
    out->v.push_back(j.get<double>());
    return true;
  }
  if (!j.is_array()) return false;
  if (out->shape.size() == depth) out->shape.push_back(static_cast<int64_t>(j.size()));
  else if (out->shape.size() < depth || out->shape[depth] != static_cast<int64_t>(j.size())) return false;
  for (const auto& e : j)
    if (!ParseNested(e, depth + 1, out)) return false;
  return true;
}

bool ParseConst(const Json& j, ConstVal* out) {
  *out = ConstVal();
  if (j.is_object() && j.contains("class_name") &&
      (j["class_name"] == "__numpy__" || j["class_name"] == "__tensor__") && j.contains("config") &&
      j["config"].is_object() && j["config"].contains("value")) {
    if (j["config"].contains("dtype") && j["config"]["dtype"].is_string())
      out->dtype = j["config"]["dtype"].get<std::string>();
    return ParseNested(j["config"]["value"], 0, out);
  }
  return ParseNested(j, 0, out);
}

// ----------------------------------------------------------------------------- the call

// One call of an op layer: its positional arguments and keyword arguments, and emission helpers.
class OpCall {
 public:
  OpCall(LayerContext& ctx, Json args, Json kwargs)
      : ctx_(ctx), tensors_(&ctx.tensors()), args_(std::move(args)), kwargs_(std::move(kwargs)) {
    if (!args_.is_array()) args_ = Json::array({args_});
    if (!kwargs_.is_object()) kwargs_ = Json::object();
  }
  // A synthetic call (Lambda layers): tensor slots index `tensors` instead of the layer's tensors.
  OpCall(LayerContext& ctx, const std::vector<Tensor>& tensors, Json args, Json kwargs)
      : ctx_(ctx), tensors_(&tensors), args_(std::move(args)), kwargs_(std::move(kwargs)) {
    if (!args_.is_array()) args_ = Json::array({args_});
    if (!kwargs_.is_object()) kwargs_ = Json::object();
  }

  LayerContext& ctx() { return ctx_; }

  // The argument at position `pos` or keyword `name` (null when absent).
  Json Get(size_t pos, const std::string& name) const {
    if (pos < args_.size()) return args_[pos];
    if (kwargs_.contains(name)) return kwargs_[name];
    return Json();
  }
  // Keras 3: an op's __init__ argument from the config, else from the call.
  Json Cfg(const std::string& key, size_t pos = 1000) const {
    const Json& c = ctx_.config();
    if (c.contains(key)) return c[key];
    return Get(pos, key);
  }

  bool IsTensor(const Json& j) const {
    size_t i = 0;
    return IsTensorSlot(j, &i) && i < (*tensors_).size();
  }

  // A tensor argument, or a constant converted to a Const of type `like` (TF's convert_to_tensor
  // with the other operand's dtype).
  StatusOr<Tensor> Operand(const Json& j, const std::string& what, TflcDataType like = TFLC_TYPE_UNKNOWN) {
    size_t i = 0;
    if (IsTensorSlot(j, &i)) {
      if (i >= (*tensors_).size()) return InvalidArgument("argument '" + what + "' refers to a missing tensor");
      return (*tensors_)[i];
    }
    ConstVal c;
    if (j.is_null() || !ParseConst(j, &c))
      return InvalidArgument("argument '" + what + "' is " + Brief(j) + ", expected a tensor or a constant");
    TflcDataType t = like;
    if (t == TFLC_TYPE_UNKNOWN) {
      if (!c.dtype.empty()) {
        TFLC_ASSIGN_OR_RETURN(t, DtypeFromName(c.dtype));
      } else {
        t = c.is_bool ? TFLC_TYPE_BOOL : c.is_int ? TFLC_TYPE_INT32 : TFLC_TYPE_FLOAT32;
      }
    }
    return Const(what, t, c.shape, c.v);
  }

  StatusOr<Tensor> Const(const std::string& base, TflcDataType t, const Shape& shape, const std::vector<double>& v) {
    const size_t n = v.size();
    size_t elem = 4;
    if (t == TFLC_TYPE_INT64) elem = 8;
    else if (t == TFLC_TYPE_BOOL || t == TFLC_TYPE_INT8 || t == TFLC_TYPE_UINT8) elem = 1;
    else if (t == TFLC_TYPE_INT16) elem = 2;
    void* data = nullptr;
    TFLC_ASSIGN_OR_RETURN(ValueView c, ctx_.em().NewConst(ctx_.scope() + "/" + base, t, shape, n * elem, &data));
    for (size_t k = 0; k < n; ++k) {
      switch (t) {
        case TFLC_TYPE_FLOAT32: static_cast<float*>(data)[k] = static_cast<float>(v[k]); break;
        case TFLC_TYPE_INT32: static_cast<int32_t*>(data)[k] = static_cast<int32_t>(v[k]); break;
        case TFLC_TYPE_INT64: static_cast<int64_t*>(data)[k] = static_cast<int64_t>(v[k]); break;
        case TFLC_TYPE_INT16: static_cast<int16_t*>(data)[k] = static_cast<int16_t>(v[k]); break;
        case TFLC_TYPE_INT8: static_cast<int8_t*>(data)[k] = static_cast<int8_t>(v[k]); break;
        case TFLC_TYPE_UINT8: static_cast<uint8_t*>(data)[k] = static_cast<uint8_t>(v[k]); break;
        case TFLC_TYPE_BOOL: static_cast<uint8_t*>(data)[k] = v[k] != 0 ? 1 : 0; break;
        default: return Unimplemented("constants of this dtype are not supported");
      }
    }
    return Tensor{c, shape, t};
  }

  StatusOr<ValueView> I32(const std::string& base, const std::vector<int64_t>& v, bool scalar = false) {
    std::vector<int32_t> w(v.begin(), v.end());
    return ctx_.ConstI32(base, scalar ? Shape{} : Shape{static_cast<int64_t>(w.size())}, w);
  }

  // Emits `op` and records the output's shape and type.
  StatusOr<Tensor> Emit(const std::string& op, const std::vector<ValueView>& ins, const std::vector<Attr>& attrs,
                        const Shape& shape, TflcDataType type) {
    TFLC_ASSIGN_OR_RETURN(ValueView v, ctx_.Op(op, ins, attrs));
    TFLC_RETURN_IF_ERROR(ctx_.SetShape(v, shape, type));
    return Tensor{v, shape, type};
  }

  // The contents of a tensor argument that is a constant (e.g. a tf.shape of a static shape, see
  // FShape), so `reshape(x, [tf.shape(x)[0], -1])` gets a constant shape as TF's converter folds it.
  bool ConstInts(const Json& j, std::vector<int64_t>* out) const {
    size_t i = 0;
    if (!IsTensorSlot(j, &i) || i >= (*tensors_).size()) return false;
    const Tensor& t = (*tensors_)[i];
    if (!t.value.is_const() || (t.dtype != TFLC_TYPE_INT32 && t.dtype != TFLC_TYPE_INT64)) return false;
    auto d = t.value.ConstVector<int64_t>();
    if (!d.ok()) return false;
    *out = *d;
    return true;
  }

  // Helpers for argument values.
  StatusOr<int64_t> Int(const Json& j, const std::string& what) const {
    if (j.is_number_integer()) return j.get<int64_t>();
    if (j.is_number_float() && std::floor(j.get<double>()) == j.get<double>()) return static_cast<int64_t>(j.get<double>());
    if (j.is_array() && j.size() == 1) return Int(j[0], what);
    ConstVal c;
    if (j.is_object() && ParseConst(j, &c) && c.v.size() == 1) return static_cast<int64_t>(c.v[0]);
    std::vector<int64_t> folded;
    if (ConstInts(j, &folded) && folded.size() == 1) return folded[0];
    if (IsTensor(j))
      return Unimplemented("argument '" + what + "' is a tensor computed at run time; only constant values (and "
                           "shapes of tensors whose shape is static) are supported");
    return InvalidArgument("argument '" + what + "' is " + Brief(j) + ", expected an integer");
  }
  StatusOr<std::vector<int64_t>> Ints(const Json& j, const std::string& what) const {
    if (j.is_number()) {
      TFLC_ASSIGN_OR_RETURN(int64_t v, Int(j, what));
      return std::vector<int64_t>{v};
    }
    ConstVal c;
    const Json* list = &j;
    std::vector<int64_t> folded;
    if (ConstInts(j, &folded)) return folded;
    if (j.is_object() && ParseConst(j, &c)) {
      std::vector<int64_t> out;
      for (double d : c.v) out.push_back(static_cast<int64_t>(d));
      return out;
    }
    if (!list->is_array())
      return InvalidArgument("argument '" + what + "' is " + Brief(j) + ", expected a list of integers");
    std::vector<int64_t> out;
    for (const auto& e : *list) {
      TFLC_ASSIGN_OR_RETURN(int64_t v, Int(e, what));
      out.push_back(v);
    }
    return out;
  }
  StatusOr<double> Num(const Json& j, const std::string& what, double dflt) const {
    if (j.is_null()) return dflt;
    if (j.is_number()) return j.get<double>();
    ConstVal c;
    if (ParseConst(j, &c) && c.v.size() == 1) return c.v[0];
    return InvalidArgument("argument '" + what + "' is " + Brief(j) + ", expected a number");
  }
  StatusOr<bool> Bool(const Json& j, const std::string& what, bool dflt) const {
    if (j.is_null()) return dflt;
    if (j.is_boolean()) return j.get<bool>();
    if (j.is_number_integer()) return j.get<int64_t>() != 0;
    return InvalidArgument("argument '" + what + "' is " + Brief(j) + ", expected true or false");
  }
  StatusOr<std::string> Str(const Json& j, const std::string& what, const std::string& dflt) const {
    if (j.is_null()) return dflt;
    if (j.is_string()) return j.get<std::string>();
    return InvalidArgument("argument '" + what + "' is " + Brief(j) + ", expected a string");
  }

  // A list argument of tensors (concat/stack values): the list itself, or Keras 3 [[...]].
  StatusOr<std::vector<Tensor>> TensorList(const Json& j, const std::string& what) {
    if (!j.is_array() || j.empty())
      return InvalidArgument("argument '" + what + "' is " + Brief(j) + ", expected a list of tensors");
    TflcDataType like = TFLC_TYPE_UNKNOWN;
    for (const auto& e : j) {
      size_t i = 0;
      if (IsTensorSlot(e, &i) && i < (*tensors_).size()) like = (*tensors_)[i].dtype;
    }
    std::vector<Tensor> out;
    for (size_t k = 0; k < j.size(); ++k) {
      TFLC_ASSIGN_OR_RETURN(Tensor t, Operand(j[k], what + "[" + std::to_string(k) + "]", like));
      out.push_back(t);
    }
    return out;
  }

 private:
  LayerContext& ctx_;
  const std::vector<Tensor>* tensors_;  // borrowed: the layer's tensors or the synthetic call's
  Json args_;
  Json kwargs_;
};

using Outs = std::vector<Tensor>;

StatusOr<int64_t> NormAxis(int64_t axis, int64_t rank, const std::string& what) {
  const int64_t a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank)
    return InvalidArgument(what + " " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  return a;
}

// ------------------------------------------------------------------------ op emitters

bool IsComparison(const std::string& op) {
  return op == "Greater" || op == "GreaterEqual" || op == "Less" || op == "LessEqual" || op == "Equal" ||
         op == "NotEqual";
}

// x op y with TF's broadcasting; a constant operand takes the tensor operand's dtype.
Status Binary(OpCall& c, const std::string& op, const Json& xj, const Json& yj, Outs* out) {
  TflcDataType like = TFLC_TYPE_UNKNOWN;
  if (c.IsTensor(xj)) {
    TFLC_ASSIGN_OR_RETURN(Tensor t, c.Operand(xj, "x"));
    like = t.dtype;
  } else if (c.IsTensor(yj)) {
    TFLC_ASSIGN_OR_RETURN(Tensor t, c.Operand(yj, "y"));
    like = t.dtype;
  }
  TFLC_ASSIGN_OR_RETURN(Tensor x, c.Operand(xj, "x", like));
  TFLC_ASSIGN_OR_RETURN(Tensor y, c.Operand(yj, "y", like));
  Shape s;
  if (!BroadcastShapes(x.shape, y.shape, &s))
    return InvalidArgument("operand shapes " + ShapeStr(x.shape) + " and " + ShapeStr(y.shape) + " do not broadcast");
  std::vector<Attr> attrs = {Attr::T(x.dtype)};
  if (op == "Equal" || op == "NotEqual") attrs.push_back(Attr::Bool("incompatible_shape_error", true));
  TFLC_ASSIGN_OR_RETURN(Tensor y_out, c.Emit(op, {x.value, y.value}, attrs, s, IsComparison(op) ? TFLC_TYPE_BOOL : x.dtype));
  out->push_back(y_out);
  return OkStatus();
}

StatusOr<Tensor> Unary(OpCall& c, const std::string& op, const Tensor& x, std::vector<Attr> extra = {}) {
  extra.insert(extra.begin(), Attr::T(x.dtype));
  return c.Emit(op, {x.value}, extra, x.shape, x.dtype);
}

// Scalar constant of x's dtype.
StatusOr<Tensor> ScalarLike(OpCall& c, const std::string& base, const Tensor& x, double v) {
  return c.Const(base, x.dtype, {}, {v});
}

StatusOr<Tensor> Bin(OpCall& c, const std::string& op, const Tensor& a, const Tensor& b) {
  Shape s;
  if (!BroadcastShapes(a.shape, b.shape, &s))
    return InvalidArgument("operand shapes " + ShapeStr(a.shape) + " and " + ShapeStr(b.shape) + " do not broadcast");
  return c.Emit(op, {a.value, b.value}, {Attr::T(a.dtype)}, s, IsComparison(op) ? TFLC_TYPE_BOOL : a.dtype);
}

// Reductions: Sum/Mean/Max/Min/Prod over `axes` (null = all), keep_dims.
StatusOr<Tensor> Reduce(OpCall& c, const std::string& op, const Tensor& x, const Json& axis_j, bool keepdims) {
  std::vector<int64_t> axes;
  const int64_t rank = x.rank();
  if (axis_j.is_null()) {
    for (int64_t i = 0; i < rank; ++i) axes.push_back(i);
  } else {
    TFLC_ASSIGN_OR_RETURN(axes, c.Ints(axis_j, "axis"));
  }
  std::vector<bool> reduced(static_cast<size_t>(rank), false);
  for (int64_t a : axes) {
    TFLC_ASSIGN_OR_RETURN(int64_t n, NormAxis(a, rank, "axis"));
    reduced[static_cast<size_t>(n)] = true;
  }
  Shape s;
  for (int64_t i = 0; i < rank; ++i) {
    if (!reduced[static_cast<size_t>(i)]) s.push_back(x.shape[static_cast<size_t>(i)]);
    else if (keepdims) s.push_back(1);
  }
  TFLC_ASSIGN_OR_RETURN(ValueView ax, c.I32(op + "/reduction_indices", axes, axis_j.is_number()));
  return c.Emit(op, {x.value, ax}, {Attr::T(x.dtype), Attr::Type("Tidx", TFLC_TYPE_INT32), Attr::Bool("keep_dims", keepdims)},
                s, x.dtype);
}

StatusOr<Tensor> ReshapeTo(OpCall& c, const Tensor& x, const std::vector<int64_t>& target) {
  Shape s(target.begin(), target.end());
  int infer = -1;
  int64_t known = 1;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == -1) {
      if (infer >= 0) return InvalidArgument("shape " + ShapeStr(s) + " has more than one -1");
      infer = static_cast<int>(i);
    } else if (s[i] < 0) {
      return InvalidArgument("shape has a negative dimension " + std::to_string(s[i]));
    } else {
      known *= s[i];
    }
  }
  const int64_t total = NumElements(x.shape);
  if (infer >= 0 && total >= 0) {
    if (known == 0 || total % known != 0)
      return InvalidArgument("cannot reshape " + ShapeStr(x.shape) + " to " + ShapeStr(Shape(target.begin(), target.end())));
    s[static_cast<size_t>(infer)] = total / known;
  } else if (infer < 0 && total >= 0 && total != known) {
    return InvalidArgument("cannot reshape " + ShapeStr(x.shape) + " (" + std::to_string(total) + " elements) to " +
                           ShapeStr(s));
  }
  TFLC_ASSIGN_OR_RETURN(ValueView sh, c.I32("Reshape/shape", target));
  return c.Emit("Reshape", {x.value, sh}, {Attr::T(x.dtype), Attr::Type("Tshape", TFLC_TYPE_INT32)}, s, x.dtype);
}

StatusOr<Tensor> TransposeBy(OpCall& c, const Tensor& x, std::vector<int64_t> perm) {
  const int64_t rank = x.rank();
  if (perm.empty())
    for (int64_t i = rank - 1; i >= 0; --i) perm.push_back(i);
  if (static_cast<int64_t>(perm.size()) != rank)
    return InvalidArgument("perm has " + std::to_string(perm.size()) + " entries for an input of rank " + std::to_string(rank));
  Shape s;
  std::vector<bool> seen(static_cast<size_t>(rank), false);
  for (auto& p : perm) {
    TFLC_ASSIGN_OR_RETURN(p, NormAxis(p, rank, "perm entry"));
    if (seen[static_cast<size_t>(p)]) return InvalidArgument("perm is not a permutation");
    seen[static_cast<size_t>(p)] = true;
    s.push_back(x.shape[static_cast<size_t>(p)]);
  }
  TFLC_ASSIGN_OR_RETURN(ValueView pv, c.I32("Transpose/perm", perm));
  return c.Emit("Transpose", {x.value, pv}, {Attr::T(x.dtype), Attr::Type("Tperm", TFLC_TYPE_INT32)}, s, x.dtype);
}

StatusOr<Tensor> Concat(OpCall& c, const std::vector<Tensor>& xs, int64_t axis) {
  const int64_t rank = xs[0].rank();
  TFLC_ASSIGN_OR_RETURN(int64_t a, NormAxis(axis, rank, "axis"));
  Shape s = xs[0].shape;
  int64_t total = 0;
  std::vector<ValueView> ins;
  for (const auto& t : xs) {
    if (t.rank() != rank) return InvalidArgument("concat inputs have different ranks");
    for (int64_t d = 0; d < rank; ++d) {
      const int64_t u = s[static_cast<size_t>(d)], v = t.shape[static_cast<size_t>(d)];
      if (d != a && u >= 0 && v >= 0 && u != v)
        return InvalidArgument("concat input shapes " + ShapeStr(xs[0].shape) + " and " + ShapeStr(t.shape) +
                               " differ outside axis " + std::to_string(a));
    }
    const int64_t n = t.shape[static_cast<size_t>(a)];
    total = (total < 0 || n < 0) ? -1 : total + n;
    ins.push_back(t.value);
  }
  s[static_cast<size_t>(a)] = total;
  TFLC_ASSIGN_OR_RETURN(ValueView ax, c.I32("concat/axis", {axis}, true));
  ins.push_back(ax);
  return c.Emit("ConcatV2", ins,
                {Attr::T(xs[0].dtype), Attr::Int("N", static_cast<int64_t>(xs.size())), Attr::Type("Tidx", TFLC_TYPE_INT32)},
                s, xs[0].dtype);
}

StatusOr<Tensor> Stack(OpCall& c, const std::vector<Tensor>& xs, int64_t axis) {
  const int64_t rank = xs[0].rank() + 1;
  TFLC_ASSIGN_OR_RETURN(int64_t a, NormAxis(axis, rank, "axis"));
  std::vector<ValueView> ins;
  for (const auto& t : xs) {
    if (t.shape != xs[0].shape) return InvalidArgument("stack inputs have different shapes " + ShapeStr(xs[0].shape) + " and " + ShapeStr(t.shape));
    ins.push_back(t.value);
  }
  Shape s = xs[0].shape;
  s.insert(s.begin() + a, static_cast<int64_t>(xs.size()));
  return c.Emit("Pack", ins, {Attr::T(xs[0].dtype), Attr::Int("N", static_cast<int64_t>(xs.size())), Attr::Int("axis", a)}, s,
                xs[0].dtype);
}

StatusOr<Tensor> ExpandDims(OpCall& c, const Tensor& x, int64_t axis) {
  TFLC_ASSIGN_OR_RETURN(int64_t a, NormAxis(axis, x.rank() + 1, "axis"));
  Shape s = x.shape;
  s.insert(s.begin() + a, 1);
  TFLC_ASSIGN_OR_RETURN(ValueView ax, c.I32("ExpandDims/dim", {axis}, true));
  return c.Emit("ExpandDims", {x.value, ax}, {Attr::T(x.dtype), Attr::Type("Tdim", TFLC_TYPE_INT32)}, s, x.dtype);
}

StatusOr<Tensor> SqueezeAxes(OpCall& c, const Tensor& x, const Json& axis_j) {
  std::vector<int64_t> axes;
  std::vector<bool> drop(x.shape.size(), false);
  if (axis_j.is_null()) {
    for (size_t i = 0; i < x.shape.size(); ++i) {
      if (x.shape[i] < 0) return Unimplemented("squeeze without axis needs a fully known input shape, got " + ShapeStr(x.shape));
      drop[i] = x.shape[i] == 1;
    }
  } else {
    TFLC_ASSIGN_OR_RETURN(axes, c.Ints(axis_j, "axis"));
    for (int64_t a : axes) {
      TFLC_ASSIGN_OR_RETURN(int64_t n, NormAxis(a, x.rank(), "axis"));
      if (x.shape[static_cast<size_t>(n)] > 1)
        return InvalidArgument("cannot squeeze axis " + std::to_string(a) + " of shape " + ShapeStr(x.shape));
      drop[static_cast<size_t>(n)] = true;
    }
  }
  Shape s;
  for (size_t i = 0; i < x.shape.size(); ++i)
    if (!drop[i]) s.push_back(x.shape[i]);
  return c.Emit("Squeeze", {x.value}, {Attr::T(x.dtype), Attr::Ints("squeeze_dims", axes)}, s, x.dtype);
}

StatusOr<Tensor> TileBy(OpCall& c, const Tensor& x, const std::vector<int64_t>& mult) {
  if (static_cast<int64_t>(mult.size()) != x.rank())
    return InvalidArgument("multiples has " + std::to_string(mult.size()) + " entries for an input of rank " + std::to_string(x.rank()));
  Shape s = x.shape;
  for (size_t i = 0; i < s.size(); ++i) s[i] = s[i] < 0 ? -1 : s[i] * mult[i];
  TFLC_ASSIGN_OR_RETURN(ValueView m, c.I32("Tile/multiples", mult));
  return c.Emit("Tile", {x.value, m}, {Attr::T(x.dtype), Attr::Type("Tmultiples", TFLC_TYPE_INT32)}, s, x.dtype);
}

// tf.linalg.matmul: MatMul for two rank-2 operands, BatchMatMulV2 otherwise (adj_x/adj_y).
StatusOr<Tensor> MatMulOf(OpCall& c, const Tensor& a, const Tensor& b, bool ta, bool tb) {
  if (a.rank() < 2 || b.rank() < 2)
    return Unimplemented("matmul of shapes " + ShapeStr(a.shape) + " and " + ShapeStr(b.shape) + " (rank < 2) is not supported");
  const int64_t m = a.shape[a.shape.size() - (ta ? 1 : 2)], ka = a.shape[a.shape.size() - (ta ? 2 : 1)];
  const int64_t kb = b.shape[b.shape.size() - (tb ? 1 : 2)], n = b.shape[b.shape.size() - (tb ? 2 : 1)];
  if (ka >= 0 && kb >= 0 && ka != kb)
    return InvalidArgument("matmul inner dimensions differ: " + ShapeStr(a.shape) + " and " + ShapeStr(b.shape));
  if (a.rank() == 2 && b.rank() == 2)
    return c.Emit("MatMul", {a.value, b.value},
                  {Attr::T(a.dtype), Attr::Bool("transpose_a", ta), Attr::Bool("transpose_b", tb)}, {m, n}, a.dtype);
  Shape ba(a.shape.begin(), a.shape.end() - 2), bb(b.shape.begin(), b.shape.end() - 2), s;
  if (!BroadcastShapes(ba, bb, &s))
    return InvalidArgument("matmul batch dimensions of " + ShapeStr(a.shape) + " and " + ShapeStr(b.shape) + " do not broadcast");
  s.push_back(m);
  s.push_back(n);
  return c.Emit("BatchMatMulV2", {a.value, b.value}, {Attr::T(a.dtype), Attr::Bool("adj_x", ta), Attr::Bool("adj_y", tb)}, s,
                a.dtype);
}

StatusOr<Tensor> CastTo(OpCall& c, const Tensor& x, TflcDataType to) {
  if (x.dtype == to) return x;
  return c.Emit("Cast", {x.value}, {Attr::Type("SrcT", x.dtype), Attr::Type("DstT", to), Attr::Bool("Truncate", false)},
                x.shape, to);
}

// Split into sizes along axis: Split (equal parts) or SplitV (given sizes, at most one -1).
Status SplitInto(OpCall& c, const Tensor& x, const std::vector<int64_t>& sizes_in, bool equal, int64_t axis, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(int64_t a, NormAxis(axis, x.rank(), "axis"));
  const int64_t dim = x.shape[static_cast<size_t>(a)];
  std::vector<int64_t> sizes = sizes_in;
  if (equal) {
    const int64_t n = sizes_in[0];
    if (n <= 0) return InvalidArgument("num_or_size_splits must be positive");
    if (dim < 0) return Unimplemented("split of an unknown dimension is not supported");
    if (dim % n != 0)
      return InvalidArgument("dimension " + std::to_string(dim) + " of axis " + std::to_string(axis) +
                             " is not divisible into " + std::to_string(n) + " parts");
    sizes.assign(static_cast<size_t>(n), dim / n);
  } else {
    int64_t known = 0;
    int infer = -1;
    for (size_t i = 0; i < sizes.size(); ++i) {
      if (sizes[i] < 0) infer = static_cast<int>(i);
      else known += sizes[i];
    }
    if (infer >= 0 && dim >= 0) sizes[static_cast<size_t>(infer)] = dim - known;
    else if (dim >= 0 && known != dim)
      return InvalidArgument("split sizes add up to " + std::to_string(known) + ", the dimension is " + std::to_string(dim));
  }
  if (sizes.empty()) return InvalidArgument("split into zero parts");
  NodeView node;
  const size_t k = sizes.size();
  if (equal) {
    TFLC_ASSIGN_OR_RETURN(ValueView ax, c.I32("split/split_dim", {axis}, true));
    TFLC_ASSIGN_OR_RETURN(node, c.ctx().em().Node(c.ctx().scope(), "Split", {ax, x.value},
                                                  {Attr::T(x.dtype), Attr::Int("num_split", static_cast<int64_t>(k))}, k));
  } else {
    TFLC_ASSIGN_OR_RETURN(ValueView sz, c.I32("split/size_splits", sizes_in));
    TFLC_ASSIGN_OR_RETURN(ValueView ax, c.I32("split/split_dim", {axis}, true));
    TFLC_ASSIGN_OR_RETURN(node, c.ctx().em().Node(c.ctx().scope(), "SplitV", {x.value, sz, ax},
                                                  {Attr::T(x.dtype), Attr::Int("num_split", static_cast<int64_t>(k)),
                                                   Attr::Type("Tlen", TFLC_TYPE_INT32)},
                                                  k));
  }
  for (size_t i = 0; i < k; ++i) {
    Shape s = x.shape;
    s[static_cast<size_t>(a)] = sizes[i];
    ValueView v = node.output(i);
    TFLC_RETURN_IF_ERROR(c.ctx().SetShape(v, s, x.dtype));
    out->push_back(Tensor{v, s, x.dtype});
  }
  return OkStatus();
}

Status Unstack(OpCall& c, const Tensor& x, int64_t axis, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(int64_t a, NormAxis(axis, x.rank(), "axis"));
  const int64_t n = x.shape[static_cast<size_t>(a)];
  if (n < 0) return Unimplemented("unstack along an unknown dimension is not supported");
  TFLC_ASSIGN_OR_RETURN(NodeView node, c.ctx().em().Node(c.ctx().scope(), "Unpack", {x.value},
                                                         {Attr::T(x.dtype), Attr::Int("num", n), Attr::Int("axis", a)},
                                                         static_cast<size_t>(n)));
  Shape s = x.shape;
  s.erase(s.begin() + a);
  for (int64_t i = 0; i < n; ++i) {
    ValueView v = node.output(static_cast<size_t>(i));
    TFLC_RETURN_IF_ERROR(c.ctx().SetShape(v, s, x.dtype));
    out->push_back(Tensor{v, s, x.dtype});
  }
  return OkStatus();
}

// Softmax / LogSoftmax over an axis: other axes are swapped to the end and back (tf.nn.softmax).
StatusOr<Tensor> SoftmaxAxis(OpCall& c, const std::string& op, const Tensor& x, int64_t axis) {
  TFLC_ASSIGN_OR_RETURN(int64_t a, NormAxis(axis, x.rank(), "axis"));
  if (a == x.rank() - 1) return Unary(c, op, x);
  std::vector<int64_t> perm;
  for (int64_t i = 0; i < x.rank(); ++i) perm.push_back(i);
  std::swap(perm[static_cast<size_t>(a)], perm.back());
  TFLC_ASSIGN_OR_RETURN(Tensor t, TransposeBy(c, x, perm));
  TFLC_ASSIGN_OR_RETURN(Tensor s, Unary(c, op, t));
  return TransposeBy(c, s, perm);
}

StatusOr<Tensor> Silu(OpCall& c, const Tensor& x, double beta) {
  Tensor in = x;
  if (beta != 1.0) {
    TFLC_ASSIGN_OR_RETURN(Tensor b, ScalarLike(c, "beta", x, beta));
    TFLC_ASSIGN_OR_RETURN(in, Bin(c, "Mul", x, b));
  }
  TFLC_ASSIGN_OR_RETURN(Tensor s, Unary(c, "Sigmoid", in));
  return Bin(c, "Mul", x, s);
}

// tf.math.l2_normalize: x * rsqrt(max(sum(x², axis, keepdims), epsilon)).
StatusOr<Tensor> L2Normalize(OpCall& c, const Tensor& x, const Json& axis, double eps) {
  TFLC_ASSIGN_OR_RETURN(Tensor sq, Unary(c, "Square", x));
  TFLC_ASSIGN_OR_RETURN(Tensor sum, Reduce(c, "Sum", sq, axis, true));
  TFLC_ASSIGN_OR_RETURN(Tensor e, ScalarLike(c, "epsilon", x, eps));
  TFLC_ASSIGN_OR_RETURN(Tensor m, Bin(c, "Maximum", sum, e));
  TFLC_ASSIGN_OR_RETURN(Tensor r, Unary(c, "Rsqrt", m));
  return Bin(c, "Mul", x, r);
}

StatusOr<Tensor> ClipBy(OpCall& c, const Tensor& x, const Json& lo_j, const Json& hi_j) {
  TFLC_ASSIGN_OR_RETURN(Tensor hi, c.Operand(hi_j, "clip_value_max", x.dtype));
  TFLC_ASSIGN_OR_RETURN(Tensor lo, c.Operand(lo_j, "clip_value_min", x.dtype));
  TFLC_ASSIGN_OR_RETURN(Tensor m, Bin(c, "Minimum", x, hi));
  return Bin(c, "Maximum", m, lo);
}

StatusOr<Tensor> Resize(OpCall& c, const Tensor& x, const std::vector<int64_t>& size, const std::string& method) {
  if (x.rank() != 4) return Unimplemented("image resize of a rank-" + std::to_string(x.rank()) + " input is not supported (NHWC only)");
  if (size.size() != 2) return InvalidArgument("size must have 2 values");
  std::string op;
  if (method == "bilinear") op = "ResizeBilinear";
  else if (method == "nearest") op = "ResizeNearestNeighbor";
  else return Unimplemented("resize method '" + method + "' is not supported (bilinear, nearest)");
  Tensor in = x;
  if (op == "ResizeBilinear") {
    TFLC_ASSIGN_OR_RETURN(in, CastTo(c, x, TFLC_TYPE_FLOAT32));
  }
  TFLC_ASSIGN_OR_RETURN(ValueView sz, c.I32("resize/size", size));
  return c.Emit(op, {in.value, sz},
                {Attr::T(in.dtype), Attr::Bool("align_corners", false), Attr::Bool("half_pixel_centers", true)},
                {x.shape[0], size[0], size[1], x.shape[3]}, in.dtype);
}

StatusOr<Tensor> GatherOf(OpCall& c, const Tensor& params, const Tensor& indices, int64_t axis, int64_t batch_dims) {
  TFLC_ASSIGN_OR_RETURN(int64_t a, NormAxis(axis, params.rank(), "axis"));
  if (batch_dims < 0 || batch_dims > indices.rank() || batch_dims > a)
    return InvalidArgument("batch_dims " + std::to_string(batch_dims) + " must be in [0, min(indices rank " +
                           std::to_string(indices.rank()) + ", axis " + std::to_string(a) + ")]");
  Shape s(params.shape.begin(), params.shape.begin() + a);
  s.insert(s.end(), indices.shape.begin() + batch_dims, indices.shape.end());
  s.insert(s.end(), params.shape.begin() + a + 1, params.shape.end());
  TFLC_ASSIGN_OR_RETURN(ValueView ax, c.I32("GatherV2/axis", {axis}, true));
  return c.Emit("GatherV2", {params.value, indices.value, ax},
                {Attr::Type("Tparams", params.dtype), Attr::Type("Tindices", indices.dtype), Attr::Type("Taxis", TFLC_TYPE_INT32),
                 Attr::Int("batch_dims", batch_dims)},
                s, params.dtype);
}

// ---- strided slicing (x[...]) ----

struct SliceItem {
  enum Kind { kIndex, kSlice, kEllipsis, kNewAxis } kind = kIndex;
  int64_t index = 0;
  std::optional<int64_t> start, stop;
  int64_t step = 1;
};

StatusOr<std::optional<int64_t>> OptInt(OpCall& c, const Json& j, const std::string& what) {
  if (j.is_null()) return std::optional<int64_t>();
  TFLC_ASSIGN_OR_RETURN(int64_t v, c.Int(j, what));
  return std::optional<int64_t>(v);
}

StatusOr<SliceItem> ParseSliceItem(OpCall& c, const Json& e) {
  SliceItem it;
  if (e.is_null()) {
    it.kind = SliceItem::kNewAxis;
    return it;
  }
  if (e.is_object() && e.contains("class_name") && e["class_name"] == "__ellipsis__") {
    it.kind = SliceItem::kEllipsis;
    return it;
  }
  const Json* sl = nullptr;
  if (e.is_object() && e.contains("class_name") && e["class_name"] == "__slice__" && e.contains("config")) sl = &e["config"];
  else if (e.is_object() && (e.contains("start") || e.contains("stop") || e.contains("step"))) sl = &e;
  if (sl) {
    it.kind = SliceItem::kSlice;
    auto get = [&](const char* k) { return sl->contains(k) ? (*sl)[k] : Json(); };
    TFLC_ASSIGN_OR_RETURN(it.start, OptInt(c, get("start"), "slice start"));
    TFLC_ASSIGN_OR_RETURN(it.stop, OptInt(c, get("stop"), "slice stop"));
    TFLC_ASSIGN_OR_RETURN(auto step, OptInt(c, get("step"), "slice step"));
    it.step = step.value_or(1);
    if (it.step == 0) return InvalidArgument("slice step is 0");
    return it;
  }
  if (c.IsTensor(e)) return Unimplemented("indexing with a tensor is not supported; only constant indices and slices");
  it.kind = SliceItem::kIndex;
  TFLC_ASSIGN_OR_RETURN(it.index, c.Int(e, "index"));
  return it;
}

// Python's slice.indices length.
int64_t SliceLength(int64_t n, const SliceItem& it) {
  if (n < 0) return -1;
  const int64_t step = it.step;
  int64_t lo, hi;
  if (step > 0) {
    lo = it.start ? *it.start : 0;
    hi = it.stop ? *it.stop : n;
    if (lo < 0) lo = std::max<int64_t>(lo + n, 0);
    if (hi < 0) hi = std::max<int64_t>(hi + n, 0);
    lo = std::min(lo, n);
    hi = std::min(hi, n);
    return hi > lo ? (hi - lo + step - 1) / step : 0;
  }
  lo = it.start ? *it.start : n - 1;
  hi = it.stop ? *it.stop : -1 - n;  // "before the beginning"
  if (it.start && lo < 0) lo = std::max<int64_t>(lo + n, -1);
  if (it.stop && hi < 0) hi = std::max<int64_t>(hi + n, -1);
  if (!it.stop) hi = -1;
  lo = std::min(lo, n - 1);
  hi = std::min(hi, n - 1);
  return lo > hi ? (lo - hi + (-step) - 1) / (-step) : 0;
}

// TF's _slice_helper: one StridedSlice with begin/end/strides per item and the five masks.
StatusOr<Tensor> GetItem(OpCall& c, const Tensor& x, const Json& spec_j) {
  std::vector<Json> spec;
  if (spec_j.is_array()) spec.assign(spec_j.begin(), spec_j.end());
  else spec.push_back(spec_j);
  std::vector<SliceItem> items;
  int consumed = 0, ellipses = 0;
  for (const auto& e : spec) {
    TFLC_ASSIGN_OR_RETURN(SliceItem it, ParseSliceItem(c, e));
    if (it.kind == SliceItem::kIndex || it.kind == SliceItem::kSlice) ++consumed;
    if (it.kind == SliceItem::kEllipsis) ++ellipses;
    items.push_back(it);
  }
  if (ellipses > 1) return InvalidArgument("an index can only have a single ellipsis");
  if (consumed > x.rank())
    return InvalidArgument("too many indices (" + std::to_string(consumed) + ") for shape " + ShapeStr(x.shape));
  // Slicing a rank-1 integer constant (a folded tf.shape) with one index or slice: fold it.
  std::vector<int64_t> cv;
  if (x.rank() == 1 && items.size() == 1 && (items[0].kind == SliceItem::kIndex || items[0].kind == SliceItem::kSlice) &&
      (x.dtype == TFLC_TYPE_INT32 || x.dtype == TFLC_TYPE_INT64) && x.value.is_const()) {
    auto d = x.value.ConstVector<int64_t>();
    if (d.ok()) cv = *d;
    const int64_t n = static_cast<int64_t>(cv.size());
    if (d.ok() && n == x.shape[0]) {
      const SliceItem& it = items[0];
      if (it.kind == SliceItem::kIndex) {
        const int64_t i = it.index < 0 ? it.index + n : it.index;
        if (i < 0 || i >= n) return InvalidArgument("index " + std::to_string(it.index) + " is out of bounds for shape " + ShapeStr(x.shape));
        return c.Const("strided_slice", x.dtype, {}, {static_cast<double>(cv[static_cast<size_t>(i)])});
      }
      const int64_t len = SliceLength(n, it);
      int64_t start = it.start ? *it.start : (it.step > 0 ? 0 : n - 1);
      if (start < 0) start += n;
      start = it.step > 0 ? std::clamp<int64_t>(start, 0, n) : std::clamp<int64_t>(start, -1, n - 1);
      std::vector<double> v;
      for (int64_t k = 0; k < len; ++k) v.push_back(static_cast<double>(cv[static_cast<size_t>(start + k * it.step)]));
      return c.Const("strided_slice", x.dtype, {len}, v);
    }
  }
  std::vector<int64_t> begin, end, strides;
  int64_t begin_mask = 0, end_mask = 0, ellipsis_mask = 0, new_axis_mask = 0, shrink_mask = 0;
  Shape s;
  size_t dim = 0;
  for (size_t k = 0; k < items.size(); ++k) {
    const SliceItem& it = items[k];
    const int64_t bit = int64_t{1} << k;
    switch (it.kind) {
      case SliceItem::kEllipsis: {
        begin.push_back(0); end.push_back(0); strides.push_back(1);
        ellipsis_mask |= bit;
        const size_t n = static_cast<size_t>(x.rank() - consumed);
        for (size_t i = 0; i < n; ++i) s.push_back(x.shape[dim++]);
        break;
      }
      case SliceItem::kNewAxis:
        begin.push_back(0); end.push_back(0); strides.push_back(1);
        new_axis_mask |= bit;
        s.push_back(1);
        break;
      case SliceItem::kIndex: {
        const int64_t n = x.shape[dim];
        if (n >= 0 && (it.index >= n || it.index < -n))
          return InvalidArgument("index " + std::to_string(it.index) + " is out of bounds for axis " +
                                 std::to_string(dim) + " of shape " + ShapeStr(x.shape));
        begin.push_back(it.index); end.push_back(it.index + 1); strides.push_back(1);
        shrink_mask |= bit;
        ++dim;
        break;
      }
      case SliceItem::kSlice:
        begin.push_back(it.start.value_or(0));
        end.push_back(it.stop.value_or(0));
        strides.push_back(it.step);
        if (!it.start) begin_mask |= bit;
        if (!it.stop) end_mask |= bit;
        s.push_back(SliceLength(x.shape[dim], it));
        ++dim;
        break;
    }
  }
  while (dim < x.shape.size()) s.push_back(x.shape[dim++]);
  TFLC_ASSIGN_OR_RETURN(ValueView b, c.I32("strided_slice/stack", begin));
  TFLC_ASSIGN_OR_RETURN(ValueView e, c.I32("strided_slice/stack_1", end));
  TFLC_ASSIGN_OR_RETURN(ValueView st, c.I32("strided_slice/stack_2", strides));
  return c.Emit("StridedSlice", {x.value, b, e, st},
                {Attr::T(x.dtype), Attr::Type("Index", TFLC_TYPE_INT32), Attr::Int("begin_mask", begin_mask),
                 Attr::Int("end_mask", end_mask), Attr::Int("ellipsis_mask", ellipsis_mask),
                 Attr::Int("new_axis_mask", new_axis_mask), Attr::Int("shrink_axis_mask", shrink_mask)},
                s, x.dtype);
}

// [[a, b], [c, d]] → [a, b, c, d] (paddings are written as one pair per dimension).
Json FlattenPairs(const Json& j) {
  if (!j.is_array() || j.empty() || !j[0].is_array()) return j;
  Json f = Json::array();
  for (const auto& r : j)
    for (const auto& v : r) f.push_back(v);
  return f;
}

// [0, 1, ..., rank - 1] as a Json list (an axis argument meaning "every axis").
Json AllAxes(int64_t rank) {
  Json a = Json::array();
  for (int64_t i = 0; i < rank; ++i) a.push_back(i);
  return a;
}

StatusOr<Tensor> PadBy(OpCall& c, const Tensor& x, const Json& pads_j, const std::string& mode, const Json& value_j) {
  TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> flat, c.Ints(FlattenPairs(pads_j), "paddings"));
  if (static_cast<int64_t>(flat.size()) != 2 * x.rank())
    return InvalidArgument("paddings has " + std::to_string(flat.size()) + " values for an input of rank " + std::to_string(x.rank()));
  Shape s = x.shape;
  for (size_t i = 0; i < s.size(); ++i) s[i] = s[i] < 0 ? -1 : s[i] + flat[2 * i] + flat[2 * i + 1];
  std::vector<int32_t> p(flat.begin(), flat.end());
  TFLC_ASSIGN_OR_RETURN(ValueView pv, c.ctx().ConstI32("Pad/paddings", {x.rank(), 2}, p));
  std::string m = mode;
  std::transform(m.begin(), m.end(), m.begin(), ::toupper);
  if (m == "CONSTANT") {
    TFLC_ASSIGN_OR_RETURN(double v, c.Num(value_j, "constant_values", 0.0));
    if (v == 0.0)
      return c.Emit("Pad", {x.value, pv}, {Attr::T(x.dtype), Attr::Type("Tpaddings", TFLC_TYPE_INT32)}, s, x.dtype);
    TFLC_ASSIGN_OR_RETURN(Tensor cv, ScalarLike(c, "Pad/constant_values", x, v));
    return c.Emit("PadV2", {x.value, pv, cv.value}, {Attr::T(x.dtype), Attr::Type("Tpaddings", TFLC_TYPE_INT32)}, s, x.dtype);
  }
  if (m == "REFLECT" || m == "SYMMETRIC")
    return c.Emit("MirrorPad", {x.value, pv}, {Attr::T(x.dtype), Attr::Type("Tpaddings", TFLC_TYPE_INT32), Attr::Str("mode", m)},
                  s, x.dtype);
  return Unimplemented("pad mode '" + mode + "' is not supported (CONSTANT, REFLECT, SYMMETRIC)");
}

// ---- moments / variance ----
StatusOr<std::pair<Tensor, Tensor>> Moments(OpCall& c, const Tensor& x, const Json& axes, bool keepdims) {
  TFLC_ASSIGN_OR_RETURN(Tensor mean, Reduce(c, "Mean", x, axes, true));
  TFLC_ASSIGN_OR_RETURN(Tensor sd, Bin(c, "SquaredDifference", x, mean));
  TFLC_ASSIGN_OR_RETURN(Tensor var, Reduce(c, "Mean", sd, axes, true));
  if (!keepdims) {
    const Json squeeze = axes.is_null() ? AllAxes(x.rank()) : axes;
    TFLC_ASSIGN_OR_RETURN(mean, SqueezeAxes(c, mean, squeeze));
    TFLC_ASSIGN_OR_RETURN(var, SqueezeAxes(c, var, squeeze));
  }
  return std::make_pair(mean, var);
}

// tf.einsum → TF Einsum (equation, N, T). The output shape comes from the equation's letters
// (no ellipsis).
StatusOr<Tensor> EinsumOf(OpCall& c, std::string eq, const std::vector<Tensor>& ins) {
  eq.erase(std::remove(eq.begin(), eq.end(), ' '), eq.end());
  const size_t arrow = eq.find("->");
  if (arrow == std::string::npos || eq.find('.') != std::string::npos)
    return Unimplemented("einsum equation '" + eq + "' needs an explicit '->' output and no ellipsis");
  std::vector<std::string> terms;
  std::string lhs = eq.substr(0, arrow), rhs = eq.substr(arrow + 2);
  for (size_t p = 0;;) {
    size_t q = lhs.find(',', p);
    terms.push_back(lhs.substr(p, q == std::string::npos ? std::string::npos : q - p));
    if (q == std::string::npos) break;
    p = q + 1;
  }
  if (terms.size() != ins.size())
    return InvalidArgument("einsum equation '" + eq + "' has " + std::to_string(terms.size()) + " operand(s), the call " +
                           std::to_string(ins.size()));
  std::map<char, int64_t> dims;
  for (size_t k = 0; k < terms.size(); ++k) {
    if (static_cast<int64_t>(terms[k].size()) != ins[k].rank())
      return InvalidArgument("einsum operand " + std::to_string(k) + " has shape " + ShapeStr(ins[k].shape) +
                             ", the equation '" + eq + "' gives it rank " + std::to_string(terms[k].size()));
    for (size_t i = 0; i < terms[k].size(); ++i) {
      const int64_t d = ins[k].shape[i];
      auto it = dims.find(terms[k][i]);
      if (it == dims.end() || it->second < 0 || it->second == 1) dims[terms[k][i]] = d;
    }
  }
  Shape s;
  for (char ch : rhs) {
    auto it = dims.find(ch);
    if (it == dims.end()) return InvalidArgument("einsum output letter '" + std::string(1, ch) + "' is not in any operand");
    s.push_back(it->second);
  }
  std::vector<ValueView> vals;
  for (const auto& t : ins) vals.push_back(t.value);
  return c.Emit("Einsum", vals, {Attr::T(ins[0].dtype), Attr::Int("N", static_cast<int64_t>(ins.size())), Attr::Str("equation", eq)},
                s, ins[0].dtype);
}

// ====================================================================== tf.keras functions

struct TfFunction {
  const char* name;
  Status (*fn)(OpCall& c, const std::string& op, Outs* out);
  const char* op;  // TF op passed to fn (for the generic rows)
};

// Argument 0 as a tensor (every function's first parameter).
StatusOr<Tensor> X(OpCall& c, const char* name = "x") { return c.Operand(c.Get(0, name), name); }

Status FBinary(OpCall& c, const std::string& op, Outs* out) {
  // Parameter names: (x, y) for math.*, (self, other) for __operators__.eq/ne, (a, b) for a few.
  Json y = c.Get(1, "y");
  if (y.is_null()) y = c.Get(1, "other");
  if (y.is_null()) y = c.Get(1, "b");
  return Binary(c, op, c.Get(0, "x"), y, out);
}

Status FUnary(OpCall& c, const std::string& op, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, X(c));
  TFLC_ASSIGN_OR_RETURN(Tensor y, Unary(c, op, x));
  out->push_back(y);
  return OkStatus();
}

Status FReciprocal(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, X(c));
  TFLC_ASSIGN_OR_RETURN(Tensor one, ScalarLike(c, "Reciprocal/one", x, 1.0));
  TFLC_ASSIGN_OR_RETURN(Tensor y, Bin(c, "RealDiv", one, x));
  out->push_back(y);
  return OkStatus();
}

Status FSoftsign(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, X(c));
  TFLC_ASSIGN_OR_RETURN(Tensor a, Unary(c, "Abs", x));
  TFLC_ASSIGN_OR_RETURN(Tensor one, ScalarLike(c, "one", x, 1.0));
  TFLC_ASSIGN_OR_RETURN(Tensor d, Bin(c, "AddV2", a, one));
  TFLC_ASSIGN_OR_RETURN(Tensor y, Bin(c, "RealDiv", x, d));
  out->push_back(y);
  return OkStatus();
}

Status FReduce(OpCall& c, const std::string& op, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, X(c, "input_tensor"));
  TFLC_ASSIGN_OR_RETURN(bool keep, c.Bool(c.Get(2, "keepdims"), "keepdims", false));
  TFLC_ASSIGN_OR_RETURN(Tensor y, Reduce(c, op, x, c.Get(1, "axis"), keep));
  out->push_back(y);
  return OkStatus();
}

// reduce_variance / reduce_std: mean(squared_difference(x, mean(x, keepdims)), keepdims) [sqrt].
Status FReduceVar(OpCall& c, const std::string& op, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, X(c, "input_tensor"));
  TFLC_ASSIGN_OR_RETURN(bool keep, c.Bool(c.Get(2, "keepdims"), "keepdims", false));
  const Json axis = c.Get(1, "axis");
  TFLC_ASSIGN_OR_RETURN(Tensor mean, Reduce(c, "Mean", x, axis, true));
  TFLC_ASSIGN_OR_RETURN(Tensor sd, Bin(c, "SquaredDifference", x, mean));
  TFLC_ASSIGN_OR_RETURN(Tensor v, Reduce(c, "Mean", sd, axis, keep));
  if (op == "std") {
    TFLC_ASSIGN_OR_RETURN(v, Unary(c, "Sqrt", v));
  }
  out->push_back(v);
  return OkStatus();
}

Status FArgMinMax(OpCall& c, const std::string& op, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, X(c, "input"));
  TFLC_ASSIGN_OR_RETURN(int64_t axis, c.Get(1, "axis").is_null() ? StatusOr<int64_t>(0) : c.Int(c.Get(1, "axis"), "axis"));
  TFLC_ASSIGN_OR_RETURN(std::string ot, c.Str(c.Get(2, "output_type"), "output_type", "int64"));
  TFLC_ASSIGN_OR_RETURN(TflcDataType otype, DtypeFromName(ot));
  TFLC_ASSIGN_OR_RETURN(int64_t a, NormAxis(axis, x.rank(), "axis"));
  Shape s = x.shape;
  s.erase(s.begin() + a);
  TFLC_ASSIGN_OR_RETURN(ValueView ax, c.I32(op + "/dimension", {axis}, true));
  TFLC_ASSIGN_OR_RETURN(Tensor y, c.Emit(op, {x.value, ax},
                                         {Attr::T(x.dtype), Attr::Type("Tidx", TFLC_TYPE_INT32), Attr::Type("output_type", otype)},
                                         s, otype));
  out->push_back(y);
  return OkStatus();
}

Status FCumsum(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, X(c));
  TFLC_ASSIGN_OR_RETURN(int64_t axis, c.Get(1, "axis").is_null() ? StatusOr<int64_t>(0) : c.Int(c.Get(1, "axis"), "axis"));
  TFLC_ASSIGN_OR_RETURN(bool exclusive, c.Bool(c.Get(2, "exclusive"), "exclusive", false));
  TFLC_ASSIGN_OR_RETURN(bool reverse, c.Bool(c.Get(3, "reverse"), "reverse", false));
  TFLC_RETURN_IF_ERROR(NormAxis(axis, x.rank(), "axis").status());
  TFLC_ASSIGN_OR_RETURN(ValueView ax, c.I32("Cumsum/axis", {axis}, true));
  TFLC_ASSIGN_OR_RETURN(Tensor y, c.Emit("Cumsum", {x.value, ax},
                                         {Attr::T(x.dtype), Attr::Type("Tidx", TFLC_TYPE_INT32), Attr::Bool("exclusive", exclusive),
                                          Attr::Bool("reverse", reverse)},
                                         x.shape, x.dtype));
  out->push_back(y);
  return OkStatus();
}

Status FReshape(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, X(c, "tensor"));
  TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> shape, c.Ints(c.Get(1, "shape"), "shape"));
  TFLC_ASSIGN_OR_RETURN(Tensor y, ReshapeTo(c, x, shape));
  out->push_back(y);
  return OkStatus();
}

Status FTranspose(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, X(c, "a"));
  std::vector<int64_t> perm;
  if (!c.Get(1, "perm").is_null()) {
    TFLC_ASSIGN_OR_RETURN(perm, c.Ints(c.Get(1, "perm"), "perm"));
  }
  TFLC_ASSIGN_OR_RETURN(Tensor y, TransposeBy(c, x, perm));
  out->push_back(y);
  return OkStatus();
}

Status FConcat(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(std::vector<Tensor> xs, c.TensorList(c.Get(0, "values"), "values"));
  TFLC_ASSIGN_OR_RETURN(int64_t axis, c.Int(c.Get(1, "axis"), "axis"));
  if (xs.size() == 1) {  // tf.concat of one tensor is an identity
    TFLC_ASSIGN_OR_RETURN(Tensor y, Unary(c, "Identity", xs[0]));
    out->push_back(y);
    return OkStatus();
  }
  TFLC_ASSIGN_OR_RETURN(Tensor y, Concat(c, xs, axis));
  out->push_back(y);
  return OkStatus();
}

Status FStack(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(std::vector<Tensor> xs, c.TensorList(c.Get(0, "values"), "values"));
  TFLC_ASSIGN_OR_RETURN(int64_t axis, c.Get(1, "axis").is_null() ? StatusOr<int64_t>(0) : c.Int(c.Get(1, "axis"), "axis"));
  TFLC_ASSIGN_OR_RETURN(Tensor y, Stack(c, xs, axis));
  out->push_back(y);
  return OkStatus();
}

Status FUnstack(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, X(c, "value"));
  TFLC_ASSIGN_OR_RETURN(int64_t axis, c.Get(2, "axis").is_null() ? StatusOr<int64_t>(0) : c.Int(c.Get(2, "axis"), "axis"));
  return Unstack(c, x, axis, out);
}

Status FExpandDims(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, X(c, "input"));
  TFLC_ASSIGN_OR_RETURN(int64_t axis, c.Int(c.Get(1, "axis"), "axis"));
  TFLC_ASSIGN_OR_RETURN(Tensor y, ExpandDims(c, x, axis));
  out->push_back(y);
  return OkStatus();
}

Status FSqueeze(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, X(c, "input"));
  TFLC_ASSIGN_OR_RETURN(Tensor y, SqueezeAxes(c, x, c.Get(1, "axis")));
  out->push_back(y);
  return OkStatus();
}

Status FTile(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, X(c, "input"));
  TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> m, c.Ints(c.Get(1, "multiples"), "multiples"));
  TFLC_ASSIGN_OR_RETURN(Tensor y, TileBy(c, x, m));
  out->push_back(y);
  return OkStatus();
}

Status FShape(OpCall& c, const std::string& fn, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, X(c, "input"));
  // shape(input, out_type, name); compat.v1.shape(input, name, out_type).
  Json ot = fn == "v1" ? c.Get(2, "out_type") : c.Get(1, "out_type");
  TFLC_ASSIGN_OR_RETURN(std::string ots, c.Str(ot, "out_type", "int32"));
  TFLC_ASSIGN_OR_RETURN(TflcDataType t, DtypeFromName(ots));
  if (NumElements(x.shape) >= 0) {
    // A static shape (the batch is 1 in the converted model) is a constant, as TF's converter
    // folds it; later arguments (reshape shapes, tile multiples) can then read it.
    std::vector<double> dims(x.shape.begin(), x.shape.end());
    TFLC_ASSIGN_OR_RETURN(Tensor y, c.Const("Shape", t, {x.rank()}, dims));
    out->push_back(y);
    return OkStatus();
  }
  TFLC_ASSIGN_OR_RETURN(Tensor y, c.Emit("Shape", {x.value}, {Attr::T(x.dtype), Attr::Type("out_type", t)}, {x.rank()}, t));
  out->push_back(y);
  return OkStatus();
}

Status FMatMul(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor a, X(c, "a"));
  TFLC_ASSIGN_OR_RETURN(Tensor b, c.Operand(c.Get(1, "b"), "b", a.dtype));
  TFLC_ASSIGN_OR_RETURN(bool ta, c.Bool(c.Get(2, "transpose_a"), "transpose_a", false));
  TFLC_ASSIGN_OR_RETURN(bool tb, c.Bool(c.Get(3, "transpose_b"), "transpose_b", false));
  TFLC_ASSIGN_OR_RETURN(bool aa, c.Bool(c.Get(4, "adjoint_a"), "adjoint_a", false));
  TFLC_ASSIGN_OR_RETURN(bool ab, c.Bool(c.Get(5, "adjoint_b"), "adjoint_b", false));
  TFLC_ASSIGN_OR_RETURN(Tensor y, MatMulOf(c, a, b, ta || aa, tb || ab));
  out->push_back(y);
  return OkStatus();
}

Status FClip(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, X(c, "t"));
  TFLC_ASSIGN_OR_RETURN(Tensor y, ClipBy(c, x, c.Get(1, "clip_value_min"), c.Get(2, "clip_value_max")));
  out->push_back(y);
  return OkStatus();
}

Status FCast(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, X(c));
  TFLC_ASSIGN_OR_RETURN(std::string d, c.Str(c.Get(1, "dtype"), "dtype", ""));
  TFLC_ASSIGN_OR_RETURN(TflcDataType t, DtypeFromName(d));
  TFLC_ASSIGN_OR_RETURN(Tensor y, CastTo(c, x, t));
  if (y.value.get() == x.value.get()) {  // TF's cast of a tensor already of that dtype is the tensor itself
    TFLC_ASSIGN_OR_RETURN(y, Unary(c, "Identity", x));
  }
  out->push_back(y);
  return OkStatus();
}

Status FSplit(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, X(c, "value"));
  const Json n = c.Get(1, "num_or_size_splits");
  TFLC_ASSIGN_OR_RETURN(int64_t axis, c.Get(2, "axis").is_null() ? StatusOr<int64_t>(0) : c.Int(c.Get(2, "axis"), "axis"));
  if (n.is_number()) {
    TFLC_ASSIGN_OR_RETURN(int64_t k, c.Int(n, "num_or_size_splits"));
    return SplitInto(c, x, {k}, true, axis, out);
  }
  TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> sizes, c.Ints(n, "num_or_size_splits"));
  return SplitInto(c, x, sizes, false, axis, out);
}

Status FResize(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, X(c, "images"));
  TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> size, c.Ints(c.Get(1, "size"), "size"));
  TFLC_ASSIGN_OR_RETURN(std::string method, c.Str(c.Get(2, "method"), "method", "bilinear"));
  TFLC_ASSIGN_OR_RETURN(bool keep_aspect, c.Bool(c.Get(3, "preserve_aspect_ratio"), "preserve_aspect_ratio", false));
  TFLC_ASSIGN_OR_RETURN(bool antialias, c.Bool(c.Get(4, "antialias"), "antialias", false));
  if (keep_aspect) return Unimplemented("image.resize with preserve_aspect_ratio=True is not supported");
  if (antialias) return Unimplemented("image.resize with antialias=True is not supported");
  TFLC_ASSIGN_OR_RETURN(Tensor y, Resize(c, x, size, method));
  out->push_back(y);
  return OkStatus();
}

Status FEinsum(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(std::string eq, c.Str(c.Get(0, "equation"), "equation", ""));
  std::vector<Tensor> ins;
  Json rest = c.Get(1, "inputs");
  if (!rest.is_null()) {
    TFLC_ASSIGN_OR_RETURN(ins, c.TensorList(rest.is_array() ? rest : Json::array({rest}), "inputs"));
  }
  for (size_t p = 2; !c.Get(p, "").is_null(); ++p) {
    TFLC_ASSIGN_OR_RETURN(Tensor t, c.Operand(c.Get(p, ""), "inputs"));
    ins.push_back(t);
  }
  if (ins.empty()) return InvalidArgument("einsum has no operands");
  TFLC_ASSIGN_OR_RETURN(Tensor y, EinsumOf(c, eq, ins));
  out->push_back(y);
  return OkStatus();
}

Status FGather(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor p, X(c, "params"));
  TFLC_ASSIGN_OR_RETURN(Tensor i, c.Operand(c.Get(1, "indices"), "indices", TFLC_TYPE_UNKNOWN));
  TFLC_ASSIGN_OR_RETURN(int64_t axis, c.Get(3, "axis").is_null() ? StatusOr<int64_t>(0) : c.Int(c.Get(3, "axis"), "axis"));
  TFLC_ASSIGN_OR_RETURN(int64_t bd, c.Get(4, "batch_dims").is_null() ? StatusOr<int64_t>(0) : c.Int(c.Get(4, "batch_dims"), "batch_dims"));
  TFLC_ASSIGN_OR_RETURN(Tensor y, GatherOf(c, p, i, axis, bd));
  out->push_back(y);
  return OkStatus();
}

Status FWhere(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor cond, X(c, "condition"));
  const Json xj = c.Get(1, "x"), yj = c.Get(2, "y");
  if (xj.is_null() || yj.is_null()) return Unimplemented("where with only a condition (indices of true values) is not supported");
  TflcDataType like = TFLC_TYPE_UNKNOWN;
  if (c.IsTensor(xj)) like = c.Operand(xj, "x")->dtype;
  else if (c.IsTensor(yj)) like = c.Operand(yj, "y")->dtype;
  if (like == TFLC_TYPE_UNKNOWN) like = TFLC_TYPE_FLOAT32;
  TFLC_ASSIGN_OR_RETURN(Tensor x, c.Operand(xj, "x", like));
  TFLC_ASSIGN_OR_RETURN(Tensor y, c.Operand(yj, "y", like));
  Shape s1, s;
  if (!BroadcastShapes(cond.shape, x.shape, &s1) || !BroadcastShapes(s1, y.shape, &s))
    return InvalidArgument("where operand shapes do not broadcast");
  TFLC_ASSIGN_OR_RETURN(Tensor r, c.Emit("SelectV2", {cond.value, x.value, y.value}, {Attr::T(like)}, s, like));
  out->push_back(r);
  return OkStatus();
}

// ones_like / zeros_like: ZerosLike, and ZerosLike + 1 for ones (TFLite has no ONES_LIKE).
Status FLike(OpCall& c, const std::string& which, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, X(c, "input"));
  TFLC_ASSIGN_OR_RETURN(std::string d, c.Str(c.Get(1, "dtype"), "dtype", ""));
  Tensor in = x;
  if (!d.empty()) {
    TFLC_ASSIGN_OR_RETURN(TflcDataType t, DtypeFromName(d));
    TFLC_ASSIGN_OR_RETURN(in, CastTo(c, x, t));
  }
  TFLC_ASSIGN_OR_RETURN(Tensor z, Unary(c, "ZerosLike", in));
  if (which == "ones") {
    TFLC_ASSIGN_OR_RETURN(Tensor one, ScalarLike(c, "one", in, 1.0));
    TFLC_ASSIGN_OR_RETURN(z, Bin(c, "AddV2", z, one));
  }
  out->push_back(z);
  return OkStatus();
}

Status FOneHot(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor idx, X(c, "indices"));
  TFLC_ASSIGN_OR_RETURN(int64_t depth, c.Int(c.Get(1, "depth"), "depth"));
  TFLC_ASSIGN_OR_RETURN(double on, c.Num(c.Get(2, "on_value"), "on_value", 1.0));
  TFLC_ASSIGN_OR_RETURN(double off, c.Num(c.Get(3, "off_value"), "off_value", 0.0));
  TFLC_ASSIGN_OR_RETURN(int64_t axis, c.Get(4, "axis").is_null() ? StatusOr<int64_t>(-1) : c.Int(c.Get(4, "axis"), "axis"));
  TFLC_ASSIGN_OR_RETURN(std::string d, c.Str(c.Get(5, "dtype"), "dtype", "float32"));
  TFLC_ASSIGN_OR_RETURN(TflcDataType t, DtypeFromName(d));
  TFLC_ASSIGN_OR_RETURN(int64_t a, NormAxis(axis, idx.rank() + 1, "axis"));
  Shape s = idx.shape;
  s.insert(s.begin() + a, depth);
  TFLC_ASSIGN_OR_RETURN(ValueView dv, c.I32("one_hot/depth", {depth}, true));
  TFLC_ASSIGN_OR_RETURN(Tensor onv, c.Const("one_hot/on_value", t, {}, {on}));
  TFLC_ASSIGN_OR_RETURN(Tensor offv, c.Const("one_hot/off_value", t, {}, {off}));
  TFLC_ASSIGN_OR_RETURN(Tensor y, c.Emit("OneHot", {idx.value, dv, onv.value, offv.value},
                                         {Attr::T(t), Attr::Type("TI", idx.dtype), Attr::Int("axis", axis)}, s, t));
  out->push_back(y);
  return OkStatus();
}

Status FPad(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, X(c, "tensor"));
  TFLC_ASSIGN_OR_RETURN(std::string mode, c.Str(c.Get(2, "mode"), "mode", "CONSTANT"));
  TFLC_ASSIGN_OR_RETURN(Tensor y, PadBy(c, x, c.Get(1, "paddings"), mode, c.Get(3, "constant_values")));
  out->push_back(y);
  return OkStatus();
}

Status FSlice(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, X(c, "input_"));
  TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> begin, c.Ints(c.Get(1, "begin"), "begin"));
  TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> size, c.Ints(c.Get(2, "size"), "size"));
  if (static_cast<int64_t>(begin.size()) != x.rank() || size.size() != begin.size())
    return InvalidArgument("begin/size must have one value per input dimension");
  Shape s;
  for (size_t i = 0; i < size.size(); ++i) s.push_back(size[i] == -1 ? (x.shape[i] < 0 ? -1 : x.shape[i] - begin[i]) : size[i]);
  TFLC_ASSIGN_OR_RETURN(ValueView b, c.I32("Slice/begin", begin));
  TFLC_ASSIGN_OR_RETURN(ValueView z, c.I32("Slice/size", size));
  TFLC_ASSIGN_OR_RETURN(Tensor y, c.Emit("Slice", {x.value, b, z}, {Attr::T(x.dtype), Attr::Type("Index", TFLC_TYPE_INT32)}, s, x.dtype));
  out->push_back(y);
  return OkStatus();
}

Status FStridedSlice(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, X(c, "input_"));
  TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> begin, c.Ints(c.Get(1, "begin"), "begin"));
  TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> end, c.Ints(c.Get(2, "end"), "end"));
  std::vector<int64_t> strides(begin.size(), 1);
  if (!c.Get(3, "strides").is_null()) {
    TFLC_ASSIGN_OR_RETURN(strides, c.Ints(c.Get(3, "strides"), "strides"));
  }
  if (end.size() != begin.size() || strides.size() != begin.size())
    return InvalidArgument("begin, end and strides must have the same length");
  int64_t m[5];
  const char* names[5] = {"begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask"};
  for (int k = 0; k < 5; ++k) {
    Json j = c.Get(static_cast<size_t>(4 + k), names[k]);
    if (j.is_null()) m[k] = 0;
    else {
      TFLC_ASSIGN_OR_RETURN(m[k], c.Int(j, names[k]));
    }
  }
  // The same spec as x[...] (masks → None / Ellipsis / newaxis / index), so the shape comes
  // from one place.
  Json spec = Json::array();
  for (size_t i = 0; i < begin.size(); ++i) {
    const int64_t bit = int64_t{1} << i;
    if (m[2] & bit) spec.push_back(Json{{"class_name", "__ellipsis__"}});
    else if (m[3] & bit) spec.push_back(Json());
    else if (m[4] & bit) spec.push_back(begin[i]);
    else spec.push_back(Json{{"start", (m[0] & bit) ? Json() : Json(begin[i])},
                             {"stop", (m[1] & bit) ? Json() : Json(end[i])},
                             {"step", strides[i]}});
  }
  TFLC_ASSIGN_OR_RETURN(Tensor y, GetItem(c, x, spec));
  out->push_back(y);
  return OkStatus();
}

Status FGetItem(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, X(c, "tensor"));
  const Json spec = c.Get(1, "slice_spec");
  TFLC_ASSIGN_OR_RETURN(Tensor y, GetItem(c, x, spec));
  out->push_back(y);
  return OkStatus();
}

Status FSoftmax(OpCall& c, const std::string& op, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, X(c, "logits"));
  TFLC_ASSIGN_OR_RETURN(int64_t axis, c.Get(1, "axis").is_null() ? StatusOr<int64_t>(-1) : c.Int(c.Get(1, "axis"), "axis"));
  TFLC_ASSIGN_OR_RETURN(Tensor y, SoftmaxAxis(c, op, x, axis));
  out->push_back(y);
  return OkStatus();
}

Status FLeakyRelu(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, X(c, "features"));
  TFLC_ASSIGN_OR_RETURN(double alpha, c.Num(c.Get(1, "alpha"), "alpha", 0.2));
  TFLC_ASSIGN_OR_RETURN(Tensor y, Unary(c, "LeakyRelu", x, {Attr::Float("alpha", alpha)}));
  out->push_back(y);
  return OkStatus();
}

Status FGelu(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, X(c, "features"));
  TFLC_ASSIGN_OR_RETURN(bool approx, c.Bool(c.Get(1, "approximate"), "approximate", false));
  TFLC_ASSIGN_OR_RETURN(Tensor y, c.Emit("tflc.Gelu", {x.value}, {Attr::Bool("approximate", approx)}, x.shape, x.dtype));
  out->push_back(y);
  return OkStatus();
}

Status FSilu(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, X(c, "features"));
  TFLC_ASSIGN_OR_RETURN(double beta, c.Num(c.Get(1, "beta"), "beta", 1.0));
  TFLC_ASSIGN_OR_RETURN(Tensor y, Silu(c, x, beta));
  out->push_back(y);
  return OkStatus();
}

Status FL2Normalize(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, X(c));
  Json axis = c.Get(1, "axis");
  if (axis.is_null()) axis = c.Get(4, "dim");
  TFLC_ASSIGN_OR_RETURN(double eps, c.Num(c.Get(2, "epsilon"), "epsilon", 1e-12));
  TFLC_ASSIGN_OR_RETURN(Tensor y, L2Normalize(c, x, axis, eps));
  out->push_back(y);
  return OkStatus();
}

Status FBiasAdd(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, X(c, "value"));
  TFLC_ASSIGN_OR_RETURN(Tensor b, c.Operand(c.Get(1, "bias"), "bias", x.dtype));
  TFLC_ASSIGN_OR_RETURN(std::string df, c.Str(c.Get(2, "data_format"), "data_format", "NHWC"));
  if (df != "NHWC" && df != "N...C") return Unimplemented("bias_add with data_format '" + df + "' is not supported");
  TFLC_ASSIGN_OR_RETURN(Tensor y, c.Emit("BiasAdd", {x.value, b.value}, {Attr::T(x.dtype), Attr::Str("data_format", "NHWC")},
                                         x.shape, x.dtype));
  out->push_back(y);
  return OkStatus();
}

Status FMoments(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, X(c));
  TFLC_ASSIGN_OR_RETURN(bool keep, c.Bool(c.Get(3, "keepdims"), "keepdims", false));
  TFLC_ASSIGN_OR_RETURN(auto mv, Moments(c, x, c.Get(1, "axes"), keep));
  out->push_back(mv.first);
  out->push_back(mv.second);
  return OkStatus();
}

Status FBroadcastTo(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, X(c, "input"));
  TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> shape, c.Ints(c.Get(1, "shape"), "shape"));
  Shape s(shape.begin(), shape.end()), b;
  if (!BroadcastShapes(x.shape, s, &b) || b != s)
    return InvalidArgument("cannot broadcast shape " + ShapeStr(x.shape) + " to " + ShapeStr(s));
  TFLC_ASSIGN_OR_RETURN(ValueView sv, c.I32("BroadcastTo/shape", shape));
  TFLC_ASSIGN_OR_RETURN(Tensor y, c.Emit("BroadcastTo", {x.value, sv}, {Attr::T(x.dtype), Attr::Type("Tidx", TFLC_TYPE_INT32)}, s,
                                         x.dtype));
  out->push_back(y);
  return OkStatus();
}

StatusOr<Tensor> ReverseAxes(OpCall& c, const Tensor& x, std::vector<int64_t> axes) {
  for (auto& a : axes) {
    TFLC_ASSIGN_OR_RETURN(a, NormAxis(a, x.rank(), "axis"));
  }
  TFLC_ASSIGN_OR_RETURN(ValueView av, c.I32("ReverseV2/axis", axes));
  return c.Emit("ReverseV2", {x.value, av}, {Attr::T(x.dtype), Attr::Type("Tidx", TFLC_TYPE_INT32)}, x.shape, x.dtype);
}

Status FReverse(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, X(c, "tensor"));
  TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> axes, c.Ints(c.Get(1, "axis"), "axis"));
  TFLC_ASSIGN_OR_RETURN(Tensor y, ReverseAxes(c, x, axes));
  out->push_back(y);
  return OkStatus();
}

// tf.range(start, limit=None, delta=1, dtype=None): every bound must be a constant (a Python
// number or a folded static shape); emits Range over scalar Consts as TF traces it.
Status FRange(OpCall& c, const std::string&, Outs* out) {
  const Json sj = c.Get(0, "start"), lj = c.Get(1, "limit"), dj = c.Get(2, "delta");
  auto num = [&](const Json& j, const char* what, double dflt, bool* is_int) -> StatusOr<double> {
    if (j.is_null()) return dflt;
    std::vector<int64_t> folded;
    if (c.ConstInts(j, &folded) && folded.size() == 1) return static_cast<double>(folded[0]);
    if (!j.is_number_integer()) *is_int = false;
    return c.Num(j, what, dflt);
  };
  bool is_int = true;
  TFLC_ASSIGN_OR_RETURN(double start, num(sj, "start", 0, &is_int));
  TFLC_ASSIGN_OR_RETURN(double limit, num(lj, "limit", 0, &is_int));
  TFLC_ASSIGN_OR_RETURN(double delta, num(dj, "delta", 1, &is_int));
  if (lj.is_null()) {  // range(n) = range(0, n)
    limit = start;
    start = 0;
  }
  if (delta == 0) return InvalidArgument("range delta is 0");
  TflcDataType t = is_int ? TFLC_TYPE_INT32 : TFLC_TYPE_FLOAT32;
  TFLC_ASSIGN_OR_RETURN(std::string d, c.Str(c.Get(3, "dtype"), "dtype", ""));
  if (!d.empty()) {
    TFLC_ASSIGN_OR_RETURN(t, DtypeFromName(d));
  }
  const int64_t n = std::max<int64_t>(0, static_cast<int64_t>(std::ceil((limit - start) / delta)));
  TFLC_ASSIGN_OR_RETURN(Tensor a, c.Const("Range/start", t, {}, {start}));
  TFLC_ASSIGN_OR_RETURN(Tensor b, c.Const("Range/limit", t, {}, {limit}));
  TFLC_ASSIGN_OR_RETURN(Tensor e, c.Const("Range/delta", t, {}, {delta}));
  TFLC_ASSIGN_OR_RETURN(Tensor y, c.Emit("Range", {a.value, b.value, e.value}, {Attr::Type("Tidx", t)}, {n}, t));
  out->push_back(y);
  return OkStatus();
}

Status FAddN(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(std::vector<Tensor> xs, c.TensorList(c.Get(0, "inputs"), "inputs"));
  for (const auto& t : xs)
    if (t.shape != xs[0].shape)
      return InvalidArgument("add_n inputs have different shapes " + ShapeStr(xs[0].shape) + " and " + ShapeStr(t.shape));
  if (xs.size() == 1) {
    TFLC_ASSIGN_OR_RETURN(Tensor y, Unary(c, "Identity", xs[0]));
    out->push_back(y);
    return OkStatus();
  }
  std::vector<ValueView> ins;
  for (const auto& t : xs) ins.push_back(t.value);
  TFLC_ASSIGN_OR_RETURN(Tensor y, c.Emit("AddN", ins, {Attr::T(xs[0].dtype), Attr::Int("N", static_cast<int64_t>(xs.size()))},
                                         xs[0].shape, xs[0].dtype));
  out->push_back(y);
  return OkStatus();
}

// tf.norm / keras.ops.norm, Euclidean vector norm: sqrt(sum(x * x, axis, keepdims=True)) [squeezed].
StatusOr<Tensor> EuclideanNorm(OpCall& c, const Tensor& x, const Json& ord, const Json& axis, bool keepdims) {
  if (!ord.is_null() && !(ord.is_string() && (ord == "euclidean" || ord == "fro")) && !(ord.is_number() && ord.get<double>() == 2))
    return Unimplemented("norm with ord=" + Brief(ord) + " is not supported (only the Euclidean norm)");
  if (axis.is_array() && axis.size() > 1 && !(ord.is_null() || ord == "euclidean" || ord == "fro"))
    return Unimplemented("matrix norms are not supported");
  TFLC_ASSIGN_OR_RETURN(Tensor sq, Bin(c, "Mul", x, x));
  TFLC_ASSIGN_OR_RETURN(Tensor sum, Reduce(c, "Sum", sq, axis, true));
  TFLC_ASSIGN_OR_RETURN(Tensor r, Unary(c, "Sqrt", sum));
  if (keepdims) return r;
  return SqueezeAxes(c, r, axis.is_null() ? AllAxes(x.rank()) : axis);
}

Status FNorm(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, X(c, "tensor"));
  TFLC_ASSIGN_OR_RETURN(bool keep, c.Bool(c.Get(3, "keepdims"), "keepdims", false));
  TFLC_ASSIGN_OR_RETURN(Tensor y, EuclideanNorm(c, x, c.Get(1, "ord"), c.Get(2, "axis"), keep));
  out->push_back(y);
  return OkStatus();
}

Status FSquaredDiff(OpCall& c, const std::string&, Outs* out) {
  return Binary(c, "SquaredDifference", c.Get(0, "x"), c.Get(1, "y"), out);
}

// Sorted by name (binary search). Keras names: `function` without "tf.".
constexpr TfFunction kTfFunctions[] = {
    {"__operators__.add", FBinary, "AddV2"},
    {"__operators__.eq", FBinary, "Equal"},
    {"__operators__.getitem", FGetItem, ""},
    {"__operators__.ne", FBinary, "NotEqual"},
    {"broadcast_to", FBroadcastTo, ""},
    {"cast", FCast, ""},
    {"clip_by_value", FClip, ""},
    {"compat.v1.gather", FGather, ""},
    {"compat.v1.shape", FShape, "v1"},
    {"compat.v1.squeeze", FSqueeze, ""},
    {"concat", FConcat, ""},
    {"einsum", FEinsum, ""},
    {"expand_dims", FExpandDims, ""},
    {"gather", FGather, ""},
    {"identity", FUnary, "Identity"},
    {"image.resize", FResize, ""},
    {"linalg.l2_normalize", FL2Normalize, ""},
    {"linalg.matmul", FMatMul, ""},
    {"linalg.norm", FNorm, ""},
    {"math.abs", FUnary, "Abs"},
    {"math.add", FBinary, "AddV2"},
    {"math.add_n", FAddN, ""},
    {"math.argmax", FArgMinMax, "ArgMax"},
    {"math.argmin", FArgMinMax, "ArgMin"},
    {"math.ceil", FUnary, "Ceil"},
    {"math.cos", FUnary, "Cos"},
    {"math.cumsum", FCumsum, ""},
    {"math.divide", FBinary, "RealDiv"},
    {"math.equal", FBinary, "Equal"},
    {"math.exp", FUnary, "Exp"},
    {"math.floor", FUnary, "Floor"},
    {"math.floordiv", FBinary, "FloorDiv"},
    {"math.floormod", FBinary, "FloorMod"},
    {"math.greater", FBinary, "Greater"},
    {"math.greater_equal", FBinary, "GreaterEqual"},
    {"math.l2_normalize", FL2Normalize, ""},
    {"math.less", FBinary, "Less"},
    {"math.less_equal", FBinary, "LessEqual"},
    {"math.log", FUnary, "Log"},
    {"math.log_softmax", FSoftmax, "LogSoftmax"},
    {"math.logical_and", FBinary, "LogicalAnd"},
    {"math.logical_not", FUnary, "LogicalNot"},
    {"math.logical_or", FBinary, "LogicalOr"},
    {"math.maximum", FBinary, "Maximum"},
    {"math.minimum", FBinary, "Minimum"},
    {"math.multiply", FBinary, "Mul"},
    {"math.negative", FUnary, "Neg"},
    {"math.not_equal", FBinary, "NotEqual"},
    {"math.pow", FBinary, "Pow"},
    {"math.reciprocal", FReciprocal, ""},
    {"math.reduce_all", FReduce, "All"},
    {"math.reduce_any", FReduce, "Any"},
    {"math.reduce_max", FReduce, "Max"},
    {"math.reduce_mean", FReduce, "Mean"},
    {"math.reduce_min", FReduce, "Min"},
    {"math.reduce_prod", FReduce, "Prod"},
    {"math.reduce_std", FReduceVar, "std"},
    {"math.reduce_sum", FReduce, "Sum"},
    {"math.reduce_variance", FReduceVar, "var"},
    {"math.round", FUnary, "Round"},
    {"math.rsqrt", FUnary, "Rsqrt"},
    {"math.sigmoid", FUnary, "Sigmoid"},
    {"math.sin", FUnary, "Sin"},
    {"math.softplus", FUnary, "Softplus"},
    {"math.sqrt", FUnary, "Sqrt"},
    {"math.square", FUnary, "Square"},
    {"math.squared_difference", FSquaredDiff, ""},
    {"math.subtract", FBinary, "Sub"},
    {"math.tanh", FUnary, "Tanh"},
    {"math.truediv", FBinary, "RealDiv"},
    {"matmul", FMatMul, ""},
    {"nn.bias_add", FBiasAdd, ""},
    {"nn.elu", FUnary, "Elu"},
    {"nn.gelu", FGelu, ""},
    {"nn.l2_normalize", FL2Normalize, ""},
    {"nn.leaky_relu", FLeakyRelu, ""},
    {"nn.log_softmax", FSoftmax, "LogSoftmax"},
    {"nn.moments", FMoments, ""},
    {"nn.relu", FUnary, "Relu"},
    {"nn.relu6", FUnary, "Relu6"},
    {"nn.selu", FUnary, "Selu"},
    {"nn.sigmoid", FUnary, "Sigmoid"},
    {"nn.silu", FSilu, ""},
    {"nn.softmax", FSoftmax, "Softmax"},
    {"nn.softplus", FUnary, "Softplus"},
    {"nn.softsign", FSoftsign, ""},
    {"nn.swish", FSilu, ""},
    {"nn.tanh", FUnary, "Tanh"},
    {"norm", FNorm, ""},
    {"one_hot", FOneHot, ""},
    {"ones_like", FLike, "ones"},
    {"pad", FPad, ""},
    {"range", FRange, ""},
    {"reduce_all", FReduce, "All"},
    {"reduce_any", FReduce, "Any"},
    {"reduce_max", FReduce, "Max"},
    {"reduce_mean", FReduce, "Mean"},
    {"reduce_min", FReduce, "Min"},
    {"reduce_prod", FReduce, "Prod"},
    {"reduce_sum", FReduce, "Sum"},
    {"reshape", FReshape, ""},
    {"reverse", FReverse, ""},
    {"shape", FShape, ""},
    {"slice", FSlice, ""},
    {"split", FSplit, ""},
    {"squeeze", FSqueeze, ""},
    {"stack", FStack, ""},
    {"strided_slice", FStridedSlice, ""},
    {"tile", FTile, ""},
    {"transpose", FTranspose, ""},
    {"unstack", FUnstack, ""},
    {"where", FWhere, ""},
    {"zeros_like", FLike, "zeros"},
};

const TfFunction* FindTfFunction(const std::string& name) {
  for (const auto& f : kTfFunctions)
    if (name == f.name) return &f;
  return nullptr;
}

Status ConvertTFOpLambda(LayerContext& ctx, std::vector<Tensor>* out) {
  const Json& cfg = ctx.config();
  if (!cfg.contains("function") || !cfg["function"].is_string())
    return InvalidArgument("config 'function' (the TF function's name) is missing");
  const std::string fn = cfg["function"].get<std::string>();
  const TfFunction* f = FindTfFunction(fn);
  if (!f)
    return Unimplemented("TF function '" + fn + "' is not supported by tflc's Keras frontend; supported: see "
                         "docs/keras-layers.md (section \"TF-op layers and Keras 3 operation layers\")");
  OpCall c(ctx, ctx.call_args(), ctx.call_kwargs());
  return f->fn(c, f->op, out);
}

// ====================================================================== Keras 3 operations

struct K3Op {
  const char* module;  // after "keras.src.ops."
  const char* cls;
  Status (*fn)(OpCall& c, const std::string& op, Outs* out);
  const char* op;
};

Status KBinary(OpCall& c, const std::string& op, Outs* out) {
  return Binary(c, op, c.Get(0, "x1"), c.Get(1, "x2"), out);
}

StatusOr<Tensor> KX(OpCall& c) { return c.Operand(c.Get(0, "x"), "x"); }

Status KUnary(OpCall& c, const std::string& op, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, KX(c));
  if (!IsFloat(x.dtype) && op != "Abs" && op != "Neg" && op != "Square" && op != "Relu" && op != "Identity") {
    TFLC_ASSIGN_OR_RETURN(x, CastTo(c, x, TFLC_TYPE_FLOAT32));  // Keras 3 promotes ints to float for these
  }
  TFLC_ASSIGN_OR_RETURN(Tensor y, Unary(c, op, x));
  out->push_back(y);
  return OkStatus();
}

Status KReduce(OpCall& c, const std::string& op, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, KX(c));
  TFLC_ASSIGN_OR_RETURN(bool keep, c.Bool(c.Cfg("keepdims"), "keepdims", false));
  TFLC_ASSIGN_OR_RETURN(Tensor y, Reduce(c, op, x, c.Cfg("axis"), keep));
  out->push_back(y);
  return OkStatus();
}

Status KVar(OpCall& c, const std::string& op, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, KX(c));
  TFLC_ASSIGN_OR_RETURN(bool keep, c.Bool(c.Cfg("keepdims"), "keepdims", false));
  const Json axis = c.Cfg("axis");
  TFLC_ASSIGN_OR_RETURN(Tensor mean, Reduce(c, "Mean", x, axis, true));
  TFLC_ASSIGN_OR_RETURN(Tensor sd, Bin(c, "SquaredDifference", x, mean));
  TFLC_ASSIGN_OR_RETURN(Tensor v, Reduce(c, "Mean", sd, axis, keep));
  if (op == "std") {
    TFLC_ASSIGN_OR_RETURN(v, Unary(c, "Sqrt", v));
  }
  out->push_back(v);
  return OkStatus();
}

Status KReshape(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, KX(c));
  Json s = c.Cfg("newshape");
  if (s.is_null()) s = c.Cfg("new_shape", 1);
  if (s.is_null()) s = c.Get(1, "newshape");
  TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> shape, c.Ints(s, "new_shape"));
  TFLC_ASSIGN_OR_RETURN(Tensor y, ReshapeTo(c, x, shape));
  out->push_back(y);
  return OkStatus();
}

Status KTranspose(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, KX(c));
  std::vector<int64_t> perm;
  const Json a = c.Cfg("axes", 1);
  if (!a.is_null()) {
    TFLC_ASSIGN_OR_RETURN(perm, c.Ints(a, "axes"));
  }
  TFLC_ASSIGN_OR_RETURN(Tensor y, TransposeBy(c, x, perm));
  out->push_back(y);
  return OkStatus();
}

Status KConcat(OpCall& c, const std::string& op, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(std::vector<Tensor> xs, c.TensorList(c.Get(0, "xs"), "xs"));
  const Json aj = c.Cfg("axis", 1);
  TFLC_ASSIGN_OR_RETURN(int64_t axis, aj.is_null() ? StatusOr<int64_t>(0) : c.Int(aj, "axis"));
  if (op == "stack") {
    TFLC_ASSIGN_OR_RETURN(Tensor y, Stack(c, xs, axis));
    out->push_back(y);
    return OkStatus();
  }
  if (xs.size() == 1) {
    out->push_back(xs[0]);
    return OkStatus();
  }
  TFLC_ASSIGN_OR_RETURN(Tensor y, Concat(c, xs, axis));
  out->push_back(y);
  return OkStatus();
}

Status KExpandDims(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, KX(c));
  TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> axes, c.Ints(c.Cfg("axis", 1), "axis"));
  // Several axes: insert in increasing (normalized) order, as numpy does.
  const int64_t out_rank = x.rank() + static_cast<int64_t>(axes.size());
  for (auto& a : axes) {
    TFLC_ASSIGN_OR_RETURN(a, NormAxis(a, out_rank, "axis"));
  }
  std::sort(axes.begin(), axes.end());
  Tensor y = x;
  for (int64_t a : axes) {
    TFLC_ASSIGN_OR_RETURN(y, ExpandDims(c, y, a));
  }
  out->push_back(y);
  return OkStatus();
}

Status KSqueeze(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, KX(c));
  TFLC_ASSIGN_OR_RETURN(Tensor y, SqueezeAxes(c, x, c.Cfg("axis", 1)));
  out->push_back(y);
  return OkStatus();
}

Status KGetItem(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, KX(c));
  TFLC_ASSIGN_OR_RETURN(Tensor y, GetItem(c, x, c.Get(1, "key")));
  out->push_back(y);
  return OkStatus();
}

Status KTake(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, KX(c));
  TFLC_ASSIGN_OR_RETURN(Tensor idx, c.Operand(c.Get(1, "indices"), "indices", TFLC_TYPE_UNKNOWN));
  const Json aj = c.Cfg("axis", 2);
  if (aj.is_null()) return Unimplemented("take without an axis (on the flattened input) is not supported");
  TFLC_ASSIGN_OR_RETURN(int64_t axis, c.Int(aj, "axis"));
  TFLC_ASSIGN_OR_RETURN(Tensor y, GatherOf(c, x, idx, axis, 0));
  out->push_back(y);
  return OkStatus();
}

Status KCast(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, KX(c));
  const Json d = c.Cfg("dtype", 1);
  TFLC_ASSIGN_OR_RETURN(TflcDataType t, DtypeFromName(DtypeName(d)));
  TFLC_ASSIGN_OR_RETURN(Tensor y, CastTo(c, x, t));
  out->push_back(y);
  return OkStatus();
}

Status KMatmul(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor a, c.Operand(c.Get(0, "x1"), "x1"));
  TFLC_ASSIGN_OR_RETURN(Tensor b, c.Operand(c.Get(1, "x2"), "x2", a.dtype));
  TFLC_ASSIGN_OR_RETURN(Tensor y, MatMulOf(c, a, b, false, false));
  out->push_back(y);
  return OkStatus();
}

Status KSoftmax(OpCall& c, const std::string& op, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, KX(c));
  const Json aj = c.Cfg("axis", 1);
  TFLC_ASSIGN_OR_RETURN(int64_t axis, aj.is_null() ? StatusOr<int64_t>(-1) : c.Int(aj, "axis"));
  TFLC_ASSIGN_OR_RETURN(Tensor y, SoftmaxAxis(c, op, x, axis));
  out->push_back(y);
  return OkStatus();
}

Status KGelu(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, KX(c));
  TFLC_ASSIGN_OR_RETURN(bool approx, c.Bool(c.Cfg("approximate", 1), "approximate", true));  // keras.ops.gelu default
  TFLC_ASSIGN_OR_RETURN(Tensor y, c.Emit("tflc.Gelu", {x.value}, {Attr::Bool("approximate", approx)}, x.shape, x.dtype));
  out->push_back(y);
  return OkStatus();
}

Status KSilu(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, KX(c));
  TFLC_ASSIGN_OR_RETURN(Tensor y, Silu(c, x, 1.0));
  out->push_back(y);
  return OkStatus();
}

Status KLeakyRelu(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, KX(c));
  TFLC_ASSIGN_OR_RETURN(double alpha, c.Num(c.Cfg("negative_slope", 1), "negative_slope", 0.2));
  TFLC_ASSIGN_OR_RETURN(Tensor y, Unary(c, "LeakyRelu", x, {Attr::Float("alpha", alpha)}));
  out->push_back(y);
  return OkStatus();
}

Status KClip(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, KX(c));
  TFLC_ASSIGN_OR_RETURN(Tensor y, ClipBy(c, x, c.Cfg("x_min", 1), c.Cfg("x_max", 2)));
  out->push_back(y);
  return OkStatus();
}

Status KTile(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, KX(c));
  TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> reps, c.Ints(c.Cfg("repeats", 1), "repeats"));
  // numpy.tile: a shorter repeats list is padded with leading 1s.
  while (static_cast<int64_t>(reps.size()) < x.rank()) reps.insert(reps.begin(), 1);
  TFLC_ASSIGN_OR_RETURN(Tensor y, TileBy(c, x, reps));
  out->push_back(y);
  return OkStatus();
}

// numpy.split: an int = equal sections; a list = split points (not sizes).
Status KSplit(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, KX(c));
  const Json ios = c.Cfg("indices_or_sections", 1);
  const Json aj = c.Cfg("axis", 2);
  TFLC_ASSIGN_OR_RETURN(int64_t axis, aj.is_null() ? StatusOr<int64_t>(0) : c.Int(aj, "axis"));
  if (ios.is_number()) {
    TFLC_ASSIGN_OR_RETURN(int64_t k, c.Int(ios, "indices_or_sections"));
    return SplitInto(c, x, {k}, true, axis, out);
  }
  TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> points, c.Ints(ios, "indices_or_sections"));
  TFLC_ASSIGN_OR_RETURN(int64_t a, NormAxis(axis, x.rank(), "axis"));
  const int64_t dim = x.shape[static_cast<size_t>(a)];
  if (dim < 0) return Unimplemented("split of an unknown dimension is not supported");
  std::vector<int64_t> sizes;
  int64_t prev = 0;
  for (int64_t p : points) {
    p = std::clamp<int64_t>(p < 0 ? p + dim : p, 0, dim);
    sizes.push_back(std::max<int64_t>(p - prev, 0));
    prev = std::max(prev, p);
  }
  sizes.push_back(dim - prev);
  return SplitInto(c, x, sizes, false, axis, out);
}

Status KWhere(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor cond, c.Operand(c.Get(0, "condition"), "condition"));
  const Json xj = c.Get(1, "x1"), yj = c.Get(2, "x2");
  if (xj.is_null() || yj.is_null()) return Unimplemented("where with only a condition is not supported");
  TflcDataType like = TFLC_TYPE_FLOAT32;
  if (c.IsTensor(xj)) like = c.Operand(xj, "x1")->dtype;
  else if (c.IsTensor(yj)) like = c.Operand(yj, "x2")->dtype;
  TFLC_ASSIGN_OR_RETURN(Tensor x, c.Operand(xj, "x1", like));
  TFLC_ASSIGN_OR_RETURN(Tensor y, c.Operand(yj, "x2", like));
  if (cond.dtype != TFLC_TYPE_BOOL) {
    TFLC_ASSIGN_OR_RETURN(cond, CastTo(c, cond, TFLC_TYPE_BOOL));
  }
  Shape s1, s;
  if (!BroadcastShapes(cond.shape, x.shape, &s1) || !BroadcastShapes(s1, y.shape, &s))
    return InvalidArgument("where operand shapes do not broadcast");
  TFLC_ASSIGN_OR_RETURN(Tensor r, c.Emit("SelectV2", {cond.value, x.value, y.value}, {Attr::T(like)}, s, like));
  out->push_back(r);
  return OkStatus();
}

Status KEinsum(OpCall& c, const std::string&, Outs* out) {
  Json sub = c.Cfg("subscripts");
  size_t first = 0;
  if (sub.is_null()) {
    sub = c.Get(0, "subscripts");
    first = 1;
  }
  TFLC_ASSIGN_OR_RETURN(std::string eq, c.Str(sub, "subscripts", ""));
  std::vector<Tensor> ins;
  for (size_t p = first; !c.Get(p, "").is_null(); ++p) {
    TFLC_ASSIGN_OR_RETURN(Tensor t, c.Operand(c.Get(p, ""), "operands"));
    ins.push_back(t);
  }
  TFLC_ASSIGN_OR_RETURN(Tensor y, EinsumOf(c, eq, ins));
  out->push_back(y);
  return OkStatus();
}

Status KFlip(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, KX(c));
  const Json aj = c.Cfg("axis", 1);
  std::vector<int64_t> axes;
  if (aj.is_null()) {
    for (int64_t i = 0; i < x.rank(); ++i) axes.push_back(i);
  } else {
    TFLC_ASSIGN_OR_RETURN(axes, c.Ints(aj, "axis"));
  }
  TFLC_ASSIGN_OR_RETURN(Tensor y, ReverseAxes(c, x, axes));
  out->push_back(y);
  return OkStatus();
}

Status KNorm(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, KX(c));
  TFLC_ASSIGN_OR_RETURN(bool keep, c.Bool(c.Cfg("keepdims"), "keepdims", false));
  TFLC_ASSIGN_OR_RETURN(Tensor y, EuclideanNorm(c, x, c.Cfg("ord"), c.Cfg("axis"), keep));
  out->push_back(y);
  return OkStatus();
}

Status KReciprocal(OpCall& c, const std::string& op, Outs* out) { return FReciprocal(c, op, out); }

Status KNormalize(OpCall& c, const std::string&, Outs* out) {
  TFLC_ASSIGN_OR_RETURN(Tensor x, KX(c));
  const Json aj = c.Cfg("axis", 1);
  TFLC_ASSIGN_OR_RETURN(int64_t order, c.Int(c.Cfg("order").is_null() ? Json(2) : c.Cfg("order"), "order"));
  if (order != 2) return Unimplemented("normalize with order " + std::to_string(order) + " is not supported (only 2)");
  TFLC_ASSIGN_OR_RETURN(Tensor y, L2Normalize(c, x, aj.is_null() ? Json(-1) : aj, 1e-12));
  out->push_back(y);
  return OkStatus();
}

constexpr K3Op kK3Ops[] = {
    // numpy
    {"numpy", "Abs", KUnary, "Abs"},
    {"numpy", "Absolute", KUnary, "Abs"},
    {"numpy", "Add", KBinary, "AddV2"},
    {"numpy", "Ceil", KUnary, "Ceil"},
    {"numpy", "Clip", KClip, ""},
    {"numpy", "Concatenate", KConcat, "concat"},
    {"numpy", "Cos", KUnary, "Cos"},
    {"numpy", "Divide", KBinary, "RealDiv"},
    {"numpy", "Einsum", KEinsum, ""},
    {"numpy", "Equal", KBinary, "Equal"},
    {"numpy", "Exp", KUnary, "Exp"},
    {"numpy", "ExpandDims", KExpandDims, ""},
    {"numpy", "Flip", KFlip, ""},
    {"numpy", "Floor", KUnary, "Floor"},
    {"numpy", "FloorDivide", KBinary, "FloorDiv"},
    {"numpy", "GetItem", KGetItem, ""},
    {"numpy", "Greater", KBinary, "Greater"},
    {"numpy", "GreaterEqual", KBinary, "GreaterEqual"},
    {"numpy", "Less", KBinary, "Less"},
    {"numpy", "LessEqual", KBinary, "LessEqual"},
    {"numpy", "Log", KUnary, "Log"},
    {"numpy", "Matmul", KMatmul, ""},
    {"numpy", "Max", KReduce, "Max"},
    {"numpy", "Maximum", KBinary, "Maximum"},
    {"numpy", "Mean", KReduce, "Mean"},
    {"numpy", "Min", KReduce, "Min"},
    {"numpy", "Minimum", KBinary, "Minimum"},
    {"numpy", "Mod", KBinary, "FloorMod"},
    {"numpy", "Multiply", KBinary, "Mul"},
    {"numpy", "Negative", KUnary, "Neg"},
    {"numpy", "NotEqual", KBinary, "NotEqual"},
    {"numpy", "Power", KBinary, "Pow"},
    {"numpy", "Prod", KReduce, "Prod"},
    {"numpy", "Reciprocal", KReciprocal, ""},
    {"numpy", "Reshape", KReshape, ""},
    {"numpy", "Round", KUnary, "Round"},
    {"numpy", "Sin", KUnary, "Sin"},
    {"numpy", "Split", KSplit, ""},
    {"numpy", "Sqrt", KUnary, "Sqrt"},
    {"numpy", "Square", KUnary, "Square"},
    {"numpy", "Squeeze", KSqueeze, ""},
    {"numpy", "Stack", KConcat, "stack"},
    {"numpy", "Std", KVar, "std"},
    {"numpy", "Subtract", KBinary, "Sub"},
    {"numpy", "Sum", KReduce, "Sum"},
    {"numpy", "Take", KTake, ""},
    {"numpy", "Tanh", KUnary, "Tanh"},
    {"numpy", "Tile", KTile, ""},
    {"numpy", "Transpose", KTranspose, ""},
    {"numpy", "TrueDivide", KBinary, "RealDiv"},
    {"numpy", "Var", KVar, "var"},
    {"numpy", "Where", KWhere, ""},
    // nn
    {"nn", "Elu", KUnary, "Elu"},
    {"nn", "Gelu", KGelu, ""},
    {"nn", "LeakyRelu", KLeakyRelu, ""},
    {"nn", "LogSoftmax", KSoftmax, "LogSoftmax"},
    {"nn", "Relu", KUnary, "Relu"},
    {"nn", "Relu6", KUnary, "Relu6"},
    {"nn", "Selu", KUnary, "Selu"},
    {"nn", "Sigmoid", KUnary, "Sigmoid"},
    {"nn", "Silu", KSilu, ""},
    {"nn", "Softmax", KSoftmax, "Softmax"},
    {"nn", "Softplus", KUnary, "Softplus"},
    {"nn", "Normalize", KNormalize, ""},
    // core, math
    {"core", "Cast", KCast, ""},
    {"math", "Rsqrt", KUnary, "Rsqrt"},
    {"linalg", "Norm", KNorm, ""},
};

const K3Op* FindK3Op(const std::string& module, const std::string& cls) {
  for (const auto& o : kK3Ops)
    if ((module.empty() || module == o.module) && cls == o.cls) return &o;
  return nullptr;
}

std::string K3Module(const LayerDef& l) {
  static const std::string kPrefix = "keras.src.ops.";
  if (l.module.rfind(kPrefix, 0) == 0) return l.module.substr(kPrefix.size());
  return "";
}

Status ConvertK3Op(LayerContext& ctx, std::vector<Tensor>* out) {
  const K3Op* op = FindK3Op(K3Module(ctx.layer()), ctx.layer().class_name);
  if (!op)
    return Unimplemented("Keras operation '" + ctx.layer().module + "." + ctx.layer().class_name +
                         "' is not supported by tflc's Keras frontend; supported: see docs/keras-layers.md");
  OpCall c(ctx, ctx.call_args(), ctx.call_kwargs());
  return op->fn(c, op->op, out);
}

// Keras 3 legacy H5 writes op layers with a bare class name and no module (KERAS.md A.4): an
// entry is an operation when its config lacks `trainable` (every Layer config has it; an op's
// config is `name` plus its __init__ arguments, which may include a `dtype`, e.g. Cast) and it is
// not called with one list argument (merge layers are).
bool LooksLikeK3LegacyOp(const LayerDef& l) {
  if (!l.module.empty() || !l.registered_name.empty()) return false;
  if (l.config.contains("trainable")) return false;
  if (!FindK3Op("", l.class_name)) return false;
  if (l.calls.empty()) return false;
  // Only the Keras 3 dict node form has args; merge layers take [[a, b]] (one list argument).
  const Json& args = l.calls[0].args;
  if (args.is_array() && args.size() == 1 && args[0].is_array() && l.class_name != "Concatenate" &&
      l.class_name != "Stack")
    return false;
  return true;
}

}  // namespace

bool HasTfFunction(const std::string& name) { return FindTfFunction(name) != nullptr; }

Status RunTfFunction(LayerContext& ctx, const std::string& name, const std::vector<Tensor>& tensors, const Json& args,
                     const Json& kwargs, std::vector<Tensor>* out) {
  const TfFunction* f = FindTfFunction(name);
  if (!f) return Unimplemented("TF function '" + name + "' is not supported by tflc's Keras frontend");
  OpCall c(ctx, tensors, args, kwargs);
  return f->fn(c, f->op, out);
}

LayerFn FindOpLayerConverter(const LayerDef& layer) {
  if (layer.class_name == "TFOpLambda" || layer.class_name == "SlicingOpLambda") {
    // Keras-internal classes: in a .keras file their module is keras.src.layers.core.tf_op_layer
    // (or keras.layers.core...); a user class of that name would have registered_name "pkg>Name".
    if (layer.registered_name.find('>') != std::string::npos) return nullptr;
    return ConvertTFOpLambda;
  }
  if (layer.module.rfind("keras.src.ops.", 0) == 0) return ConvertK3Op;
  if (LooksLikeK3LegacyOp(layer)) return ConvertK3Op;
  return nullptr;
}

}  // namespace tflc::keras
