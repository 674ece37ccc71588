#include "common.h"

#include <climits>
#include <cmath>
#include <cstring>
#include <utility>

namespace tflc::lower_builtin {

Status AttrError(std::string_view attr, const std::string& problem) {
  return InvalidArgument("attribute '" + std::string(attr) + "' " + problem);
}

Status UnsupportedAttr(std::string_view attr, const std::string& value, const std::string& supported) {
  return Unimplemented("attribute '" + std::string(attr) + "' = " + value +
                       " is not supported by the TFLite builtin lowering (supported: " + supported + ")");
}

std::string Lowering::Name(std::string_view suffix) const {
  std::string n(node_.name());
  if (!suffix.empty()) {
    n += '/';
    n += suffix;
  }
  return n;
}

StatusOr<ValueView> Lowering::Input(size_t i) const {
  if (i >= node_.num_inputs()) {
    return InvalidArgument("expected at least " + std::to_string(i + 1) + " inputs, got " +
                           std::to_string(node_.num_inputs()));
  }
  ValueView v = node_.input(i);
  if (!v) return InvalidArgument("input " + std::to_string(i) + " is omitted but required");
  return v;
}

StatusOr<std::vector<int64_t>> Lowering::ConstInts(size_t i, std::string_view what) const {
  TFLC_ASSIGN_OR_RETURN(ValueView v, Input(i));
  if (!v.is_const()) {
    return Unimplemented(std::string(what) + " (input " + std::to_string(i) +
                         ") must be a constant for the TFLite builtin lowering");
  }
  TflcDataType t = v.type();
  if (t != TFLC_TYPE_INT32 && t != TFLC_TYPE_INT64 && t != TFLC_TYPE_INT16 && t != TFLC_TYPE_INT8 &&
      t != TFLC_TYPE_UINT8) {
    return InvalidArgument(std::string(what) + " (input " + std::to_string(i) +
                           ") must be an integer constant, got " + TypeName(t));
  }
  return v.ConstVector<int64_t>();
}

StatusOr<ValueView> Lowering::Int32Input(size_t i, std::string_view suffix) const {
  TFLC_ASSIGN_OR_RETURN(ValueView v, Input(i));
  TflcDataType t = v.type();
  if (t == TFLC_TYPE_INT32 || t == TFLC_TYPE_UNKNOWN) return v;
  if (t != TFLC_TYPE_INT64 && t != TFLC_TYPE_INT16 && t != TFLC_TYPE_INT8 && t != TFLC_TYPE_UINT8) {
    return InvalidArgument("input " + std::to_string(i) + " must be an integer tensor, got " + TypeName(t));
  }
  if (v.is_const()) {
    // A constant shape operand (a few values) becomes an INT32 constant right away, so shape
    // functions see its values before any folding (as TF's CreateInt32ConstOrCast does).
    TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> values, v.ConstVector<int64_t>());
    std::vector<int32_t> narrowed;
    narrowed.reserve(values.size());
    for (int64_t x : values) {
      if (x < INT32_MIN || x > INT32_MAX) {
        return InvalidArgument("input " + std::to_string(i) + " holds " + std::to_string(x) +
                               ", which does not fit the INT32 operand TFLite needs");
      }
      narrowed.push_back(static_cast<int32_t>(x));
    }
    return ConstInt32(suffix, v.dims(), narrowed);
  }
  return Emit1("CAST", suffix, {v},
               {{"in_data_type", static_cast<int64_t>(t)},
                {"out_data_type", static_cast<int64_t>(TFLC_TYPE_INT32)}});
}

Status Lowering::RequireDataFormat(std::string_view default_format) const {
  TFLC_ASSIGN_OR_RETURN(std::string fmt, node_.StringAttrOr("data_format", std::string(default_format)));
  if (fmt != "NHWC" && fmt != "NWC" && fmt != "NDHWC") {
    return UnsupportedAttr("data_format", "\"" + fmt + "\"",
                           "\"NHWC\"; convert channels-first models to channels-last first");
  }
  return OkStatus();
}

StatusOr<std::pair<int64_t, int64_t>> Lowering::ReadHW(std::string_view attr, bool required,
                                                      int64_t default_value) const {
  if (!node_.HasAttr(attr)) {
    if (required) return AttrError(attr, "is missing");
    return std::make_pair(default_value, default_value);
  }
  TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> v, node_.IntListAttr(attr));
  if (v.size() != 4) {
    return AttrError(attr, "must have 4 values [1, h, w, 1], got " + std::to_string(v.size()));
  }
  if (v[0] != 1 || v[3] != 1) {
    return UnsupportedAttr(attr, "[" + std::to_string(v[0]) + ", " + std::to_string(v[1]) + ", " +
                                     std::to_string(v[2]) + ", " + std::to_string(v[3]) + "]",
                           "1 in the batch and channel positions");
  }
  if (v[1] < 1 || v[2] < 1) return AttrError(attr, "must be positive");
  return std::make_pair(v[1], v[2]);
}

StatusOr<Window2D> Lowering::ReadWindow2D(bool allow_explicit, bool has_dilations) const {
  TFLC_RETURN_IF_ERROR(RequireDataFormat());
  Window2D w;
  TFLC_ASSIGN_OR_RETURN(auto strides, ReadHW("strides", /*required=*/true, 1));
  w.stride_h = strides.first;
  w.stride_w = strides.second;
  if (has_dilations) {
    TFLC_ASSIGN_OR_RETURN(auto dil, ReadHW("dilations", /*required=*/false, 1));
    w.dilation_h = dil.first;
    w.dilation_w = dil.second;
  }
  TFLC_ASSIGN_OR_RETURN(std::string padding, node_.StringAttr("padding"));
  if (padding == "SAME") {
    w.padding = kPaddingSame;
  } else if (padding == "VALID") {
    w.padding = kPaddingValid;
  } else if (padding == "EXPLICIT" && allow_explicit) {
    w.padding = kPaddingValid;
    TFLC_ASSIGN_OR_RETURN(w.explicit_pads, node_.IntListAttr("explicit_paddings"));
    if (w.explicit_pads.size() != 8) {
      return AttrError("explicit_paddings", "must have 8 values with padding=\"EXPLICIT\", got " +
                                                std::to_string(w.explicit_pads.size()));
    }
    if (w.explicit_pads[0] != 0 || w.explicit_pads[1] != 0 || w.explicit_pads[6] != 0 ||
        w.explicit_pads[7] != 0) {
      return UnsupportedAttr("explicit_paddings", "non-zero batch/channel padding",
                             "padding of the spatial dimensions only");
    }
    bool all_zero = true;
    for (int64_t p : w.explicit_pads) {
      if (p < 0) return AttrError("explicit_paddings", "must not be negative");
      all_zero = all_zero && p == 0;
    }
    if (all_zero) w.explicit_pads.clear();
  } else {
    return UnsupportedAttr("padding", "\"" + padding + "\"",
                           allow_explicit ? "\"SAME\", \"VALID\", \"EXPLICIT\"" : "\"SAME\", \"VALID\"");
  }
  return w;
}

Status Lowering::SetAttrs(const NodeView& n, const Attrs& attrs) const {
  for (const Attr& a : attrs) {
    switch (a.kind) {
      case Attr::kInt: TFLC_RETURN_IF_ERROR(n.SetInt(a.name, a.i)); break;
      case Attr::kBool: TFLC_RETURN_IF_ERROR(n.SetBool(a.name, a.i != 0)); break;
      case Attr::kFloat: TFLC_RETURN_IF_ERROR(n.SetFloat(a.name, a.f)); break;
      case Attr::kIntList: TFLC_RETURN_IF_ERROR(n.SetIntList(a.name, a.list)); break;
    }
  }
  return OkStatus();
}

StatusOr<NodeView> Lowering::Emit(std::string_view op, std::string_view suffix,
                                  const std::vector<ValueView>& inputs, const Attrs& attrs,
                                  size_t num_outputs) const {
  TFLC_ASSIGN_OR_RETURN(NodeView n, builder_.Builtin(op, Name(suffix), inputs, num_outputs));
  TFLC_RETURN_IF_ERROR(SetAttrs(n, attrs));
  return n;
}

StatusOr<ValueView> Lowering::Emit1(std::string_view op, std::string_view suffix,
                                    const std::vector<ValueView>& inputs, const Attrs& attrs) const {
  TFLC_ASSIGN_OR_RETURN(NodeView n, Emit(op, suffix, inputs, attrs, 1));
  return n.output(0);
}

StatusOr<ValueView> Lowering::ConstInt32(std::string_view suffix, const std::vector<int64_t>& dims,
                                         const std::vector<int32_t>& values) const {
  return builder_.ConstInt32(Name(suffix), dims, values);
}

StatusOr<ValueView> Lowering::ConstInt32Vector(std::string_view suffix,
                                               const std::vector<int64_t>& values) const {
  std::vector<int32_t> v(values.begin(), values.end());
  return builder_.ConstInt32(Name(suffix), {static_cast<int64_t>(v.size())}, v);
}

StatusOr<ValueView> Lowering::ConstFloat(std::string_view suffix, const std::vector<int64_t>& dims,
                                         const std::vector<float>& values) const {
  return builder_.ConstFloat(Name(suffix), dims, values);
}

StatusOr<ValueView> Lowering::ScalarFloat(std::string_view suffix, float value) const {
  return builder_.ConstFloat(Name(suffix), {}, {value});
}

StatusOr<ValueView> Lowering::Scalar(std::string_view suffix, TflcDataType type, double value) const {
  switch (type) {
    case TFLC_TYPE_FLOAT32:
      return builder_.ConstFloat(Name(suffix), {}, {static_cast<float>(value)});
    case TFLC_TYPE_INT32:
      return builder_.ConstInt32(Name(suffix), {}, {static_cast<int32_t>(value)});
    case TFLC_TYPE_INT64:
      return builder_.Const(Name(suffix), TFLC_TYPE_INT64, {}, std::vector<int64_t>{static_cast<int64_t>(value)});
    default:
      return Unimplemented("cannot make a " + TypeName(type) + " constant here");
  }
}

StatusOr<ValueView> Lowering::Zeros(std::string_view suffix, TflcDataType type,
                                    const std::vector<int64_t>& dims) const {
  size_t elem = sdk::ElementSize(type);
  if (elem == 0) return Unimplemented("cannot make a zero " + TypeName(type) + " constant");
  for (int64_t d : dims) {
    if (d < 0) return Internal("zero constant '" + Name(suffix) + "' needs a fully known shape");
  }
  void* data = nullptr;
  size_t size = static_cast<size_t>(sdk::NumElements(dims)) * elem;
  // The host hands out zeroed bytes: nothing to fill.
  return builder_.NewConst(Name(suffix), type, dims, size, &data);
}

StatusOr<ValueView> Lowering::Variable(std::string_view suffix, TflcDataType type,
                                       const std::vector<int64_t>& dims) const {
  if (!TFLC_HAS_FIELD(host(), TflcHostApi, Graph_AddVariable)) {
    return FailedPrecondition("this host cannot create variable tensors (Graph_AddVariable); update tflc");
  }
  return builder_.Variable(Name(suffix), type, dims);
}

StatusOr<ValueView> Lowering::Transpose(const ValueView& x, const std::vector<int64_t>& perm,
                                        std::string_view suffix) const {
  TFLC_ASSIGN_OR_RETURN(ValueView p, ConstInt32Vector(std::string(suffix) + "/perm", perm));
  return Emit1("TRANSPOSE", suffix, {x, p});
}

StatusOr<ValueView> Lowering::Reshape(const ValueView& x, const std::vector<int64_t>& shape,
                                      std::string_view suffix) const {
  TFLC_ASSIGN_OR_RETURN(ValueView s, ConstInt32Vector(std::string(suffix) + "/shape", shape));
  return Emit1("RESHAPE", suffix, {x, s});
}

StatusOr<ValueView> Lowering::Binary(std::string_view op, const ValueView& a, const ValueView& b,
                                     std::string_view suffix) const {
  Attrs attrs;
  if (op == "ADD" || op == "SUB" || op == "MUL" || op == "DIV") {
    attrs.emplace_back("fused_activation_function", static_cast<int64_t>(kActNone));
  }
  return Emit1(op, suffix, {a, b}, attrs);
}

StatusOr<ValueView> Lowering::Unary(std::string_view op, const ValueView& x, std::string_view suffix) const {
  return Emit1(op, suffix, {x});
}

Status Lowering::Replace(size_t index, const ValueView& value) const {
  if (index >= node_.num_outputs()) {
    return Internal("lowering replaced output " + std::to_string(index) + " of a node with " +
                    std::to_string(node_.num_outputs()) + " outputs");
  }
  ValueView from = node_.output(index);
  // Keep what the frontend knew about the output's shape: later lowerings (RNN unrolling,
  // StridedSlice rewriting, SelectV2) read shapes before the opset's shape inference runs, which
  // recomputes them anyway.
  if (from.rank() >= 0 && value.rank() < 0 && !value.is_const()) {
    TFLC_RETURN_IF_ERROR(value.SetShape(from.type(), from.dims()));
  }
  return from.ReplaceAllUsesWith(value);
}

Status Lowering::ReplaceAll(const NodeView& n) const {
  if (n.num_outputs() < node_.num_outputs()) {
    return Internal("replacement node has " + std::to_string(n.num_outputs()) + " outputs, source has " +
                    std::to_string(node_.num_outputs()));
  }
  for (size_t i = 0; i < node_.num_outputs(); ++i) TFLC_RETURN_IF_ERROR(Replace(i, n.output(i)));
  return OkStatus();
}

}  // namespace tflc::lower_builtin
