// The builtin opset table: one TflcOpsetEntry per TFLite builtin op, and the plugin's query
// function. The table is the registration (no static registrars).
//
// Facts and where they come from:
//   options_type  BuiltinOptions union index (schema.fbs; NONE = 0). Set only where the official
//                 converter writes options (tfl_ops.td `hasOptions`); an options table without
//                 fields (ExpOptions, PadOptions...) is still written empty, as the converter does.
//   option_fields attr name = schema field name, slot = field position counting deprecated fields,
//                 default = schema default (tests/table_test.cc cross-checks against schema.fbs).
//   min_runtime   tflite/tools/versioning/runtime_version.cc; "" where it lists no entry for a
//                 version that op_version.cc can produce (then no runtime requirement is known).
//   fusion facts  activation_code / fuses_activation / bias,weight inputs / algebra: used by the
//                 host's generic fusions. CONCATENATION, L2_NORMALIZATION,
//                 UNIDIRECTIONAL_SEQUENCE_LSTM and TRANSPOSE_CONV have a fused_activation_function
//                 field but do not fuse: the first two kernels reject anything but NONE, the LSTM's
//                 field is its cell activation, and a fused TRANSPOSE_CONV is version 4, which needs
//                 TFLite 2.13 (older runtimes refuse the whole model; a separate RELU runs everywhere).
//   quant         the integer / hybrid kernels of the TFLite runtime we target (a 2023 build, TF
//                 2.12-2.14): the kernels' type switches and Prepare checks, cross-checked with
//                 tflite/tools/optimize/operator_property.cc and tfl_ops.td (SameOperandsAndResultsScale,
//                 FixedOutputRangeInterface). INT16X8 only where that runtime has the int16 kernel at
//                 an op version it knows (so not RSQRT: its int16 kernel is version 3, TFLite 2.15).
//                 Pass-through ops with one data input keep its parameters (SAME_AS_INPUT); ops whose
//                 several inputs must all share the output's scale (CONCATENATION, PACK, MAXIMUM...)
//                 take the output's own range and requantize the inputs, so no input is clipped to
//                 another input's range.
#include "common.h"
#include "opset_builtin.h"
#include "ops.h"

namespace tflc::opset_builtin {
namespace {

using sdk::Field;

// ---- C entry points around the family functions (nothing throws across the ABI) -----------

template <InferFn F>
TflcStatus* ShapeEntry(TflcOpShape_Args* args) {
  return sdk::Guard(args->host, args->node, [&]() -> Status {
    ShapeContext c(args);
    return F(c);
  });
}

// kReadsInputData = false: the kernel looks only at input shapes (SHAPE), so a host may call it
// with NULL input data.
template <EvalFn F, bool kReadsInputData = true>
TflcStatus* EvalEntry(TflcOpEval_Args* args) {
  return sdk::Guard(args->host, args->node, [&]() -> Status {
    EvalContext c(args);
    for (size_t i = 0; i < c.num_outputs(); ++i) {
      if (c.out_size(i) > 0 && !c.out_data(i)) return Internal("output " + std::to_string(i) + " has no buffer");
    }
    for (size_t i = 0; kReadsInputData && i < c.num_inputs(); ++i) {
      if (c.has_input(i) && c.in_size(i) > 0 && !c.data(i)) {
        return InvalidArgument("input " + std::to_string(i) + " has no data");
      }
    }
    return F(c);
  });
}

template <int32_t kCode>
TflcStatus* VersionEntry(TflcOpVersion_Args* args) {
  return sdk::Guard(args->host, args->node, [&]() -> Status {
    OpContext c(args->host, args->node);
    TFLC_ASSIGN_OR_RETURN(int v, BuiltinVersion(c, kCode));
    args->version = v;
    return OkStatus();
  });
}

// CONV_2D / DEPTHWISE_CONV_2D with SAME padding read zeros around the input (Padding SAME = 0), so
// an additive offset on their input cannot be folded into the bias.
TflcStatus* QueryConvPadding(TflcOpQuery_Args* args) {
  return sdk::Guard(args->host, args->node, [&]() -> Status {
    if (args->kind == TFLC_OP_QUERY_PADS_INPUT_WITH_ZEROS) {
      sdk::NodeView n(args->host, args->node);
      TFLC_ASSIGN_OR_RETURN(int64_t padding, n.IntAttrOr("padding", 0));
      args->answer = padding == 0 ? 1 : 0;
    }
    return OkStatus();
  });
}

// ---- A small constexpr builder so each row reads as a sentence -----------------------------

class Def {
 public:
  constexpr Def(const char* op, int32_t code, TflcStatus* (*infer)(TflcOpShape_Args*),
                TflcStatus* (*eval)(TflcOpEval_Args*), TflcStatus* (*version)(TflcOpVersion_Args*))
      : e_{} {
    e_.struct_size = TflcOpsetEntry_STRUCT_SIZE;
    e_.op = op;
    e_.domain = TFLC_DOMAIN_BUILTIN;
    e_.builtin_code = code;
    e_.InferShape = infer;
    e_.Evaluate = eval;
    e_.Version = version;
    e_.bias_input = -1;
    e_.weight_input = -1;
    e_.weight_output_axis = -1;
    e_.weight_input_channel_axis = -1;
    e_.algebra = TFLC_ALGEBRA_NONE;
  }
  // Axis of the weights indexing input channels (lets the host fold a per-channel MUL/ADD on the
  // data input into the weights), and the node query callback.
  constexpr Def InputChannelAxis(int32_t axis) const {
    Def d = *this;
    d.e_.weight_input_channel_axis = axis;
    return d;
  }
  constexpr Def Query(TflcStatus* (*query)(TflcOpQuery_Args*)) const {
    Def d = *this;
    d.e_.Query = query;
    return d;
  }
  template <size_t N>
  constexpr Def Options(int32_t type, const TflcOptionField (&fields)[N]) const {
    Def d = *this;
    d.e_.options_type = type;
    d.e_.option_fields = fields;
    d.e_.num_option_fields = N;
    d.e_.option_field_stride = sizeof(TflcOptionField);
    return d;
  }
  // Inputs whose data the kernel never reads (bit mask): the host folds once their shapes are known.
  constexpr Def ShapeOnlyInputs(uint64_t mask) const {
    Def d = *this;
    d.e_.shape_only_inputs = mask;
    return d;
  }
  constexpr Def EmptyOptions(int32_t type) const {  // a fieldless options table
    Def d = *this;
    d.e_.options_type = type;
    return d;
  }
  template <size_t N>
  constexpr Def Runtime(const char* const (&versions)[N]) const {
    Def d = *this;
    d.e_.min_runtime = versions;
    d.e_.num_min_runtime = N;
    return d;
  }
  constexpr Def IsActivation(int32_t code) const {
    Def d = *this;
    d.e_.activation_code = code;
    return d;
  }
  constexpr Def FusesActivation() const {
    Def d = *this;
    d.e_.fuses_activation = 1;
    return d;
  }
  constexpr Def Weights(int32_t bias_input, int32_t weight_input, int32_t output_axis) const {
    Def d = *this;
    d.e_.bias_input = bias_input;
    d.e_.weight_input = weight_input;
    d.e_.weight_output_axis = output_axis;
    return d;
  }
  constexpr Def Algebra(TflcAlgebra a) const {
    Def d = *this;
    d.e_.algebra = a;
    return d;
  }
  // How the op quantizes (one of the static kQuant* specs below).
  constexpr Def Quant(const TflcOpQuantSpec& spec) const {
    Def d = *this;
    d.e_.quant = &spec;
    return d;
  }
  constexpr operator TflcOpsetEntry() const { return e_; }  // NOLINT: the point of the builder

 private:
  TflcOpsetEntry e_;
};

#define TFLC_OP(NAME, CODE, INFER, EVAL) \
  Def(NAME, CODE, &ShapeEntry<INFER>, &EvalEntry<EVAL>, &VersionEntry<CODE>)

// ---- Options tables (schema.fbs field order, deprecated fields counted) ---------------------

constexpr TflcOptionField kConv2DOptions[] = {
    Field("padding", 0, TFLC_OPTION_INT8),
    Field("stride_w", 1, TFLC_OPTION_INT32),
    Field("stride_h", 2, TFLC_OPTION_INT32),
    Field("fused_activation_function", 3, TFLC_OPTION_INT8),
    Field("dilation_w_factor", 4, TFLC_OPTION_INT32, 1),
    Field("dilation_h_factor", 5, TFLC_OPTION_INT32, 1),
    Field("quantized_bias_type", 6, TFLC_OPTION_INT8),
};
constexpr TflcOptionField kDepthwiseConv2DOptions[] = {
    Field("padding", 0, TFLC_OPTION_INT8),
    Field("stride_w", 1, TFLC_OPTION_INT32),
    Field("stride_h", 2, TFLC_OPTION_INT32),
    Field("depth_multiplier", 3, TFLC_OPTION_INT32),
    Field("fused_activation_function", 4, TFLC_OPTION_INT8),
    Field("dilation_w_factor", 5, TFLC_OPTION_INT32, 1),
    Field("dilation_h_factor", 6, TFLC_OPTION_INT32, 1),
};
constexpr TflcOptionField kTransposeConvOptions[] = {
    Field("padding", 0, TFLC_OPTION_INT8),
    Field("stride_w", 1, TFLC_OPTION_INT32),
    Field("stride_h", 2, TFLC_OPTION_INT32),
    Field("fused_activation_function", 3, TFLC_OPTION_INT8),
    Field("quantized_bias_type", 4, TFLC_OPTION_INT8),
};
constexpr TflcOptionField kConv3DOptions[] = {
    Field("padding", 0, TFLC_OPTION_INT8),
    Field("stride_d", 1, TFLC_OPTION_INT32),
    Field("stride_w", 2, TFLC_OPTION_INT32),
    Field("stride_h", 3, TFLC_OPTION_INT32),
    Field("fused_activation_function", 4, TFLC_OPTION_INT8),
    Field("dilation_d_factor", 5, TFLC_OPTION_INT32, 1),
    Field("dilation_w_factor", 6, TFLC_OPTION_INT32, 1),
    Field("dilation_h_factor", 7, TFLC_OPTION_INT32, 1),
};
constexpr TflcOptionField kFullyConnectedOptions[] = {
    Field("fused_activation_function", 0, TFLC_OPTION_INT8),
    Field("weights_format", 1, TFLC_OPTION_INT8),
    Field("keep_num_dims", 2, TFLC_OPTION_BOOL),
    Field("asymmetric_quantize_inputs", 3, TFLC_OPTION_BOOL),
    Field("quantized_bias_type", 4, TFLC_OPTION_INT8),
};
constexpr TflcOptionField kBatchMatMulOptions[] = {
    Field("adj_x", 0, TFLC_OPTION_BOOL),
    Field("adj_y", 1, TFLC_OPTION_BOOL),
    Field("asymmetric_quantize_inputs", 2, TFLC_OPTION_BOOL),
};
constexpr TflcOptionField kPool2DOptions[] = {
    Field("padding", 0, TFLC_OPTION_INT8),
    Field("stride_w", 1, TFLC_OPTION_INT32),
    Field("stride_h", 2, TFLC_OPTION_INT32),
    Field("filter_width", 3, TFLC_OPTION_INT32),
    Field("filter_height", 4, TFLC_OPTION_INT32),
    Field("fused_activation_function", 5, TFLC_OPTION_INT8),
};
constexpr TflcOptionField kAddSubOptions[] = {  // AddOptions and SubOptions share the layout
    Field("fused_activation_function", 0, TFLC_OPTION_INT8),
    Field("pot_scale_int16", 1, TFLC_OPTION_BOOL, 1),
};
constexpr TflcOptionField kActivationOnlyOptions[] = {  // MulOptions, DivOptions, L2NormOptions
    Field("fused_activation_function", 0, TFLC_OPTION_INT8),
};
constexpr TflcOptionField kReducerOptions[] = {Field("keep_dims", 0, TFLC_OPTION_BOOL)};
constexpr TflcOptionField kSqueezeOptions[] = {Field("squeeze_dims", 0, TFLC_OPTION_INT32_VECTOR)};
constexpr TflcOptionField kConcatenationOptions[] = {
    Field("axis", 0, TFLC_OPTION_INT32),
    Field("fused_activation_function", 1, TFLC_OPTION_INT8),
};
constexpr TflcOptionField kPackOptions[] = {
    Field("values_count", 0, TFLC_OPTION_INT32),
    Field("axis", 1, TFLC_OPTION_INT32),
};
constexpr TflcOptionField kUnpackOptions[] = {
    Field("num", 0, TFLC_OPTION_INT32),
    Field("axis", 1, TFLC_OPTION_INT32),
};
// The subgraph indices: TFLC_ATTR_GRAPH attributes, written as the subgraphs' output indices.
constexpr TflcOptionField kIfOptions[] = {Field("then_subgraph_index", 0, TFLC_OPTION_SUBGRAPH),
                                          Field("else_subgraph_index", 1, TFLC_OPTION_SUBGRAPH)};
constexpr TflcOptionField kWhileOptions[] = {Field("cond_subgraph_index", 0, TFLC_OPTION_SUBGRAPH),
                                             Field("body_subgraph_index", 1, TFLC_OPTION_SUBGRAPH)};
constexpr TflcOptionField kSplitOptions[] = {Field("num_splits", 0, TFLC_OPTION_INT32)};  // also SplitV
constexpr TflcOptionField kStridedSliceOptions[] = {
    Field("begin_mask", 0, TFLC_OPTION_INT32),
    Field("end_mask", 1, TFLC_OPTION_INT32),
    Field("ellipsis_mask", 2, TFLC_OPTION_INT32),
    Field("new_axis_mask", 3, TFLC_OPTION_INT32),
    Field("shrink_axis_mask", 4, TFLC_OPTION_INT32),
    Field("offset", 5, TFLC_OPTION_BOOL),
};
constexpr TflcOptionField kMirrorPadOptions[] = {Field("mode", 0, TFLC_OPTION_INT8)};
constexpr TflcOptionField kGatherOptions[] = {
    Field("axis", 0, TFLC_OPTION_INT32),
    Field("batch_dims", 1, TFLC_OPTION_INT32),
};
constexpr TflcOptionField kCastOptions[] = {
    Field("in_data_type", 0, TFLC_OPTION_INT8),
    Field("out_data_type", 1, TFLC_OPTION_INT8),
};
constexpr TflcOptionField kShapeOptions[] = {Field("out_type", 0, TFLC_OPTION_INT8)};
constexpr TflcOptionField kResizeBilinearOptions[] = {
    // slots 0 and 1 are the deprecated new_height / new_width
    Field("align_corners", 2, TFLC_OPTION_BOOL),
    Field("half_pixel_centers", 3, TFLC_OPTION_BOOL),
};
constexpr TflcOptionField kResizeNearestNeighborOptions[] = {
    Field("align_corners", 0, TFLC_OPTION_BOOL),
    Field("half_pixel_centers", 1, TFLC_OPTION_BOOL),
};
constexpr TflcOptionField kBlockSizeOptions[] = {Field("block_size", 0, TFLC_OPTION_INT32)};  // S2D, D2S
constexpr TflcOptionField kLeakyReluOptions[] = {Field("alpha", 0, TFLC_OPTION_FLOAT32)};
constexpr TflcOptionField kSoftmaxOptions[] = {Field("beta", 0, TFLC_OPTION_FLOAT32)};
constexpr TflcOptionField kRandomOptions[] = {
    Field("seed", 0, TFLC_OPTION_INT64),
    Field("seed2", 1, TFLC_OPTION_INT64),
};
constexpr TflcOptionField kGeluOptions[] = {Field("approximate", 0, TFLC_OPTION_BOOL)};
constexpr TflcOptionField kArgMinMaxOptions[] = {Field("output_type", 0, TFLC_OPTION_INT8)};
constexpr TflcOptionField kUnidirectionalSequenceLstmOptions[] = {
    Field("fused_activation_function", 0, TFLC_OPTION_INT8),
    Field("cell_clip", 1, TFLC_OPTION_FLOAT32),
    Field("proj_clip", 2, TFLC_OPTION_FLOAT32),
    Field("time_major", 3, TFLC_OPTION_BOOL),
    Field("asymmetric_quantize_inputs", 4, TFLC_OPTION_BOOL),
    Field("diagonal_recurrent_tensors", 5, TFLC_OPTION_BOOL),
};
constexpr TflcOptionField kCumsumOptions[] = {
    Field("exclusive", 0, TFLC_OPTION_BOOL),
    Field("reverse", 1, TFLC_OPTION_BOOL),
};
constexpr TflcOptionField kOneHotOptions[] = {Field("axis", 0, TFLC_OPTION_INT32)};
constexpr TflcOptionField kLocalResponseNormalizationOptions[] = {
    Field("radius", 0, TFLC_OPTION_INT32),
    Field("bias", 1, TFLC_OPTION_FLOAT32),
    Field("alpha", 2, TFLC_OPTION_FLOAT32),
    Field("beta", 3, TFLC_OPTION_FLOAT32),
};

// BuiltinOptions union indices (NONE = 0).
enum OptionsType : int32_t {
  kConv2DOptionsT = 1, kDepthwiseConv2DOptionsT = 2, kPool2DOptionsT = 5, kFullyConnectedOptionsT = 8,
  kSoftmaxOptionsT = 9, kConcatenationOptionsT = 10, kAddOptionsT = 11, kL2NormOptionsT = 12,
  kLocalResponseNormalizationOptionsT = 13, kResizeBilinearOptionsT = 15, kSpaceToDepthOptionsT = 19,
  kMulOptionsT = 21, kPadOptionsT = 22, kGatherOptionsT = 23, kReducerOptionsT = 27, kSubOptionsT = 28,
  kDivOptionsT = 29, kSqueezeOptionsT = 30, kStridedSliceOptionsT = 32, kExpOptionsT = 33, kTopKV2OptionsT = 34,
  kSplitOptionsT = 35, kIfOptionsT = 92, kWhileOptionsT = 93, kLogSoftmaxOptionsT = 36, kCastOptionsT = 37, kArgMaxOptionsT = 40, kNegOptionsT = 42,
  kPadV2OptionsT = 43, kSelectOptionsT = 47, kTransposeConvOptionsT = 49, kExpandDimsOptionsT = 52,
  kShapeOptionsT = 55, kArgMinOptionsT = 57, kPackOptionsT = 59, kOneHotOptionsT = 61, kUnpackOptionsT = 64,
  kSquareOptionsT = 66, kZerosLikeOptionsT = 67, kUnidirectionalSequenceLSTMOptionsT = 71,
  kResizeNearestNeighborOptionsT = 74, kLeakyReluOptionsT = 75, kMirrorPadOptionsT = 77, kSplitVOptionsT = 79,
  kDepthToSpaceOptionsT = 94, kSelectV2OptionsT = 98, kBatchMatMulOptionsT = 101, kCumsumOptionsT = 102,
  kConv3DOptionsT = 106, kRandomOptionsT = 114, kGeluOptionsT = 116,
};

// ---- Minimum runtime per op version ([v-1]) ------------------------------------------------

constexpr const char* kRtAdd[] = {"1.5.0", "1.14.0", "2.4.0", "2.6.0", "2.13.0"};
constexpr const char* kRtAveragePool2D[] = {"1.5.0", "1.14.0", "2.3.0"};
constexpr const char* kRtConcatenation[] = {"1.5.0", "1.14.0", "2.3.0", "2.14.0"};
constexpr const char* kRtConv2D[] = {"1.5.0", "1.14.0", "1.14.0", "2.3.0", "2.4.0", "2.9.0", "2.11.0", "2.15.0"};
constexpr const char* kRtDepthwiseConv2D[] = {"1.5.0", "1.12.0", "1.14.0", "2.2.0", "2.3.0", "2.3.0", "2.11.0"};
constexpr const char* kRtDepthToSpace[] = {"2.1.0", "2.5.0"};
constexpr const char* kRtDequantize[] = {"1.13.1", "1.14.0", "1.15.0", "2.2.0", "2.7.0", "2.18.0"};
constexpr const char* kRtFloor[] = {"1.9.0"};
constexpr const char* kRtFullyConnected[] = {"1.5.0", "1.10.0", "1.14.0", "1.14.0", "2.0.0",  "2.1.0", "2.3.0",
                                             "2.3.0", "2.3.0",  "2.11.0", "2.15.0", "2.17.0", "2.18.0"};
constexpr const char* kRtL2Normalization[] = {"1.5.0", "1.14.0"};
constexpr const char* kRt150[] = {"1.5.0"};  // L2_POOL_2D, LRN, RESHAPE, RELU_N1_TO_1
constexpr const char* kRtLogistic[] = {"1.14.0", "1.14.0", "2.3.0"};  // also TANH
constexpr const char* kRtMaxPool2D[] = {"1.5.0", "1.14.0", "2.3.0"};
constexpr const char* kRtMul[] = {"1.5.0", "1.14.0", "1.15.0", "2.3.0", "2.6.0", "2.11.0", "2.13.0"};
constexpr const char* kRtRelu[] = {"1.5.0", "2.1.0", "2.5.0"};
constexpr const char* kRtRelu6[] = {"1.5.0", "1.14.0", "2.5.0"};
constexpr const char* kRtResizeBilinear[] = {"1.7.0", "1.14.0", "2.2.0", "2.5.0"};
constexpr const char* kRtSoftmax[] = {"1.5.0", "1.14.0", "2.3.0"};
constexpr const char* kRtSpaceToDepth[] = {"1.5.0", "1.14.0"};
constexpr const char* kRtPad[] = {"1.5.0", "1.14.0", "2.4.0", "2.6.0", ""};
constexpr const char* kRtGather[] = {"1.6.0", "1.14.0", "1.15.0", "2.4.0", "2.5.0", "2.13.0", "2.15.0"};
constexpr const char* kRtSpaceBatchNd[] = {"1.6.0", "1.14.0", "2.3.0", "2.12.0"};  // both directions
constexpr const char* kRtTranspose[] = {"1.6.0", "1.14.0", "1.15.0", "2.3.0", "2.4.0", "2.12.0", "2.14.4"};
constexpr const char* kRtMean[] = {"1.6.0", "1.14.0", "2.4.0"};
constexpr const char* kRtSub[] = {"1.6.0", "1.14.0", "2.3.0", "2.4.0", "2.4.0"};
constexpr const char* kRtDiv[] = {"1.6.0", "2.3.0"};
constexpr const char* kRtSqueeze[] = {"1.6.0", "2.5.0"};
constexpr const char* kRtLstm[] = {"1.13.1", "1.14.0", "2.3.0", "2.12.0", ""};
constexpr const char* kRtStridedSlice[] = {"1.6.0", "1.14.0", "2.1.0", "2.2.0", "2.5.0", "2.6.0", "2.14.0", "2.14.0"};
constexpr const char* kRtExp[] = {"1.7.0", "2.12.0"};
constexpr const char* kRtTopKV2[] = {"1.7.0", "1.14.0", "2.13.0"};
constexpr const char* kRtSplit[] = {"1.5.0", "1.14.0", "1.14.0", "2.3.0"};
constexpr const char* kRt114x2[] = {"1.14.0", "1.14.0"};  // LOG_SOFTMAX, GREATER, LESS_EQUAL
constexpr const char* kRtCast[] = {"1.5.0", "2.7.0", "2.8.0", "2.9.0", "2.12.0", "2.15.0", "2.17.0"};
constexpr const char* kRtPrelu[] = {"1.8.0"};
constexpr const char* kRtMaxMin[] = {"1.14.0", "1.14.0", "2.3.0", "2.3.0"};
constexpr const char* kRtArgMinMax[] = {"1.9.0", "1.14.0", "2.9.0"};
constexpr const char* kRt114x2_213[] = {"1.14.0", "1.14.0", "2.13.0"};  // LESS, GREATER_EQUAL, FLOOR_DIV
constexpr const char* kRt190[] = {"1.9.0"};                            // NEG, SIN
constexpr const char* kRtPadV2[] = {"1.9.0", "1.14.0", "2.4.0", "2.6.0", ""};
constexpr const char* kRtSelect[] = {"1.14.0", "1.14.0", "2.12.0", "2.12.0"};
constexpr const char* kRtSlice[] = {"1.14.0", "1.14.0", "1.14.0", "2.4.0", "2.5.0", "2.14.0"};
constexpr const char* kRtTransposeConv[] = {"1.9.0", "2.2.0", "2.3.0", "2.13.0", "2.15.0"};
constexpr const char* kRtTile[] = {"1.10.1", "2.2.0", "2.8.0"};
constexpr const char* kRt1100[] = {"1.10.0"};  // EXPAND_DIMS, SHAPE, POW, SQRT
constexpr const char* kRtEqual[] = {"1.14.0", "1.14.0", "2.3.0", "2.13.0"};
constexpr const char* kRtNotEqual[] = {"1.14.0", "1.14.0", "2.3.0"};
constexpr const char* kRtLog[] = {"1.14.0", "2.15.0"};
constexpr const char* kRtSum[] = {"1.10.0", "1.15.0"};
constexpr const char* kRtRsqrt[] = {"1.10.0", "2.5.0", "2.15.0"};
constexpr const char* kRtReduceProd[] = {"1.11.0", "2.6.0"};
constexpr const char* kRtReduceMaxMin[] = {"1.11.0", "1.14.0", "2.5.0"};
constexpr const char* kRtPack[] = {"1.11.0", "1.14.0", "2.3.0", "2.13.0"};
constexpr const char* kRt1110[] = {"1.11.0"};  // LOGICAL_OR/AND/NOT, ONE_HOT, REDUCE_ANY
constexpr const char* kRtUnpack[] = {"1.11.0", "1.14.0", "2.2.0", "2.3.0"};
constexpr const char* kRt1120[] = {"1.12.0"};  // SQUARE, ZEROS_LIKE
constexpr const char* kRtFill[] = {"1.13.0", "2.3.0", "2.5.0", "2.12.0"};
constexpr const char* kRtFloorMod[] = {"1.13.0", "2.13.0"};
constexpr const char* kRtRange[] = {"1.13.0", "2.14.0"};
constexpr const char* kRtResizeNearestNeighbor[] = {"1.13.1", "1.14.0", "2.3.0", "2.4.0"};
constexpr const char* kRtLeakyRelu[] = {"1.13.1", "2.3.0"};
constexpr const char* kRtSquaredDifference[] = {"1.13.1", "2.5.0"};
constexpr const char* kRtMirrorPad[] = {"1.13.1", "2.3.0", "2.12.0"};
constexpr const char* kRtAbs[] = {"1.13.0", "2.4.0", "2.5.0", "2.6.0", "2.12.0"};
constexpr const char* kRt1150[] = {"1.15.0"};  // IF, WHILE
constexpr const char* kRtSplitV[] = {"1.13.1", "2.3.0"};
constexpr const char* kRt1140[] = {"1.14.0"};  // CEIL, ADD_N, COS, ELU, ROUND
constexpr const char* kRtReverseV2[] = {"1.14.0", "2.2.0", "2.5.0"};
constexpr const char* kRtGatherNd[] = {"1.14.0", "2.3.0", "2.5.0", "2.13.0", "2.16.0"};
constexpr const char* kRtQuantize[] = {"1.14.0", "1.15.0", "2.7.0", ""};
constexpr const char* kRtHardSwish[] = {"1.15.0"};
constexpr const char* kRtSelectV2[] = {"2.2.0", "2.12.0"};
constexpr const char* kRtBatchMatMul[] = {"2.3.0", "2.3.0", "2.4.0", "2.5.0"};
constexpr const char* kRtCumsum[] = {"2.4.0"};
constexpr const char* kRtBroadcastTo[] = {"", "2.5.0", "2.5.0"};  // v1 was rolled back upstream
constexpr const char* kRtConv3D[] = {"2.5.0"};
constexpr const char* kRtRandomUniform[] = {"2.8.0"};
constexpr const char* kRtGelu[] = {"2.9.0", "2.9.0"};
constexpr const char* kRtRelu0To1[] = {"2.10.0"};
constexpr const char* kRtReduceAll[] = {"2.6.0"};

// ---- Quantization facts (TflcOpQuantSpec) ------------------------------------------------

constexpr uint32_t kInt8 = TFLC_QUANT_KERNEL_INT8, kInt16x8 = TFLC_QUANT_KERNEL_INT16X8,
                   kHybrid = TFLC_QUANT_KERNEL_HYBRID,
                   kHybridPerChannel = TFLC_QUANT_KERNEL_HYBRID | TFLC_QUANT_KERNEL_HYBRID_PER_CHANNEL;

constexpr uint64_t In(int i) { return uint64_t{1} << i; }
constexpr uint64_t kEveryInput = ~uint64_t{0};  // variadic ops (CONCATENATION, PACK)

constexpr TflcOpQuantSpec Spec(uint32_t kernels, TflcQuantOutput output, uint64_t params, uint64_t same_scale) {
  TflcOpQuantSpec q{};
  q.struct_size = TflcOpQuantSpec_STRUCT_SIZE;
  q.kernels = kernels;
  q.output = output;
  q.unquantized_inputs = params;
  q.same_scale_inputs = same_scale;
  return q;
}
// The kernel rescales: the output takes its own calibrated range. `params`: inputs that keep their type.
constexpr TflcOpQuantSpec Rescales(uint32_t kernels, uint64_t params = 0) {
  return Spec(kernels, TFLC_QUANT_OUTPUT_RANGE, params, 0);
}
// Conv-like ops with an int32 bias (int64 under int16x8; int32 only with quantized_bias_type, 2.15+).
constexpr TflcOpQuantSpec WithBias(uint32_t kernels, uint64_t params = 0) {
  TflcOpQuantSpec q = Rescales(kernels, params);
  q.int16_bias_type = TFLC_TYPE_INT64;
  return q;
}
// The kernel moves or selects values without rescaling: the output keeps the parameters of the
// data input `data` (the first input not in `params`).
constexpr TflcOpQuantSpec PassesThrough(uint32_t kernels, uint64_t data, uint64_t params = 0) {
  return Spec(kernels, TFLC_QUANT_OUTPUT_SAME_AS_INPUT, params, data);
}
// Several data inputs must all carry the output's parameters; the output takes its own range.
constexpr TflcOpQuantSpec SharesScale(uint32_t kernels, uint64_t inputs, uint64_t params = 0) {
  return Spec(kernels, TFLC_QUANT_OUTPUT_RANGE, params, inputs);
}
// The kernel requires these output parameters (a lookup table or a fixed-point result range).
constexpr TflcOpQuantSpec Fixed(uint32_t kernels, float int8_scale, int32_t int8_zero_point, float int16_scale = 0,
                                int32_t int16_zero_point = 0) {
  TflcOpQuantSpec q = Spec(kernels, TFLC_QUANT_OUTPUT_FIXED, 0, 0);
  q.int8_scale = int8_scale;
  q.int8_zero_point = int8_zero_point;
  q.int16_scale = int16_scale;
  q.int16_zero_point = int16_zero_point;
  return q;
}

// Arithmetic and activations whose int8 / int16 kernels rescale to the output's parameters.
constexpr TflcOpQuantSpec kQuantArithmetic = Rescales(kInt8 | kInt16x8);  // ADD, SUB, MUL, RELU...
constexpr TflcOpQuantSpec kQuantArithmeticInt8 = Rescales(kInt8);         // PRELU, HARD_SWISH...
constexpr TflcOpQuantSpec kQuantReduce = Rescales(kInt8 | kInt16x8, In(1));  // MEAN, REDUCE_PROD: axis
constexpr TflcOpQuantSpec kQuantSum = Rescales(kInt8, In(1));
// Weights (input 1) int8 symmetric, per-channel along weight_output_axis; hybrid kernels keep
// float activations. FULLY_CONNECTED's per-channel hybrid kernel is version 12 (TFLite 2.17).
constexpr TflcOpQuantSpec kQuantConv = WithBias(kInt8 | kInt16x8 | kHybridPerChannel);
constexpr TflcOpQuantSpec kQuantFullyConnected = WithBias(kInt8 | kInt16x8 | kHybrid);
constexpr TflcOpQuantSpec kQuantTransposeConv = WithBias(kInt8 | kInt16x8, In(0));  // output_shape
// Hybrid only: int8 weights, float activations and state (the integer LSTM needs intermediates).
constexpr TflcOpQuantSpec kQuantLstm = Rescales(kHybrid);
// Pass-through: one data input (bit), parameters that keep their type.
constexpr TflcOpQuantSpec kQuantPassThrough = PassesThrough(kInt8 | kInt16x8, In(0));  // pools, SQUEEZE, UNPACK
constexpr TflcOpQuantSpec kQuantPassThroughInt8 = PassesThrough(kInt8, In(0));         // SPACE_TO_DEPTH...
constexpr TflcOpQuantSpec kQuantPassThroughParam1 = PassesThrough(kInt8 | kInt16x8, In(0), In(1));
constexpr TflcOpQuantSpec kQuantPassThroughParam1Int8 = PassesThrough(kInt8, In(0), In(1));  // TILE, REVERSE_V2
constexpr TflcOpQuantSpec kQuantPadV2 = PassesThrough(kInt8 | kInt16x8, In(0) | In(2), In(1));  // pad value
constexpr TflcOpQuantSpec kQuantSliceLike = PassesThrough(kInt8 | kInt16x8, In(0), In(1) | In(2));
constexpr TflcOpQuantSpec kQuantStridedSlice = PassesThrough(kInt8 | kInt16x8, In(0), In(1) | In(2) | In(3));
constexpr TflcOpQuantSpec kQuantSplit = PassesThrough(kInt8 | kInt16x8, In(1), In(0));  // axis first
// Several inputs copied or compared without rescaling.
constexpr TflcOpQuantSpec kQuantJoin = SharesScale(kInt8 | kInt16x8, kEveryInput);  // CONCATENATION, PACK
constexpr TflcOpQuantSpec kQuantMaxMin = SharesScale(kInt8 | kInt16x8, In(0) | In(1));
constexpr TflcOpQuantSpec kQuantSelect = SharesScale(kInt8, In(1) | In(2), In(0));  // condition
// Fixed output parameters (operator_property.cc restricted_value_int8 / _int16).
constexpr TflcOpQuantSpec kQuantSoftmax = Fixed(kInt8 | kInt16x8, 1.f / 256, -128, 1.f / 32768, 0);
constexpr TflcOpQuantSpec kQuantLogistic = Fixed(kInt8 | kInt16x8, 1.f / 256, -128, 1.f / 32768, 0);
constexpr TflcOpQuantSpec kQuantTanh = Fixed(kInt8 | kInt16x8, 1.f / 128, 0, 1.f / 32768, 0);
constexpr TflcOpQuantSpec kQuantLogSoftmax = Fixed(kInt8, 16.f / 256, 127);
constexpr TflcOpQuantSpec kQuantL2Normalization = Fixed(kInt8, 1.f / 128, 0);

// ---- The table, by BuiltinOperator value ----------------------------------------------------

constexpr TflcOpsetEntry kOps[] = {
    TFLC_OP("ADD", kAdd, InferBinary, EvalAdd)
        .Options(kAddOptionsT, kAddSubOptions).Runtime(kRtAdd).FusesActivation().Algebra(TFLC_ALGEBRA_ADD)
        .Quant(kQuantArithmetic),
    TFLC_OP("AVERAGE_POOL_2D", kAveragePool2D, InferPool2D, EvalAveragePool2D)
        .Options(kPool2DOptionsT, kPool2DOptions).Runtime(kRtAveragePool2D).FusesActivation().Quant(kQuantPassThrough),
    TFLC_OP("CONCATENATION", kConcatenation, InferConcatenation, EvalConcatenation)
        .Options(kConcatenationOptionsT, kConcatenationOptions).Runtime(kRtConcatenation).Quant(kQuantJoin),
    TFLC_OP("CONV_2D", kConv2D, InferConv2D, EvalConv2D)
        .Options(kConv2DOptionsT, kConv2DOptions).Runtime(kRtConv2D).FusesActivation().Weights(2, 1, 0)
        .InputChannelAxis(3).Query(QueryConvPadding).Quant(kQuantConv),
    TFLC_OP("DEPTHWISE_CONV_2D", kDepthwiseConv2D, InferDepthwiseConv2D, EvalDepthwiseConv2D)
        .Options(kDepthwiseConv2DOptionsT, kDepthwiseConv2DOptions).Runtime(kRtDepthwiseConv2D).FusesActivation()
        .Weights(2, 1, 3).InputChannelAxis(3).Query(QueryConvPadding).Quant(kQuantConv),
    TFLC_OP("DEPTH_TO_SPACE", kDepthToSpace, InferDepthToSpace, EvalDepthToSpace)
        .Options(kDepthToSpaceOptionsT, kBlockSizeOptions).Runtime(kRtDepthToSpace).Quant(kQuantPassThroughInt8),
    TFLC_OP("DEQUANTIZE", kDequantize, InferDequantize, EvalDequantize).Runtime(kRtDequantize),
    TFLC_OP("FLOOR", kFloor, InferUnary, EvalFloor).Runtime(kRtFloor),
    TFLC_OP("FULLY_CONNECTED", kFullyConnected, InferFullyConnected, EvalFullyConnected)
        .Options(kFullyConnectedOptionsT, kFullyConnectedOptions).Runtime(kRtFullyConnected).FusesActivation()
        .Weights(2, 1, 0).InputChannelAxis(1).Quant(kQuantFullyConnected),
    TFLC_OP("L2_NORMALIZATION", kL2Normalization, InferLastAxis, EvalL2Normalization)
        .Options(kL2NormOptionsT, kActivationOnlyOptions).Runtime(kRtL2Normalization).Quant(kQuantL2Normalization),
    TFLC_OP("L2_POOL_2D", kL2Pool2D, InferPool2D, EvalL2Pool2D)
        .Options(kPool2DOptionsT, kPool2DOptions).Runtime(kRt150).FusesActivation(),
    TFLC_OP("LOCAL_RESPONSE_NORMALIZATION", kLocalResponseNormalization, InferLocalResponseNorm, EvalLocalResponseNorm)
        .Options(kLocalResponseNormalizationOptionsT, kLocalResponseNormalizationOptions).Runtime(kRt150),
    TFLC_OP("LOGISTIC", kLogistic, InferUnary, EvalLogistic).Runtime(kRtLogistic).Quant(kQuantLogistic),
    TFLC_OP("MAX_POOL_2D", kMaxPool2D, InferPool2D, EvalMaxPool2D)
        .Options(kPool2DOptionsT, kPool2DOptions).Runtime(kRtMaxPool2D).FusesActivation().Quant(kQuantPassThrough),
    TFLC_OP("MUL", kMul, InferBinary, EvalMul)
        .Options(kMulOptionsT, kActivationOnlyOptions).Runtime(kRtMul).FusesActivation().Algebra(TFLC_ALGEBRA_MUL)
        .Quant(kQuantArithmetic),
    TFLC_OP("RELU", kRelu, InferUnary, EvalRelu).Runtime(kRtRelu).IsActivation(kActRelu).Quant(kQuantArithmetic),
    TFLC_OP("RELU_N1_TO_1", kReluN1To1, InferUnary, EvalReluN1To1).Runtime(kRt150).IsActivation(kActReluN1To1)
        .Quant(kQuantArithmeticInt8),
    TFLC_OP("RELU6", kRelu6, InferUnary, EvalRelu6).Runtime(kRtRelu6).IsActivation(kActRelu6).Quant(kQuantArithmetic),
    TFLC_OP("RESHAPE", kReshape, InferReshape, EvalCopy).Runtime(kRt150).Quant(kQuantPassThroughParam1),
    TFLC_OP("RESIZE_BILINEAR", kResizeBilinear, InferResize, EvalResizeBilinear)
        .Options(kResizeBilinearOptionsT, kResizeBilinearOptions).Runtime(kRtResizeBilinear)
        .Quant(kQuantPassThroughParam1),
    TFLC_OP("SOFTMAX", kSoftmax, InferSoftmax, EvalSoftmax)
        .Options(kSoftmaxOptionsT, kSoftmaxOptions).Runtime(kRtSoftmax).Quant(kQuantSoftmax),
    TFLC_OP("SPACE_TO_DEPTH", kSpaceToDepth, InferSpaceToDepth, EvalSpaceToDepth)
        .Options(kSpaceToDepthOptionsT, kBlockSizeOptions).Runtime(kRtSpaceToDepth).Quant(kQuantPassThroughInt8),
    TFLC_OP("TANH", kTanh, InferUnary, EvalTanh).Runtime(kRtLogistic).IsActivation(kActTanh).Quant(kQuantTanh),
    TFLC_OP("PAD", kPad, InferPad, EvalPad).EmptyOptions(kPadOptionsT).Runtime(kRtPad).Quant(kQuantPassThroughParam1),
    TFLC_OP("GATHER", kGather, InferGather, EvalGather).Options(kGatherOptionsT, kGatherOptions).Runtime(kRtGather)
        .Quant(kQuantPassThroughParam1),
    TFLC_OP("BATCH_TO_SPACE_ND", kBatchToSpaceNd, InferBatchToSpaceNd, EvalBatchToSpaceNd).Runtime(kRtSpaceBatchNd)
        .Quant(kQuantSliceLike),
    TFLC_OP("SPACE_TO_BATCH_ND", kSpaceToBatchNd, InferSpaceToBatchNd, EvalSpaceToBatchNd).Runtime(kRtSpaceBatchNd)
        .Quant(kQuantSliceLike),
    TFLC_OP("TRANSPOSE", kTranspose, InferTranspose, EvalTranspose).Runtime(kRtTranspose)
        .Quant(kQuantPassThroughParam1),
    TFLC_OP("MEAN", kMean, InferReduce, EvalMean).Options(kReducerOptionsT, kReducerOptions).Runtime(kRtMean)
        .Quant(kQuantReduce),
    TFLC_OP("SUB", kSub, InferBinary, EvalSub)
        .Options(kSubOptionsT, kAddSubOptions).Runtime(kRtSub).FusesActivation().Algebra(TFLC_ALGEBRA_SUB)
        .Quant(kQuantArithmetic),
    TFLC_OP("DIV", kDiv, InferBinary, EvalDiv)
        .Options(kDivOptionsT, kActivationOnlyOptions).Runtime(kRtDiv).FusesActivation(),
    TFLC_OP("SQUEEZE", kSqueeze, InferSqueeze, EvalCopy).Options(kSqueezeOptionsT, kSqueezeOptions).Runtime(kRtSqueeze)
        .Quant(kQuantPassThrough),
    TFLC_OP("UNIDIRECTIONAL_SEQUENCE_LSTM", kUnidirectionalSequenceLstm, InferUnidirectionalSequenceLstm,
            EvalUnidirectionalSequenceLstm)
        .Options(kUnidirectionalSequenceLSTMOptionsT, kUnidirectionalSequenceLstmOptions).Runtime(kRtLstm)
        .Quant(kQuantLstm),
    TFLC_OP("STRIDED_SLICE", kStridedSlice, InferStridedSlice, EvalStridedSlice)
        .Options(kStridedSliceOptionsT, kStridedSliceOptions).Runtime(kRtStridedSlice).Quant(kQuantStridedSlice),
    TFLC_OP("EXP", kExp, InferUnary, EvalExp).EmptyOptions(kExpOptionsT).Runtime(kRtExp).Quant(kQuantArithmetic),
    TFLC_OP("TOPK_V2", kTopKV2, InferTopK, EvalTopK).EmptyOptions(kTopKV2OptionsT).Runtime(kRtTopKV2),
    TFLC_OP("SPLIT", kSplit, InferSplit, EvalSplit).Options(kSplitOptionsT, kSplitOptions).Runtime(kRtSplit)
        .Quant(kQuantSplit),
    TFLC_OP("LOG_SOFTMAX", kLogSoftmax, InferLastAxis, EvalLogSoftmax).EmptyOptions(kLogSoftmaxOptionsT).Runtime(kRt114x2)
        .Quant(kQuantLogSoftmax),
    TFLC_OP("CAST", kCast, InferCast, EvalCast).Options(kCastOptionsT, kCastOptions).Runtime(kRtCast),
    TFLC_OP("PRELU", kPrelu, InferPrelu, EvalPrelu).Runtime(kRtPrelu).Quant(kQuantArithmeticInt8),
    TFLC_OP("MAXIMUM", kMaximum, InferBinary, EvalMaximum).Runtime(kRtMaxMin).Quant(kQuantMaxMin),
    TFLC_OP("ARG_MAX", kArgMax, InferArgMinMax, EvalArgMax).Options(kArgMaxOptionsT, kArgMinMaxOptions).Runtime(kRtArgMinMax),
    TFLC_OP("MINIMUM", kMinimum, InferBinary, EvalMinimum).Runtime(kRtMaxMin).Quant(kQuantMaxMin),
    TFLC_OP("LESS", kLess, InferComparison, EvalLess).Runtime(kRt114x2_213),
    TFLC_OP("NEG", kNeg, InferUnary, EvalNeg).EmptyOptions(kNegOptionsT).Runtime(kRt190),
    TFLC_OP("PADV2", kPadV2, InferPad, EvalPadV2).EmptyOptions(kPadV2OptionsT).Runtime(kRtPadV2).Quant(kQuantPadV2),
    TFLC_OP("GREATER", kGreater, InferComparison, EvalGreater).Runtime(kRt114x2),
    TFLC_OP("GREATER_EQUAL", kGreaterEqual, InferComparison, EvalGreaterEqual).Runtime(kRt114x2_213),
    TFLC_OP("LESS_EQUAL", kLessEqual, InferComparison, EvalLessEqual).Runtime(kRt114x2),
    TFLC_OP("SELECT", kSelect, InferSelect, EvalSelect).EmptyOptions(kSelectOptionsT).Runtime(kRtSelect)
        .Quant(kQuantSelect),
    TFLC_OP("SLICE", kSlice, InferSlice, EvalSlice).Runtime(kRtSlice).Quant(kQuantSliceLike),
    TFLC_OP("SIN", kSin, InferUnary, EvalSin).Runtime(kRt190),
    TFLC_OP("TRANSPOSE_CONV", kTransposeConv, InferTransposeConv, EvalTransposeConv)
        .Options(kTransposeConvOptionsT, kTransposeConvOptions).Runtime(kRtTransposeConv).Weights(3, 1, 0)
        .Quant(kQuantTransposeConv),
    TFLC_OP("TILE", kTile, InferTile, EvalTile).Runtime(kRtTile).Quant(kQuantPassThroughParam1Int8),
    TFLC_OP("EXPAND_DIMS", kExpandDims, InferExpandDims, EvalCopy).EmptyOptions(kExpandDimsOptionsT).Runtime(kRt1100)
        .Quant(kQuantPassThroughParam1),
    TFLC_OP("EQUAL", kEqual, InferComparison, EvalEqual).Runtime(kRtEqual),
    TFLC_OP("NOT_EQUAL", kNotEqual, InferComparison, EvalNotEqual).Runtime(kRtNotEqual),
    TFLC_OP("LOG", kLog, InferUnary, EvalLog).Runtime(kRtLog),
    TFLC_OP("SUM", kSum, InferReduce, EvalSum).Options(kReducerOptionsT, kReducerOptions).Runtime(kRtSum)
        .Quant(kQuantSum),
    TFLC_OP("SQRT", kSqrt, InferUnary, EvalSqrt).Runtime(kRt1100),
    TFLC_OP("RSQRT", kRsqrt, InferUnary, EvalRsqrt).Runtime(kRtRsqrt).Quant(kQuantArithmeticInt8),
    Def("SHAPE", kShape, &ShapeEntry<InferShapeOp>, &EvalEntry<EvalShapeOp, false>, &VersionEntry<kShape>)
        .Options(kShapeOptionsT, kShapeOptions).Runtime(kRt1100).ShapeOnlyInputs(1),
    TFLC_OP("POW", kPow, InferBinary, EvalPow).Runtime(kRt1100),
    TFLC_OP("ARG_MIN", kArgMin, InferArgMinMax, EvalArgMin).Options(kArgMinOptionsT, kArgMinMaxOptions).Runtime(kRtArgMinMax),
    TFLC_OP("REDUCE_PROD", kReduceProd, InferReduce, EvalReduceProd)
        .Options(kReducerOptionsT, kReducerOptions).Runtime(kRtReduceProd).Quant(kQuantReduce),
    TFLC_OP("REDUCE_MAX", kReduceMax, InferReduce, EvalReduceMax)
        .Options(kReducerOptionsT, kReducerOptions).Runtime(kRtReduceMaxMin).Quant(kQuantPassThroughParam1),
    TFLC_OP("PACK", kPack, InferPack, EvalPack).Options(kPackOptionsT, kPackOptions).Runtime(kRtPack).Quant(kQuantJoin),
    TFLC_OP("LOGICAL_OR", kLogicalOr, InferLogicalBinary, EvalLogicalOr).Runtime(kRt1110),
    TFLC_OP("ONE_HOT", kOneHot, InferOneHot, EvalOneHot).Options(kOneHotOptionsT, kOneHotOptions).Runtime(kRt1110),
    TFLC_OP("LOGICAL_AND", kLogicalAnd, InferLogicalBinary, EvalLogicalAnd).Runtime(kRt1110),
    TFLC_OP("LOGICAL_NOT", kLogicalNot, InferLogicalNot, EvalLogicalNot).Runtime(kRt1110),
    TFLC_OP("UNPACK", kUnpack, InferUnpack, EvalUnpack).Options(kUnpackOptionsT, kUnpackOptions).Runtime(kRtUnpack)
        .Quant(kQuantPassThrough),
    TFLC_OP("REDUCE_MIN", kReduceMin, InferReduce, EvalReduceMin)
        .Options(kReducerOptionsT, kReducerOptions).Runtime(kRtReduceMaxMin).Quant(kQuantPassThroughParam1),
    TFLC_OP("FLOOR_DIV", kFloorDiv, InferBinary, EvalFloorDiv).Runtime(kRt114x2_213),
    TFLC_OP("REDUCE_ANY", kReduceAny, InferReduce, EvalReduceAny)
        .Options(kReducerOptionsT, kReducerOptions).Runtime(kRt1110),
    TFLC_OP("SQUARE", kSquare, InferUnary, EvalSquare).EmptyOptions(kSquareOptionsT).Runtime(kRt1120),
    TFLC_OP("ZEROS_LIKE", kZerosLike, InferUnary, EvalZerosLike).EmptyOptions(kZerosLikeOptionsT).Runtime(kRt1120),
    TFLC_OP("FILL", kFill, InferFill, EvalFill).Runtime(kRtFill),
    TFLC_OP("FLOOR_MOD", kFloorMod, InferBinary, EvalFloorMod).Runtime(kRtFloorMod),
    TFLC_OP("RANGE", kRange, InferRange, EvalRange).Runtime(kRtRange),
    TFLC_OP("RESIZE_NEAREST_NEIGHBOR", kResizeNearestNeighbor, InferResize, EvalResizeNearestNeighbor)
        .Options(kResizeNearestNeighborOptionsT, kResizeNearestNeighborOptions).Runtime(kRtResizeNearestNeighbor)
        .Quant(kQuantPassThroughParam1),
    TFLC_OP("LEAKY_RELU", kLeakyRelu, InferUnary, EvalLeakyRelu)
        .Options(kLeakyReluOptionsT, kLeakyReluOptions).Runtime(kRtLeakyRelu).Quant(kQuantArithmetic),
    TFLC_OP("SQUARED_DIFFERENCE", kSquaredDifference, InferBinary, EvalSquaredDifference).Runtime(kRtSquaredDifference)
        .Quant(kQuantArithmeticInt8),
    TFLC_OP("MIRROR_PAD", kMirrorPad, InferMirrorPad, EvalMirrorPad)
        .Options(kMirrorPadOptionsT, kMirrorPadOptions).Runtime(kRtMirrorPad).Quant(kQuantPassThroughParam1),
    TFLC_OP("ABS", kAbs, InferUnary, EvalAbs).Runtime(kRtAbs).Quant(kQuantArithmetic),
    TFLC_OP("SPLIT_V", kSplitV, InferSplitV, EvalSplitV).Options(kSplitVOptionsT, kSplitOptions).Runtime(kRtSplitV)
        .Quant(kQuantSliceLike),
    TFLC_OP("CEIL", kCeil, InferUnary, EvalCeil).Runtime(kRt1140),
    TFLC_OP("REVERSE_V2", kReverseV2, InferReverseV2, EvalReverseV2).Runtime(kRtReverseV2)
        .Quant(kQuantPassThroughParam1Int8),
    TFLC_OP("ADD_N", kAddN, InferAddN, EvalAddN).Runtime(kRt1140),
    TFLC_OP("GATHER_ND", kGatherNd, InferGatherNd, EvalGatherNd).Runtime(kRtGatherNd).Quant(kQuantPassThroughParam1),
    TFLC_OP("COS", kCos, InferUnary, EvalCos).Runtime(kRt1140),
    TFLC_OP("ELU", kElu, InferUnary, EvalElu).Runtime(kRt1140).Quant(kQuantArithmeticInt8),
    TFLC_OP("QUANTIZE", kQuantize, InferQuantize, EvalQuantize).Runtime(kRtQuantize),
    TFLC_OP("ROUND", kRound, InferUnary, EvalRound).Runtime(kRt1140),
    TFLC_OP("HARD_SWISH", kHardSwish, InferUnary, EvalHardSwish).Runtime(kRtHardSwish).Quant(kQuantArithmeticInt8),
    TFLC_OP("SELECT_V2", kSelectV2, InferSelectV2, EvalSelectV2).EmptyOptions(kSelectV2OptionsT).Runtime(kRtSelectV2)
        .Quant(kQuantSelect),
    TFLC_OP("BATCH_MATMUL", kBatchMatMul, InferBatchMatMul, EvalBatchMatMul)
        .Options(kBatchMatMulOptionsT, kBatchMatMulOptions).Runtime(kRtBatchMatMul).Quant(kQuantArithmetic),
    TFLC_OP("CUMSUM", kCumsum, InferCumsum, EvalCumsum).Options(kCumsumOptionsT, kCumsumOptions).Runtime(kRtCumsum),
    TFLC_OP("BROADCAST_TO", kBroadcastTo, InferBroadcastTo, EvalBroadcastTo).Runtime(kRtBroadcastTo)
        .Quant(kQuantPassThroughParam1),
    // Float only (the runtime's CONV_3D has no integer kernel): no quantization spec.
    TFLC_OP("CONV_3D", kConv3D, InferConv3D, EvalConv3D)
        .Options(kConv3DOptionsT, kConv3DOptions).Runtime(kRtConv3D).FusesActivation().Weights(2, 1, 4)
        .Query(QueryConvPadding),
    TFLC_OP("REDUCE_ALL", kReduceAll, InferReduce, EvalReduceAll)
        .Options(kReducerOptionsT, kReducerOptions).Runtime(kRtReduceAll),
    // No kernel: a random op is never folded.
    Def("RANDOM_UNIFORM", kRandomUniform, &ShapeEntry<InferRandomUniform>, nullptr, &VersionEntry<kRandomUniform>)
        .Options(kRandomOptionsT, kRandomOptions).Runtime(kRtRandomUniform),
    TFLC_OP("GELU", kGelu, InferUnary, EvalGelu).Options(kGeluOptionsT, kGeluOptions).Runtime(kRtGelu)
        .Quant(kQuantArithmeticInt8),
    TFLC_OP("RELU_0_TO_1", kRelu0To1, InferUnary, EvalRelu0To1).Runtime(kRtRelu0To1),
    // Subgraph calls: the kernels run the subgraphs through the host (calibration, Interpret); the
    // host never folds a node that calls subgraphs (a constant-condition IF is inlined by its lowering).
    Def("IF", kIf, &ShapeEntry<InferIf>, &EvalEntry<EvalIf>, &VersionEntry<kIf>).Options(kIfOptionsT, kIfOptions).Runtime(kRt1150),
    Def("WHILE", kWhile, &ShapeEntry<InferWhile>, &EvalEntry<EvalWhile>, &VersionEntry<kWhile>)
        .Options(kWhileOptionsT, kWhileOptions).Runtime(kRt1150),
};

#undef TFLC_OP

}  // namespace
}  // namespace tflc::opset_builtin

extern "C" const TflcPluginApi* TflcOpsetBuiltin_Query(const TflcPluginQuery_Args* args) {
  static const TflcPluginApi api = [] {
    TflcPluginApi a = tflc::sdk::NewPluginApi(
        "opset_builtin", "0.1.0",
        "TFLite builtin ops: shapes, float reference kernels, op versions and minimum runtimes, option tables");
    tflc::sdk::SetOps(a, tflc::opset_builtin::kOps);
    return a;
  }();
  return tflc::sdk::Negotiate(args, &api);
}
