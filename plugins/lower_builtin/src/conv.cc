// Convolutions and pooling (NHWC only).
//
// Weight layout changes are emitted as TRANSPOSE / RESHAPE on the filter; constant folding turns
// them into the final constants. Biases are zero constants (CONV_2D, DEPTHWISE_CONV_2D) or omitted
// (TRANSPOSE_CONV); a following BiasAdd is fused into them by the host.
#include <string>
#include <vector>

#include "common.h"
#include "lowerings.h"

namespace tflc::lower_builtin {
namespace {

// The filter must have a known 4-D shape (the bias size and depth multiplier come from it).
StatusOr<std::vector<int64_t>> FilterDims(const ValueView& f) {
  if (f.rank() != 4 || !f.fully_defined()) {
    return Unimplemented("the filter (input 1) must have a known 4-D shape; got " +
                         std::string(f.rank() < 0 ? "an unknown shape" : "rank " + std::to_string(f.rank())));
  }
  return f.dims();
}

// EXPLICIT padding becomes a PAD op in front of a VALID conv.
StatusOr<ValueView> PadExplicit(const Lowering& l, const ValueView& x, const Window2D& w) {
  if (w.explicit_pads.empty()) return x;
  std::vector<int32_t> pads(w.explicit_pads.begin(), w.explicit_pads.end());
  TFLC_ASSIGN_OR_RETURN(ValueView p, l.ConstInt32("explicit_pad/paddings", {4, 2}, pads));
  return l.Emit1("PAD", "explicit_pad", {x, p});
}

TflcDataType BiasType(const ValueView& filter) {
  TflcDataType t = filter.type();
  return t == TFLC_TYPE_FLOAT16 ? TFLC_TYPE_FLOAT16 : TFLC_TYPE_FLOAT32;
}

}  // namespace

// Conv2D(input, filter[H,W,I,O]) → CONV_2D(input, TRANSPOSE(filter,[3,0,1,2]) = OHWI, zeros[O]).
TflcStatus* LowerConv2D(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    TFLC_ASSIGN_OR_RETURN(Window2D w, l.ReadWindow2D(/*allow_explicit=*/true, /*has_dilations=*/true));
    TFLC_ASSIGN_OR_RETURN(ValueView x, l.Input(0));
    TFLC_ASSIGN_OR_RETURN(ValueView f, l.Input(1));
    TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> fd, FilterDims(f));
    TFLC_ASSIGN_OR_RETURN(x, PadExplicit(l, x, w));
    TFLC_ASSIGN_OR_RETURN(ValueView filter, l.Transpose(f, {3, 0, 1, 2}, "filter_transpose"));
    TFLC_ASSIGN_OR_RETURN(ValueView bias, l.Zeros("bias", BiasType(f), {fd[3]}));
    TFLC_ASSIGN_OR_RETURN(ValueView y, l.Emit1("CONV_2D", "", {x, filter, bias},
                                               {{"padding", w.padding},
                                                {"stride_w", w.stride_w},
                                                {"stride_h", w.stride_h},
                                                {"dilation_w_factor", w.dilation_w},
                                                {"dilation_h_factor", w.dilation_h},
                                                {"fused_activation_function", static_cast<int64_t>(kActNone)}}));
    return l.Replace(0, y);
  });
}

// DepthwiseConv2dNative(input, filter[H,W,C,M]) →
//   DEPTHWISE_CONV_2D(input, RESHAPE(filter, [1,H,W,C*M]), zeros[C*M]), depth_multiplier = M.
TflcStatus* LowerDepthwiseConv2D(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    TFLC_ASSIGN_OR_RETURN(Window2D w, l.ReadWindow2D(/*allow_explicit=*/true, /*has_dilations=*/true));
    TFLC_ASSIGN_OR_RETURN(ValueView x, l.Input(0));
    TFLC_ASSIGN_OR_RETURN(ValueView f, l.Input(1));
    TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> fd, FilterDims(f));
    const int64_t channels = fd[2] * fd[3];
    TFLC_ASSIGN_OR_RETURN(x, PadExplicit(l, x, w));
    TFLC_ASSIGN_OR_RETURN(ValueView filter, l.Reshape(f, {1, fd[0], fd[1], channels}, "filter_reshape"));
    TFLC_ASSIGN_OR_RETURN(ValueView bias, l.Zeros("bias", BiasType(f), {channels}));
    TFLC_ASSIGN_OR_RETURN(ValueView y, l.Emit1("DEPTHWISE_CONV_2D", "", {x, filter, bias},
                                               {{"padding", w.padding},
                                                {"stride_w", w.stride_w},
                                                {"stride_h", w.stride_h},
                                                {"depth_multiplier", fd[3]},
                                                {"dilation_w_factor", w.dilation_w},
                                                {"dilation_h_factor", w.dilation_h},
                                                {"fused_activation_function", static_cast<int64_t>(kActNone)}}));
    return l.Replace(0, y);
  });
}

// Conv2DBackpropInput(input_sizes, filter[H,W,O,I], out_backprop) →
//   TRANSPOSE_CONV(output_shape, TRANSPOSE(filter,[2,0,1,3]) = OHWI, out_backprop, bias omitted).
TflcStatus* LowerConv2DBackpropInput(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    TFLC_ASSIGN_OR_RETURN(Window2D w, l.ReadWindow2D(/*allow_explicit=*/false, /*has_dilations=*/true));
    if (w.dilation_h != 1 || w.dilation_w != 1) {
      return UnsupportedAttr("dilations", "[1, " + std::to_string(w.dilation_h) + ", " +
                                              std::to_string(w.dilation_w) + ", 1]",
                             "[1, 1, 1, 1] (TRANSPOSE_CONV has no dilation)");
    }
    TFLC_ASSIGN_OR_RETURN(ValueView output_shape, l.Int32Input(0, "output_shape_int32"));
    TFLC_ASSIGN_OR_RETURN(ValueView f, l.Input(1));
    TFLC_ASSIGN_OR_RETURN(ValueView dy, l.Input(2));
    TFLC_ASSIGN_OR_RETURN(ValueView filter, l.Transpose(f, {2, 0, 1, 3}, "filter_transpose"));
    TFLC_ASSIGN_OR_RETURN(ValueView y, l.Emit1("TRANSPOSE_CONV", "", {output_shape, filter, dy, ValueView()},
                                               {{"padding", w.padding},
                                                {"stride_w", w.stride_w},
                                                {"stride_h", w.stride_h},
                                                {"fused_activation_function", static_cast<int64_t>(kActNone)}}));
    return l.Replace(0, y);
  });
}

// MaxPool / AvgPool (ksize, strides [1,h,w,1]) → MAX_POOL_2D / AVERAGE_POOL_2D.
TflcStatus* LowerPool2D(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    const auto& spec = *static_cast<const SimpleSpec*>(l.user_data());
    TFLC_ASSIGN_OR_RETURN(Window2D w, l.ReadWindow2D(/*allow_explicit=*/false, /*has_dilations=*/false));
    TFLC_ASSIGN_OR_RETURN(auto ksize, l.ReadHW("ksize", /*required=*/true, 1));
    TFLC_ASSIGN_OR_RETURN(ValueView x, l.Input(0));
    TFLC_ASSIGN_OR_RETURN(ValueView y, l.Emit1(spec.op, "", {x},
                                               {{"padding", w.padding},
                                                {"stride_w", w.stride_w},
                                                {"stride_h", w.stride_h},
                                                {"filter_width", ksize.second},
                                                {"filter_height", ksize.first},
                                                {"fused_activation_function", static_cast<int64_t>(kActNone)}}));
    return l.Replace(0, y);
  });
}

// Conv3D(input NDHWC, filter [D,H,W,I,O]) → CONV_3D(input, filter unchanged, zeros[O]). TFLite
// keeps TF's DHWIO filter layout (tflite/kernels/conv3d.cc; TF's legalize_tf.cc passes the filter
// through). The zero bias lets the host fuse a following BiasAdd, as for CONV_2D.
TflcStatus* LowerConv3D(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    const NodeView& n = l.node();
    TFLC_ASSIGN_OR_RETURN(std::string fmt, n.StringAttrOr("data_format", std::string("NDHWC")));
    if (fmt != "NDHWC") {
      return UnsupportedAttr("data_format", "\"" + fmt + "\"", "\"NDHWC\"; convert channels-first models to channels-last first");
    }
    auto read5 = [&](std::string_view attr, bool required) -> StatusOr<std::vector<int64_t>> {
      if (!n.HasAttr(attr)) {
        if (required) return AttrError(attr, "is missing");
        return std::vector<int64_t>{1, 1, 1, 1, 1};
      }
      TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> v, n.IntListAttr(attr));
      if (v.size() != 5) return AttrError(attr, "must have 5 values [1, d, h, w, 1], got " + std::to_string(v.size()));
      if (v[0] != 1 || v[4] != 1) {
        return UnsupportedAttr(attr, "[" + std::to_string(v[0]) + ", ..., " + std::to_string(v[4]) + "]",
                               "1 in the batch and channel positions");
      }
      if (v[1] < 1 || v[2] < 1 || v[3] < 1) return AttrError(attr, "must be positive");
      return v;
    };
    TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> strides, read5("strides", true));
    TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> dilations, read5("dilations", false));
    TFLC_ASSIGN_OR_RETURN(std::string padding, n.StringAttr("padding"));
    int64_t pad = kPaddingValid;
    if (padding == "SAME") {
      pad = kPaddingSame;
    } else if (padding != "VALID") {
      return UnsupportedAttr("padding", "\"" + padding + "\"", "\"SAME\", \"VALID\"");
    }
    TFLC_ASSIGN_OR_RETURN(ValueView x, l.Input(0));
    TFLC_ASSIGN_OR_RETURN(ValueView f, l.Input(1));
    if (f.rank() != 5 || !f.fully_defined()) {
      return Unimplemented("the filter (input 1) must have a known 5-D shape [D,H,W,I,O]; got " +
                           std::string(f.rank() < 0 ? "an unknown shape" : "rank " + std::to_string(f.rank())));
    }
    TFLC_ASSIGN_OR_RETURN(ValueView bias, l.Zeros("bias", BiasType(f), {f.dims()[4]}));
    TFLC_ASSIGN_OR_RETURN(ValueView y, l.Emit1("CONV_3D", "", {x, f, bias},
                                               {{"padding", pad},
                                                {"stride_d", strides[1]},
                                                {"stride_w", strides[3]},
                                                {"stride_h", strides[2]},
                                                {"fused_activation_function", static_cast<int64_t>(kActNone)},
                                                {"dilation_d_factor", dilations[1]},
                                                {"dilation_w_factor", dilations[3]},
                                                {"dilation_h_factor", dilations[2]}}));
    return l.Replace(0, y);
  });
}

}  // namespace tflc::lower_builtin
