// Conv1D, Conv2D, Conv3D, DepthwiseConv1D/2D, SeparableConv2D, Conv1DTranspose, Conv2DTranspose.
#include "layers.h"

namespace tflc::keras {

namespace {

struct ConvConfig {
  int64_t filters = -1;
  std::vector<int64_t> kernel, strides, dilation;
  std::string padding;  // keras: valid / same / causal
  bool use_bias = true;
};

StatusOr<ConvConfig> ReadConv(LayerContext& ctx, size_t rank, bool needs_filters) {
  ConvConfig c;
  TFLC_RETURN_IF_ERROR(ctx.RequireChannelsLast());
  if (needs_filters) {
    TFLC_ASSIGN_OR_RETURN(c.filters, ctx.Int("filters", -1));
    if (c.filters <= 0) return InvalidArgument("config 'filters' is missing or not positive");
  }
  TFLC_ASSIGN_OR_RETURN(c.kernel, ctx.IntTuple("kernel_size", rank, -1));
  for (int64_t k : c.kernel)
    if (k <= 0) return InvalidArgument("config 'kernel_size' is missing or not positive");
  TFLC_ASSIGN_OR_RETURN(c.strides, ctx.IntTuple("strides", rank, 1));
  TFLC_ASSIGN_OR_RETURN(c.dilation, ctx.IntTuple("dilation_rate", rank, 1));
  TFLC_ASSIGN_OR_RETURN(c.padding, ctx.Str("padding", "valid"));
  TFLC_ASSIGN_OR_RETURN(c.use_bias, ctx.Bool("use_bias", true));
  for (auto* v : {&c.strides, &c.dilation})
    for (int64_t s : *v)
      if (s <= 0) return InvalidArgument("config 'strides'/'dilation_rate' must be positive");
  if (c.padding != "valid" && c.padding != "same" && !(rank == 1 && c.padding == "causal"))
    return Unimplemented("padding '" + c.padding + "' is not supported (use 'valid' or 'same'" +
                         std::string(rank == 1 ? " or 'causal'" : "") + ")");
  return c;
}

std::string TfPadding(const std::string& keras_padding) { return keras_padding == "same" ? "SAME" : "VALID"; }

Status CheckGroups(LayerContext& ctx) {
  TFLC_ASSIGN_OR_RETURN(int64_t groups, ctx.Int("groups", 1));
  if (groups != 1)
    return Unimplemented("groups=" + std::to_string(groups) +
                         " (grouped convolution) is not supported; split the layer into per-group Conv layers "
                         "and a Concatenate, or use groups=1");
  return OkStatus();
}

StatusOr<int64_t> InputChannels(LayerContext& ctx, const Tensor& x) {
  int64_t c = x.shape.back();
  if (c < 0) return Unimplemented("the channel dimension of input shape " + ShapeStr(x.shape) + " is unknown");
  return c;
}

StatusOr<Tensor> BiasAndActivation(LayerContext& ctx, Tensor y, bool use_bias, int64_t channels) {
  if (use_bias) {
    TFLC_ASSIGN_OR_RETURN(ValueView bias, ctx.Weight("bias", {channels}));
    TFLC_ASSIGN_OR_RETURN(y.value, ctx.Op("BiasAdd", {y.value, bias}, {Attr::T(), Attr::Str("data_format", "NHWC")}));
  }
  const Json& cfg = ctx.config();
  return ApplyActivation(ctx, y, cfg.contains("activation") ? cfg["activation"] : Json());
}

std::vector<Attr> Conv2DAttrs(const std::vector<int64_t>& strides, const std::string& padding,
                              const std::vector<int64_t>& dilations) {
  return {Attr::T(),
          Attr::Ints("strides", {1, strides[0], strides[1], 1}),
          Attr::Str("padding", padding),
          Attr::Str("data_format", "NHWC"),
          Attr::Ints("dilations", {1, dilations[0], dilations[1], 1}),
          Attr::Bool("use_cudnn_on_gpu", true),
          Attr::Ints("explicit_paddings", {})};
}

std::vector<Attr> DepthwiseAttrs(const std::vector<int64_t>& strides, const std::string& padding,
                                 const std::vector<int64_t>& dilations) {
  return {Attr::T(),
          Attr::Ints("strides", {1, strides[0], strides[1], 1}),
          Attr::Str("padding", padding),
          Attr::Str("data_format", "NHWC"),
          Attr::Ints("dilations", {1, dilations[0], dilations[1], 1}),
          Attr::Ints("explicit_paddings", {})};
}

std::vector<std::string> Roles(std::vector<std::string> weights, bool use_bias) {
  if (use_bias) weights.push_back("bias");
  return weights;
}

}  // namespace

Status ConvertConv2D(LayerContext& ctx, std::vector<Tensor>* out) {
  TFLC_RETURN_IF_ERROR(ctx.ExpectInputs(1));
  const Tensor& x = ctx.in();
  TFLC_RETURN_IF_ERROR(ctx.ExpectRank(x, 4, "[batch, height, width, channels]"));
  TFLC_ASSIGN_OR_RETURN(ConvConfig c, ReadConv(ctx, 2, true));
  TFLC_RETURN_IF_ERROR(CheckGroups(ctx));
  TFLC_ASSIGN_OR_RETURN(int64_t in, InputChannels(ctx, x));
  TFLC_RETURN_IF_ERROR(ctx.BindWeights(Roles({"kernel"}, c.use_bias)));
  TFLC_ASSIGN_OR_RETURN(ValueView kernel, ctx.Weight("kernel", {c.kernel[0], c.kernel[1], in, c.filters}));
  Tensor y;
  y.shape = {x.shape[0], ConvOutputLength(x.shape[1], c.kernel[0], c.padding, c.strides[0], c.dilation[0]),
             ConvOutputLength(x.shape[2], c.kernel[1], c.padding, c.strides[1], c.dilation[1]), c.filters};
  TFLC_ASSIGN_OR_RETURN(y.value, ctx.Op("Conv2D", {x.value, kernel}, Conv2DAttrs(c.strides, TfPadding(c.padding), c.dilation)));
  TFLC_RETURN_IF_ERROR(ctx.SetShape(y.value, y.shape));
  TFLC_ASSIGN_OR_RETURN(y, BiasAndActivation(ctx, y, c.use_bias, c.filters));
  out->push_back(y);
  return OkStatus();
}

Status ConvertConv1D(LayerContext& ctx, std::vector<Tensor>* out) {
  TFLC_RETURN_IF_ERROR(ctx.ExpectInputs(1));
  const Tensor& x = ctx.in();
  TFLC_RETURN_IF_ERROR(ctx.ExpectRank(x, 3, "[batch, steps, channels]"));
  TFLC_ASSIGN_OR_RETURN(ConvConfig c, ReadConv(ctx, 1, true));
  TFLC_RETURN_IF_ERROR(CheckGroups(ctx));
  TFLC_ASSIGN_OR_RETURN(int64_t in, InputChannels(ctx, x));
  TFLC_RETURN_IF_ERROR(ctx.BindWeights(Roles({"kernel"}, c.use_bias)));
  // The kernel [k, in, out] is read straight into its expanded form [1, k, in, out] (what
  // tf.nn.conv1d's expand_dims of the filter gives once frozen).
  const Shape kdims = {1, c.kernel[0], in, c.filters};
  TFLC_ASSIGN_OR_RETURN(ValueView kernel, ctx.Weight("kernel", {c.kernel[0], in, c.filters}, &kdims));

  ValueView v = x.value;
  std::string padding = TfPadding(c.padding);
  if (c.padding == "causal") {
    const int32_t left = static_cast<int32_t>((c.kernel[0] - 1) * c.dilation[0]);
    TFLC_ASSIGN_OR_RETURN(ValueView pads, ctx.ConstI32("Pad/paddings", {3, 2}, {0, 0, left, 0, 0, 0}));
    TFLC_ASSIGN_OR_RETURN(v, ctx.Op("Pad", {v, pads}, {Attr::T(), Attr::Type("Tpaddings", TFLC_TYPE_INT32)}));
    TFLC_RETURN_IF_ERROR(ctx.SetShape(v, {x.shape[0], x.shape[1] < 0 ? -1 : x.shape[1] + left, x.shape[2]}));
    padding = "VALID";
  }
  // tf.nn.conv1d: ExpandDims(x, -3) → Conv2D with strides/dilations [1, 1, s, 1] → Squeeze([-3]).
  TFLC_ASSIGN_OR_RETURN(ValueView dim, ctx.em().ScalarI32(ctx.scope(), "conv1d/ExpandDims/dim", -3));
  TFLC_ASSIGN_OR_RETURN(v, ctx.Op("ExpandDims", {v, dim}, {Attr::T(), Attr::Type("Tdim", TFLC_TYPE_INT32)},
                                  "conv1d/ExpandDims"));
  const int64_t steps_in = x.shape[1] < 0 ? -1 : x.shape[1] + (c.padding == "causal" ? (c.kernel[0] - 1) * c.dilation[0] : 0);
  const int64_t steps_out = ConvOutputLength(x.shape[1], c.kernel[0], c.padding, c.strides[0], c.dilation[0]);
  TFLC_RETURN_IF_ERROR(ctx.SetShape(v, {x.shape[0], 1, steps_in, in}));
  TFLC_ASSIGN_OR_RETURN(v, ctx.Op("Conv2D", {v, kernel},
                                  Conv2DAttrs({1, c.strides[0]}, padding, {1, c.dilation[0]}), "conv1d"));
  TFLC_RETURN_IF_ERROR(ctx.SetShape(v, {x.shape[0], 1, steps_out, c.filters}));
  TFLC_ASSIGN_OR_RETURN(v, ctx.Op("Squeeze", {v}, {Attr::T(), Attr::Ints("squeeze_dims", {-3})}, "conv1d/Squeeze"));
  Tensor y;
  y.value = v;
  y.shape = {x.shape[0], steps_out, c.filters};
  TFLC_RETURN_IF_ERROR(ctx.SetShape(y.value, y.shape));
  TFLC_ASSIGN_OR_RETURN(y, BiasAndActivation(ctx, y, c.use_bias, c.filters));
  out->push_back(y);
  return OkStatus();
}

Status ConvertDepthwiseConv2D(LayerContext& ctx, std::vector<Tensor>* out) {
  TFLC_RETURN_IF_ERROR(ctx.ExpectInputs(1));
  const Tensor& x = ctx.in();
  TFLC_RETURN_IF_ERROR(ctx.ExpectRank(x, 4, "[batch, height, width, channels]"));
  TFLC_ASSIGN_OR_RETURN(ConvConfig c, ReadConv(ctx, 2, false));
  TFLC_ASSIGN_OR_RETURN(int64_t mult, ctx.Int("depth_multiplier", 1));
  if (mult <= 0) return InvalidArgument("config 'depth_multiplier' must be positive");
  TFLC_ASSIGN_OR_RETURN(int64_t in, InputChannels(ctx, x));
  TFLC_RETURN_IF_ERROR(ctx.BindWeights(Roles({"depthwise_kernel"}, c.use_bias)));
  TFLC_ASSIGN_OR_RETURN(ValueView kernel, ctx.Weight("depthwise_kernel", {c.kernel[0], c.kernel[1], in, mult}));
  Tensor y;
  y.shape = {x.shape[0], ConvOutputLength(x.shape[1], c.kernel[0], c.padding, c.strides[0], c.dilation[0]),
             ConvOutputLength(x.shape[2], c.kernel[1], c.padding, c.strides[1], c.dilation[1]), in * mult};
  TFLC_ASSIGN_OR_RETURN(y.value, ctx.Op("DepthwiseConv2dNative", {x.value, kernel},
                                        DepthwiseAttrs(c.strides, TfPadding(c.padding), c.dilation), "depthwise"));
  TFLC_RETURN_IF_ERROR(ctx.SetShape(y.value, y.shape));
  TFLC_ASSIGN_OR_RETURN(y, BiasAndActivation(ctx, y, c.use_bias, in * mult));
  out->push_back(y);
  return OkStatus();
}

Status ConvertSeparableConv2D(LayerContext& ctx, std::vector<Tensor>* out) {
  TFLC_RETURN_IF_ERROR(ctx.ExpectInputs(1));
  const Tensor& x = ctx.in();
  TFLC_RETURN_IF_ERROR(ctx.ExpectRank(x, 4, "[batch, height, width, channels]"));
  TFLC_ASSIGN_OR_RETURN(ConvConfig c, ReadConv(ctx, 2, true));
  TFLC_ASSIGN_OR_RETURN(int64_t mult, ctx.Int("depth_multiplier", 1));
  if (mult <= 0) return InvalidArgument("config 'depth_multiplier' must be positive");
  TFLC_ASSIGN_OR_RETURN(int64_t in, InputChannels(ctx, x));
  TFLC_RETURN_IF_ERROR(ctx.BindWeights(Roles({"depthwise_kernel", "pointwise_kernel"}, c.use_bias)));
  TFLC_ASSIGN_OR_RETURN(ValueView dw, ctx.Weight("depthwise_kernel", {c.kernel[0], c.kernel[1], in, mult}));
  TFLC_ASSIGN_OR_RETURN(ValueView pw, ctx.Weight("pointwise_kernel", {1, 1, in * mult, c.filters}));
  // tf.nn.separable_conv2d: depthwise (strides, padding, rate) then a 1x1 VALID Conv2D.
  TFLC_ASSIGN_OR_RETURN(ValueView d, ctx.Op("DepthwiseConv2dNative", {x.value, dw},
                                            DepthwiseAttrs(c.strides, TfPadding(c.padding), c.dilation),
                                            "separable_conv2d/depthwise"));
  Tensor y;
  y.shape = {x.shape[0], ConvOutputLength(x.shape[1], c.kernel[0], c.padding, c.strides[0], c.dilation[0]),
             ConvOutputLength(x.shape[2], c.kernel[1], c.padding, c.strides[1], c.dilation[1]), c.filters};
  TFLC_RETURN_IF_ERROR(ctx.SetShape(d, {y.shape[0], y.shape[1], y.shape[2], in * mult}));
  TFLC_ASSIGN_OR_RETURN(y.value, ctx.Op("Conv2D", {d, pw}, Conv2DAttrs({1, 1}, "VALID", {1, 1}), "separable_conv2d"));
  TFLC_RETURN_IF_ERROR(ctx.SetShape(y.value, y.shape));
  TFLC_ASSIGN_OR_RETURN(y, BiasAndActivation(ctx, y, c.use_bias, c.filters));
  out->push_back(y);
  return OkStatus();
}

namespace {

// Keras conv_utils.deconv_output_length.
int64_t DeconvOutputLength(int64_t in, int64_t kernel, const std::string& padding, int64_t output_padding,
                           bool has_output_padding, int64_t stride, int64_t dilation) {
  kernel = kernel + (kernel - 1) * (dilation - 1);
  if (!has_output_padding) {
    if (padding == "valid") return in * stride + std::max<int64_t>(kernel - stride, 0);
    if (padding == "full") return in * stride - (stride + kernel - 2);
    return in * stride;  // same
  }
  int64_t pad = padding == "same" ? kernel / 2 : padding == "full" ? kernel - 1 : 0;
  return (in - 1) * stride + kernel - 2 * pad + output_padding;
}

}  // namespace

Status ConvertConv2DTranspose(LayerContext& ctx, std::vector<Tensor>* out) {
  TFLC_RETURN_IF_ERROR(ctx.ExpectInputs(1));
  const Tensor& x = ctx.in();
  TFLC_RETURN_IF_ERROR(ctx.ExpectRank(x, 4, "[batch, height, width, channels]"));
  TFLC_RETURN_IF_ERROR(ctx.RequireStatic(x, "Conv2DTranspose's constant output shape"));
  TFLC_ASSIGN_OR_RETURN(ConvConfig c, ReadConv(ctx, 2, true));
  TFLC_RETURN_IF_ERROR(CheckGroups(ctx));
  if (c.dilation[0] != 1 || c.dilation[1] != 1)
    return Unimplemented("dilation_rate " + ShapeStr(c.dilation) +
                         " is not supported for Conv2DTranspose (TFLite TRANSPOSE_CONV has no dilation)");
  const bool has_op = ctx.Has("output_padding");
  std::vector<int64_t> op = {0, 0};
  if (has_op) { TFLC_ASSIGN_OR_RETURN(op, ctx.IntTuple("output_padding", 2, 0)); }
  const int64_t in = x.shape[3];
  TFLC_RETURN_IF_ERROR(ctx.BindWeights(Roles({"kernel"}, c.use_bias)));
  TFLC_ASSIGN_OR_RETURN(ValueView kernel, ctx.Weight("kernel", {c.kernel[0], c.kernel[1], c.filters, in}));
  const int64_t oh = DeconvOutputLength(x.shape[1], c.kernel[0], c.padding, op[0], has_op, c.strides[0], 1);
  const int64_t ow = DeconvOutputLength(x.shape[2], c.kernel[1], c.padding, op[1], has_op, c.strides[1], 1);
  if (oh <= 0 || ow <= 0) return InvalidArgument("the output size would be empty for input shape " + ShapeStr(x.shape));
  Tensor y;
  y.shape = {x.shape[0], oh, ow, c.filters};
  // conv2d_transpose → Conv2DBackpropInput(input_sizes = the output shape, filter, out_backprop = x).
  TFLC_ASSIGN_OR_RETURN(ValueView sizes, ctx.ConstI32("stack", {4}, {static_cast<int32_t>(y.shape[0]), static_cast<int32_t>(oh),
                                                                    static_cast<int32_t>(ow), static_cast<int32_t>(c.filters)}));
  TFLC_ASSIGN_OR_RETURN(y.value, ctx.Op("Conv2DBackpropInput", {sizes, kernel, x.value},
                                        Conv2DAttrs(c.strides, TfPadding(c.padding), {1, 1}), "conv2d_transpose"));
  TFLC_RETURN_IF_ERROR(ctx.SetShape(y.value, y.shape));
  TFLC_ASSIGN_OR_RETURN(y, BiasAndActivation(ctx, y, c.use_bias, c.filters));
  out->push_back(y);
  return OkStatus();
}

// tf.nn.conv1d_transpose (tf-keras Conv1DTranspose.call; Keras 3 backend conv_transpose for one
// spatial dim): ExpandDims(x, 1) → Conv2DBackpropInput(sizes [b, 1, out, filters], filter
// expand_dims(kernel, 0) = [1, k, filters, in], strides [1, 1, s, 1]) → Squeeze([1]).
Status ConvertConv1DTranspose(LayerContext& ctx, std::vector<Tensor>* out) {
  TFLC_RETURN_IF_ERROR(ctx.ExpectInputs(1));
  const Tensor& x = ctx.in();
  TFLC_RETURN_IF_ERROR(ctx.ExpectRank(x, 3, "[batch, steps, channels]"));
  TFLC_RETURN_IF_ERROR(ctx.RequireStatic(x, "Conv1DTranspose's constant output shape"));
  TFLC_ASSIGN_OR_RETURN(ConvConfig c, ReadConv(ctx, 1, true));
  if (c.padding == "causal") return Unimplemented("padding 'causal' is not supported by Conv1DTranspose (use 'valid' or 'same')");
  TFLC_RETURN_IF_ERROR(CheckGroups(ctx));
  if (c.dilation[0] != 1)
    return Unimplemented("dilation_rate " + ShapeStr(c.dilation) +
                         " is not supported for Conv1DTranspose (TFLite TRANSPOSE_CONV has no dilation)");
  const bool has_op = ctx.Has("output_padding");
  std::vector<int64_t> op = {0};
  if (has_op) { TFLC_ASSIGN_OR_RETURN(op, ctx.IntTuple("output_padding", 1, 0)); }
  if (has_op && (op[0] < 0 || op[0] >= c.strides[0]))
    return InvalidArgument("config 'output_padding' " + ShapeStr(op) + " must be smaller than the stride " +
                           std::to_string(c.strides[0]));
  const int64_t in = x.shape[2];
  TFLC_RETURN_IF_ERROR(ctx.BindWeights(Roles({"kernel"}, c.use_bias)));
  const Shape kdims = {1, c.kernel[0], c.filters, in};
  TFLC_ASSIGN_OR_RETURN(ValueView kernel, ctx.Weight("kernel", {c.kernel[0], c.filters, in}, &kdims));
  const int64_t ow = DeconvOutputLength(x.shape[1], c.kernel[0], c.padding, op[0], has_op, c.strides[0], 1);
  if (ow <= 0) return InvalidArgument("the output size would be empty for input shape " + ShapeStr(x.shape));
  TFLC_ASSIGN_OR_RETURN(ValueView dim, ctx.em().ScalarI32(ctx.scope(), "conv1d_transpose/ExpandDims/dim", 1));
  TFLC_ASSIGN_OR_RETURN(ValueView e, ctx.Op("ExpandDims", {x.value, dim}, {Attr::T(), Attr::Type("Tdim", TFLC_TYPE_INT32)},
                                            "conv1d_transpose/ExpandDims"));
  TFLC_RETURN_IF_ERROR(ctx.SetShape(e, {x.shape[0], 1, x.shape[1], in}));
  TFLC_ASSIGN_OR_RETURN(ValueView sizes, ctx.ConstI32("conv1d_transpose/concat", {4},
                                                      {static_cast<int32_t>(x.shape[0]), 1, static_cast<int32_t>(ow),
                                                       static_cast<int32_t>(c.filters)}));
  TFLC_ASSIGN_OR_RETURN(ValueView v, ctx.Op("Conv2DBackpropInput", {sizes, kernel, e},
                                            Conv2DAttrs({1, c.strides[0]}, TfPadding(c.padding), {1, 1}),
                                            "conv1d_transpose"));
  TFLC_RETURN_IF_ERROR(ctx.SetShape(v, {x.shape[0], 1, ow, c.filters}));
  Tensor y;
  y.shape = {x.shape[0], ow, c.filters};
  TFLC_ASSIGN_OR_RETURN(y.value, ctx.Op("Squeeze", {v}, {Attr::T(), Attr::Ints("squeeze_dims", {1})}, "conv1d_transpose/Squeeze"));
  TFLC_RETURN_IF_ERROR(ctx.SetShape(y.value, y.shape));
  TFLC_ASSIGN_OR_RETURN(y, BiasAndActivation(ctx, y, c.use_bias, c.filters));
  out->push_back(y);
  return OkStatus();
}

// DepthwiseConv1D (tf-keras layers/convolutional/depthwise_conv1d.py, Keras 3 backend depthwise_conv
// with one spatial dim): ExpandDims(x, 1) → DepthwiseConv2dNative with the kernel [k, in, mult]
// expanded to [1, k, in, mult] → Squeeze([1]) → BiasAdd → activation. Keras passes strides
// (1, s, s, 1); on the unit axis that equals (1, 1, s, 1), which is emitted. padding 'causal'
// left-pads the steps by dilation * (k - 1) first, as Conv1D does.
Status ConvertDepthwiseConv1D(LayerContext& ctx, std::vector<Tensor>* out) {
  TFLC_RETURN_IF_ERROR(ctx.ExpectInputs(1));
  const Tensor& x = ctx.in();
  TFLC_RETURN_IF_ERROR(ctx.ExpectRank(x, 3, "[batch, steps, channels]"));
  TFLC_ASSIGN_OR_RETURN(ConvConfig c, ReadConv(ctx, 1, false));
  TFLC_ASSIGN_OR_RETURN(int64_t mult, ctx.Int("depth_multiplier", 1));
  if (mult <= 0) return InvalidArgument("config 'depth_multiplier' must be positive");
  TFLC_ASSIGN_OR_RETURN(int64_t in, InputChannels(ctx, x));
  TFLC_RETURN_IF_ERROR(ctx.BindWeights(Roles({"depthwise_kernel"}, c.use_bias)));
  const Shape kdims = {1, c.kernel[0], in, mult};
  TFLC_ASSIGN_OR_RETURN(ValueView kernel, ctx.Weight("depthwise_kernel", {c.kernel[0], in, mult}, &kdims));
  ValueView v = x.value;
  std::string padding = TfPadding(c.padding);
  const int64_t left = c.padding == "causal" ? (c.kernel[0] - 1) * c.dilation[0] : 0;
  if (left > 0) {
    TFLC_ASSIGN_OR_RETURN(ValueView pads, ctx.ConstI32("Pad/paddings", {3, 2}, {0, 0, static_cast<int32_t>(left), 0, 0, 0}));
    TFLC_ASSIGN_OR_RETURN(v, ctx.Op("Pad", {v, pads}, {Attr::T(), Attr::Type("Tpaddings", TFLC_TYPE_INT32)}));
    TFLC_RETURN_IF_ERROR(ctx.SetShape(v, {x.shape[0], x.shape[1] < 0 ? -1 : x.shape[1] + left, in}));
  }
  if (c.padding == "causal") padding = "VALID";
  TFLC_ASSIGN_OR_RETURN(ValueView dim, ctx.em().ScalarI32(ctx.scope(), "ExpandDims/dim", 1));
  TFLC_ASSIGN_OR_RETURN(v, ctx.Op("ExpandDims", {v, dim}, {Attr::T(), Attr::Type("Tdim", TFLC_TYPE_INT32)}));
  TFLC_RETURN_IF_ERROR(ctx.SetShape(v, {x.shape[0], 1, x.shape[1] < 0 ? -1 : x.shape[1] + left, in}));
  const int64_t steps = ConvOutputLength(x.shape[1], c.kernel[0], c.padding, c.strides[0], c.dilation[0]);
  TFLC_ASSIGN_OR_RETURN(v, ctx.Op("DepthwiseConv2dNative", {v, kernel},
                                  DepthwiseAttrs({1, c.strides[0]}, padding, {1, c.dilation[0]}), "depthwise"));
  TFLC_RETURN_IF_ERROR(ctx.SetShape(v, {x.shape[0], 1, steps, in * mult}));
  Tensor y;
  y.shape = {x.shape[0], steps, in * mult};
  TFLC_ASSIGN_OR_RETURN(y.value, ctx.Op("Squeeze", {v}, {Attr::T(), Attr::Ints("squeeze_dims", {1})}));
  TFLC_RETURN_IF_ERROR(ctx.SetShape(y.value, y.shape));
  TFLC_ASSIGN_OR_RETURN(y, BiasAndActivation(ctx, y, c.use_bias, in * mult));
  out->push_back(y);
  return OkStatus();
}

// Conv3D: tf.nn.convolution → Conv3D (strides/dilations [1, d, h, w, 1], NDHWC; kernel
// [kd, kh, kw, in, filters] as stored) → BiasAdd → activation. With dilation TF's Python wraps the
// Conv3D in SpaceToBatchND/BatchToSpaceND; the single dilated Conv3D emitted here computes the same.
Status ConvertConv3D(LayerContext& ctx, std::vector<Tensor>* out) {
  TFLC_RETURN_IF_ERROR(ctx.ExpectInputs(1));
  const Tensor& x = ctx.in();
  TFLC_RETURN_IF_ERROR(ctx.ExpectRank(x, 5, "[batch, depth, height, width, channels]"));
  TFLC_ASSIGN_OR_RETURN(ConvConfig c, ReadConv(ctx, 3, true));
  TFLC_RETURN_IF_ERROR(CheckGroups(ctx));
  TFLC_ASSIGN_OR_RETURN(int64_t in, InputChannels(ctx, x));
  TFLC_RETURN_IF_ERROR(ctx.BindWeights(Roles({"kernel"}, c.use_bias)));
  TFLC_ASSIGN_OR_RETURN(ValueView kernel, ctx.Weight("kernel", {c.kernel[0], c.kernel[1], c.kernel[2], in, c.filters}));
  Tensor y;
  y.shape = {x.shape[0], 0, 0, 0, c.filters};
  for (size_t i = 0; i < 3; ++i)
    y.shape[i + 1] = ConvOutputLength(x.shape[i + 1], c.kernel[i], c.padding, c.strides[i], c.dilation[i]);
  for (size_t i = 1; i < 4; ++i)
    if (y.shape[i] == 0 || y.shape[i] < -1)
      return InvalidArgument("kernel_size " + ShapeStr(c.kernel) + " is larger than input shape " + ShapeStr(x.shape));
  TFLC_ASSIGN_OR_RETURN(y.value, ctx.Op("Conv3D", {x.value, kernel},
                                        {Attr::T(), Attr::Ints("strides", {1, c.strides[0], c.strides[1], c.strides[2], 1}),
                                         Attr::Str("padding", TfPadding(c.padding)), Attr::Str("data_format", "NDHWC"),
                                         Attr::Ints("dilations", {1, c.dilation[0], c.dilation[1], c.dilation[2], 1})},
                                        "Conv3D"));
  TFLC_RETURN_IF_ERROR(ctx.SetShape(y.value, y.shape));
  TFLC_ASSIGN_OR_RETURN(y, BiasAndActivation(ctx, y, c.use_bias, c.filters));
  out->push_back(y);
  return OkStatus();
}

}  // namespace tflc::keras
