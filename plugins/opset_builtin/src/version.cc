// Op versions from each node's actual signature: a transcription of LiteRT
// tflite/tools/versioning/op_version.cc (GetBuiltinOperatorVersion), with the op signature's
// "ext_options" (per-channel weights, grouped convolution, quantized inputs, scales) read from the
// node's values. Ops not listed there are version 1.
#include <algorithm>

#include "common.h"
#include "ops.h"

namespace tflc::opset_builtin {
namespace {

// The parts of tflite::OpSignature the rules look at.
class Signature {
 public:
  explicit Signature(const OpContext& c) : c_(c) {}
  TflcDataType in(size_t i) const { return i < c_.num_inputs() ? c_.type(i) : TFLC_TYPE_UNKNOWN; }
  TflcDataType out(size_t i) const { return i < c_.num_outputs() ? c_.output_type(i) : TFLC_TYPE_UNKNOWN; }
  size_t num_inputs() const { return c_.num_inputs(); }
  int rank(size_t i) const { return c_.rank(i); }
  bool in_is(size_t i, TflcDataType t) const { return in(i) == t; }
  bool out_is(size_t i, TflcDataType t) const { return out(i) == t; }
  bool ins_are(TflcDataType a, TflcDataType b, TflcDataType o) const { return in(0) == a && in(1) == b && out(0) == o; }
  bool per_channel(size_t i) const { return i < c_.num_inputs() && c_.per_channel(i); }
  bool quantized(size_t i) const { return i < c_.num_inputs() && c_.quant(i).count > 0; }
  int64_t Int(const char* name, int64_t def = 0) const {
    auto v = c_.Int(name, def);
    return v.ok() ? *v : def;
  }
  bool Bool(const char* name, bool def = false) const {
    auto v = c_.Bool(name, def);
    return v.ok() ? *v : def;
  }
  // NeedBroadcastForBinaryInputs: the two inputs' shapes differ.
  bool NeedBroadcast() const {
    if (c_.num_inputs() < 2) return false;
    return c_.rank(0) != c_.rank(1) || c_.dims(0) != c_.dims(1);
  }
  int MaxInputRank() const {
    int m = 0;
    for (size_t i = 0; i < c_.num_inputs(); ++i) m = std::max(m, c_.rank(i));
    return m;
  }
  float Scale(size_t i, bool output) const {
    TflcQuantParams q = output ? c_.output_quant(i) : c_.quant(i);
    return q.count > 0 ? q.scales[0] : 0.f;
  }
  const OpContext& ctx() const { return c_; }

 private:
  const OpContext& c_;
};

constexpr TflcDataType F32 = TFLC_TYPE_FLOAT32, I8 = TFLC_TYPE_INT8, U8 = TFLC_TYPE_UINT8, I16 = TFLC_TYPE_INT16,
                       I32 = TFLC_TYPE_INT32, I64 = TFLC_TYPE_INT64, BOOL = TFLC_TYPE_BOOL, STR = TFLC_TYPE_STRING,
                       I4 = TFLC_TYPE_INT4, F16 = TFLC_TYPE_FLOAT16, U32 = TFLC_TYPE_UINT32, U16 = TFLC_TYPE_UINT16,
                       F64 = TFLC_TYPE_FLOAT64, BF16 = TFLC_TYPE_BFLOAT16, C64 = TFLC_TYPE_COMPLEX64;

// int16 -> 3, int8 -> 2, else 1: the rule shared by many ops.
int Int16Int8(const Signature& s) {
  if (s.in_is(0, I16)) return 3;
  if (s.in_is(0, I8)) return 2;
  return 1;
}

int Version(const Signature& s, int32_t code) {
  switch (code) {
    case kConv2D: {
      if (s.ins_are(I16, I8, I16) && s.Int("quantized_bias_type") != 0) return 8;
      const Dims in = s.ctx().dims(0), f = s.ctx().dims(1);
      if (in.size() == 4 && f.size() == 4 && in[3] > 0 && f[3] > 0 && in[3] != f[3]) return 6;  // grouped
      // Upstream compares outputs.at(1) here (a single-output op); it only matters for int16
      // weights, which converters never produce.
      if (s.in_is(0, I16) && s.in_is(1, I16) && s.out_is(1, I16)) return 4;
      if (s.ins_are(I8, I8, I8)) return 3;
      if (s.ins_are(I8, I4, I8)) return 7;
      if (s.ins_are(F32, I8, F32)) return s.per_channel(1) ? 5 : 2;
      return 1;
    }
    case kDepthwiseConv2D: {
      if (s.in_is(0, I16) && s.in_is(1, I16) && s.out_is(1, I16)) return 5;
      if (s.ins_are(F32, I8, F32)) return s.per_channel(1) ? 6 : 4;
      if (s.ins_are(I8, I8, I8)) return 3;
      if (s.ins_are(I8, I4, I8)) return 7;
      if (s.Int("dilation_w_factor", 1) != 1 || s.Int("dilation_h_factor", 1) != 1) return 2;
      return 1;
    }
    case kFullyConnected: {
      if (s.ins_are(I16, I4, I16)) return 13;
      if (s.ins_are(F32, I8, F32) && s.per_channel(1)) return 12;
      if (s.ins_are(I16, I8, I16) && s.Int("quantized_bias_type") != 0) return 11;
      if (s.ins_are(I16, I16, I16)) return 7;
      // Upstream counts operands; an omitted optional bias is still an operand (index -1) there,
      // so "2 inputs" means the node really has only two.
      if (s.num_inputs() == 2) return 6;
      if (s.Bool("keep_num_dims")) return 5;
      if (s.ins_are(I8, I8, I8)) return 4;
      if (s.ins_are(I8, I4, I8)) return 10;
      if (s.ins_are(F32, I8, F32)) return s.Bool("asymmetric_quantize_inputs") ? 9 : 3;
      if (s.Int("weights_format") == 1) return 2;
      return 1;
    }
    case kGather:
      if (s.in_is(0, I4)) return 7;
      if (s.in_is(1, I16)) return 6;
      if (s.Int("batch_dims") != 0) return 5;
      if (s.in_is(0, I16)) return 4;
      if (s.in_is(0, BOOL)) return 3;
      if (s.in_is(0, I8)) return 2;
      return 1;
    case kMul: {
      if ((s.in_is(0, I16) && !s.quantized(0)) || s.in_is(0, U32)) return 7;
      if (s.in_is(0, C64)) return 6;
      if (s.in_is(0, I64)) return 5;
      if (s.in_is(0, I16)) return 4;
      const float s1 = s.Scale(0, false), s2 = s.Scale(1, false), so = s.Scale(0, true);
      if (s1 != 0 && s2 != 0 && so != 0 && s1 * s2 / so >= 1.0f) return 3;
      if (s.in_is(0, I8)) return 2;
      return 1;
    }
    case kMaxPool2D:
    case kAveragePool2D:
      if (s.in_is(0, I16) && s.out_is(0, I16)) return 3;
      if (s.in_is(0, I8)) return 2;
      return 1;
    case kTranspose:
      if (s.in_is(0, I4)) return 7;
      if (s.rank(0) > 5) return 6;
      if (s.in_is(0, I16)) return 5;
      if (s.rank(0) > 4) return 4;
      if (s.in_is(0, BOOL)) return 3;
      if (s.in_is(0, I8)) return 2;
      return 1;
    case kTransposeConv:
      if (s.in_is(0, I16) && s.in_is(1, I8) && s.out_is(0, I16) && s.Int("quantized_bias_type") != 0) return 5;
      if (s.Int("fused_activation_function") != 0) return 4;
      if (s.num_inputs() == 4 && s.ctx().has_input(3)) return 3;
      if (s.in_is(1, I8)) return 2;
      return 1;
    case kSplit:
      if (s.in_is(1, I16)) return 4;
      if (s.in_is(1, I32)) return 3;
      if (s.in_is(1, I8)) return 2;
      return 1;
    case kSlice:
      if (s.in_is(0, U32)) return 6;
      if (s.rank(0) > 4) return 5;
      if (s.in_is(0, I16)) return 4;
      if (s.in_is(0, STR)) return 3;
      if (s.in_is(0, I8)) return 2;
      return 1;
    case kUnpack:
      if (s.in_is(0, I8) || s.in_is(0, U8)) return 2;
      if (s.in_is(0, BOOL)) return 3;
      if (s.in_is(0, I16) && s.out_is(0, I16)) return 4;
      return 1;
    case kDequantize:
      if (s.in_is(0, I4)) return 6;
      if (s.in_is(0, I16) || s.in_is(0, F16)) return 3;
      if (s.in_is(0, I8)) return s.per_channel(0) ? 5 : 2;
      return 1;
    case kQuantize:
      if (s.in_is(0, I4) || s.out_is(0, I4)) return 4;
      if (s.ctx().output_quant(0).count > 1) return 3;
      if (s.out_is(0, I16)) return 2;
      return 1;
    case kFloorDiv:
      if (s.in_is(0, I16) || s.in_is(0, I8)) return 3;
      if (s.in_is(0, F32)) return 2;
      return 1;
    case kFloorMod:
      if (s.in_is(0, I16) || s.in_is(0, I8)) return 2;
      return 1;
    case kL2Normalization:
      return s.out_is(0, I8) ? 2 : 1;
    case kAbs:
      if (s.in_is(0, I32)) return 5;
      if (s.in_is(0, I16)) return s.quantized(0) ? 3 : 4;
      if (s.in_is(0, I8) || s.in_is(0, U8)) return 2;
      return 1;
    case kRelu:
      if (s.in_is(0, I16)) return 3;
      if (s.in_is(0, I8) || s.in_is(0, U8)) return 2;
      return 1;
    case kStridedSlice:
      if (s.Bool("offset")) return 8;
      if (s.in_is(0, U32)) return 7;
      if (s.Int("ellipsis_mask") != 0 || s.Int("new_axis_mask") != 0) return 6;
      if (s.in_is(0, STR)) return 5;
      if (s.rank(0) > 4) return 4;
      if (s.in_is(0, BOOL)) return 3;
      if (s.in_is(0, I8)) return 2;
      return 1;
    case kReverseV2:
      if (s.in_is(0, I8)) return 3;
      if (s.in_is(0, BOOL)) return 2;
      return 1;
    case kResizeBilinear:
      if (s.in_is(0, I16)) return 4;
      if (s.Bool("half_pixel_centers")) return 3;
      if (s.in_is(0, I8)) return 2;
      return 1;
    case kResizeNearestNeighbor:
      if (s.in_is(0, I16)) return 4;
      if (s.Bool("half_pixel_centers") || s.Bool("align_corners")) return 3;
      if (s.in_is(0, I8)) return 2;
      return 1;
    case kMaximum:
    case kMinimum:
      if (s.in_is(0, I16) && s.out_is(0, I16)) return 4;
      if (s.NeedBroadcast() && s.MaxInputRank() > 4) return 3;
      if (s.in_is(0, I8)) return 2;
      return 1;
    case kPack:
      if (s.in_is(0, I8)) return 2;
      if (s.in_is(0, I16) && s.out_is(0, I16)) return 3;
      if (s.in_is(0, U32)) return 4;
      return 1;
    case kTile:
      if (s.in_is(0, I8)) return 3;
      if (s.in_is(0, STR)) return 2;
      return 1;
    case kSqueeze:
      return s.in_is(0, STR) ? 2 : 1;
    case kSpaceToBatchNd:
    case kBatchToSpaceNd:
      if (s.in_is(0, I16)) return 4;
      if (s.rank(0) != 4) return 3;
      if (s.in_is(0, I8)) return 2;
      return 1;
    case kAdd:
      if (s.in_is(0, I16) && !s.quantized(0)) return 5;
      if (s.in_is(0, I64)) return 4;
      if (s.in_is(0, I16) && s.out_is(0, I16) && !s.Bool("pot_scale_int16", true)) return 3;
      if (s.in_is(0, I8)) return 2;
      return 1;
    case kSub:
      if (s.in_is(0, I16) && s.out_is(0, I16) && !s.Bool("pot_scale_int16", true)) return 5;
      if (s.in_is(0, I64)) return 4;
      if (s.NeedBroadcast() && s.MaxInputRank() > 4) return 3;
      if (s.in_is(0, I8)) return 2;
      return 1;
    case kGatherNd:
      if (s.in_is(0, BOOL)) return 5;
      if (s.in_is(1, I16)) return 4;
      if (s.in_is(0, I16)) return 3;
      if (s.in_is(0, STR)) return 2;
      return 1;
    case kDiv:
      return s.NeedBroadcast() && s.MaxInputRank() > 4 ? 2 : 1;
    case kTanh:
    case kLogistic:
      if (s.in_is(0, I16) && s.out_is(0, I16)) return 3;
      if (s.in_is(0, I8)) return 2;
      return 1;
    case kFill:
      if (s.num_inputs() >= 2) {
        if (s.in_is(1, F16)) return 4;
        if (s.in_is(1, I8) || s.in_is(1, I16)) return 3;
        if (s.in_is(1, BOOL) || s.in_is(1, STR)) return 2;
      }
      return 1;
    case kEqual:
      if (s.in_is(0, I16)) return 4;
      if (s.in_is(0, STR)) return 3;
      if (s.in_is(0, I8)) return 2;
      return 1;
    case kNotEqual:
      if (s.in_is(0, STR)) return 3;
      if (s.in_is(0, I8)) return 2;
      return 1;
    case kLeakyRelu:
      return s.in_is(0, I16) ? 2 : 1;
    case kRange:
      return s.in_is(0, I64) ? 2 : 1;
    case kBatchMatMul:
      if (s.in_is(0, I16)) return 3;
      if (s.in_is(0, I8)) return 2;
      if (s.ins_are(F32, I8, F32) && s.Bool("asymmetric_quantize_inputs")) return 4;
      return 1;
    case kPad:
    case kPadV2:
      if (s.in_is(0, BOOL)) return 5;
      if (s.rank(0) > 4) return 4;
      if (s.in_is(0, I16)) return 3;
      if (s.in_is(0, I8)) return 2;
      return 1;
    case kConcatenation:
      if (s.in_is(0, U32)) return 4;
      if (s.in_is(0, I16)) return 3;
      if (s.in_is(0, I8)) return 2;
      return 1;
    case kSoftmax:
    case kMean:
    case kMirrorPad:
    case kReduceMax:
    case kReduceMin:
    case kRelu6:
    case kRsqrt:
      return Int16Int8(s);
    case kUnidirectionalSequenceLstm:
      if (s.in_is(0, I16) && s.in_is(2, I8) && s.out_is(0, I16)) return 5;
      if (s.Bool("diagonal_recurrent_tensors")) return 4;
      if (s.in_is(0, F32) && s.in_is(2, I8) && s.out_is(0, F32)) return s.Bool("asymmetric_quantize_inputs") ? 3 : 2;
      return 1;
    case kArgMax:
    case kArgMin:
      if (s.in_is(0, BOOL)) return 3;
      if (s.in_is(0, I8)) return 2;
      return 1;
    case kSelect:
      if (s.in_is(0, U32)) return 4;
      if (s.rank(0) == 5 || s.rank(1) == 5 || s.rank(2) == 5) return 3;
      if (s.in_is(0, I8)) return 2;
      return 1;
    case kLess:
    case kGreaterEqual:
      return Int16Int8(s);
    case kSelectV2:
      return s.in_is(0, U32) ? 2 : 1;
    case kSpaceToDepth:
    case kSplitV:
    case kSum:
    case kLogSoftmax:
    case kGreater:
    case kLessEqual:
    case kSquaredDifference:
    case kDepthToSpace:
      return s.in_is(0, I8) ? 2 : 1;
    case kTopKV2:
      if (s.in_is(0, I16) || s.in_is(1, I16) || s.out_is(1, I16)) return 3;
      if (s.in_is(0, I8)) return 2;
      return 1;
    case kExp:
    case kLog:
    case kReduceProd:
      return s.in_is(0, I8) || s.in_is(0, I16) ? 2 : 1;
    case kBroadcastTo:
      return s.in_is(0, I8) || s.in_is(0, I16) ? 3 : 2;
    case kCast:
      if (s.in_is(0, BF16) || s.out_is(0, BF16)) return 7;
      if (s.in_is(0, I4) && s.out_is(0, F32)) return 6;
      if (s.in_is(0, F64) || s.out_is(0, F64) || s.in_is(0, F16) || s.out_is(0, F16)) return 5;
      if (s.in_is(0, U16) || s.out_is(0, U16)) return 4;
      if (s.in_is(0, I8) || s.out_is(0, I8)) return 3;
      if (s.in_is(0, U32) || s.out_is(0, U32)) return 2;
      return 1;
    case kGelu:
      return s.in_is(0, I8) || s.in_is(0, U8) ? 2 : 1;
    default:
      return 1;
  }
}

}  // namespace

StatusOr<int> BuiltinVersion(const OpContext& c, int32_t builtin_code) {
  return Version(Signature(c), builtin_code);
}

}  // namespace tflc::opset_builtin
