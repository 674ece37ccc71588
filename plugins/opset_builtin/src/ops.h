// The builtin opset's op functions, by family (one .cc per family). table.cc turns them into
// TflcOpsetEntry rows.
#ifndef TFLC_PLUGINS_OPSET_BUILTIN_SRC_OPS_H_
#define TFLC_PLUGINS_OPSET_BUILTIN_SRC_OPS_H_

#include "common.h"

namespace tflc::opset_builtin {

// BuiltinOperator values (schema.fbs) of the ops this plugin defines.
enum BuiltinCode : int32_t {
  kAdd = 0, kAveragePool2D = 1, kConcatenation = 2, kConv2D = 3, kDepthwiseConv2D = 4, kDepthToSpace = 5,
  kDequantize = 6, kFloor = 8, kFullyConnected = 9, kL2Normalization = 11, kL2Pool2D = 12,
  kLocalResponseNormalization = 13, kLogistic = 14, kMaxPool2D = 17, kMul = 18, kRelu = 19, kReluN1To1 = 20,
  kRelu6 = 21, kReshape = 22, kResizeBilinear = 23, kSoftmax = 25, kSpaceToDepth = 26, kTanh = 28, kPad = 34,
  kGather = 36, kBatchToSpaceNd = 37, kSpaceToBatchNd = 38, kTranspose = 39, kMean = 40, kSub = 41, kDiv = 42,
  kSqueeze = 43, kUnidirectionalSequenceLstm = 44, kStridedSlice = 45, kExp = 47, kTopKV2 = 48, kSplit = 49,
  kLogSoftmax = 50, kCast = 53, kPrelu = 54, kMaximum = 55, kArgMax = 56, kMinimum = 57, kLess = 58, kNeg = 59,
  kPadV2 = 60, kGreater = 61, kGreaterEqual = 62, kLessEqual = 63, kSelect = 64, kSlice = 65, kSin = 66,
  kTransposeConv = 67, kTile = 69, kExpandDims = 70, kEqual = 71, kNotEqual = 72, kLog = 73, kSum = 74,
  kSqrt = 75, kRsqrt = 76, kShape = 77, kPow = 78, kArgMin = 79, kReduceProd = 81, kReduceMax = 82, kPack = 83,
  kLogicalOr = 84, kOneHot = 85, kLogicalAnd = 86, kLogicalNot = 87, kUnpack = 88, kReduceMin = 89,
  kFloorDiv = 90, kReduceAny = 91, kSquare = 92, kZerosLike = 93, kFill = 94, kFloorMod = 95, kRange = 96,
  kResizeNearestNeighbor = 97, kLeakyRelu = 98, kSquaredDifference = 99, kMirrorPad = 100, kAbs = 101,
  kSplitV = 102, kCeil = 104, kReverseV2 = 105, kAddN = 106, kGatherNd = 107, kCos = 108, kElu = 111,
  kQuantize = 114, kRound = 116, kHardSwish = 117, kSelectV2 = 123, kBatchMatMul = 126, kCumsum = 128,
  kIf = 118, kWhile = 119, kBroadcastTo = 130, kConv3D = 132, kReduceAll = 140, kRandomUniform = 148, kGelu = 150, kRelu0To1 = 152,
};

using InferFn = Status (*)(ShapeContext&);
using EvalFn = Status (*)(EvalContext&);

// ---- control_flow.cc: ops that call subgraphs
Status InferWhile(ShapeContext& c);
Status InferIf(ShapeContext& c);
Status EvalWhile(EvalContext& c);  // runs cond / body through the host (Graph_Run)
Status EvalIf(EvalContext& c);     // runs the branch the condition picks

// ---- elementwise.cc: arithmetic, comparisons, logic, math, select, cast
Status InferBinary(ShapeContext& c);         // broadcast; output type = input type
Status InferComparison(ShapeContext& c);     // broadcast; output BOOL
Status InferLogicalBinary(ShapeContext& c);  // BOOL x BOOL -> BOOL
Status InferUnary(ShapeContext& c);          // output = input
Status InferLogicalNot(ShapeContext& c);
Status InferAddN(ShapeContext& c);
Status InferSelect(ShapeContext& c);
Status InferSelectV2(ShapeContext& c);
Status InferCast(ShapeContext& c);
Status EvalAdd(EvalContext& c);
Status EvalSub(EvalContext& c);
Status EvalMul(EvalContext& c);
Status EvalDiv(EvalContext& c);
Status EvalMaximum(EvalContext& c);
Status EvalMinimum(EvalContext& c);
Status EvalSquaredDifference(EvalContext& c);
Status EvalPow(EvalContext& c);
Status EvalFloorDiv(EvalContext& c);
Status EvalFloorMod(EvalContext& c);
Status EvalAddN(EvalContext& c);
Status EvalEqual(EvalContext& c);
Status EvalNotEqual(EvalContext& c);
Status EvalLess(EvalContext& c);
Status EvalLessEqual(EvalContext& c);
Status EvalGreater(EvalContext& c);
Status EvalGreaterEqual(EvalContext& c);
Status EvalLogicalAnd(EvalContext& c);
Status EvalLogicalOr(EvalContext& c);
Status EvalLogicalNot(EvalContext& c);
Status EvalSelect(EvalContext& c);
Status EvalSelectV2(EvalContext& c);
Status EvalExp(EvalContext& c);
Status EvalLog(EvalContext& c);
Status EvalSqrt(EvalContext& c);
Status EvalRsqrt(EvalContext& c);
Status EvalSquare(EvalContext& c);
Status EvalAbs(EvalContext& c);
Status EvalNeg(EvalContext& c);
Status EvalFloor(EvalContext& c);
Status EvalCeil(EvalContext& c);
Status EvalRound(EvalContext& c);
Status EvalSin(EvalContext& c);
Status EvalCos(EvalContext& c);
Status EvalZerosLike(EvalContext& c);
Status EvalCast(EvalContext& c);

// ---- activation.cc
Status EvalRelu(EvalContext& c);
Status EvalRelu6(EvalContext& c);
Status EvalReluN1To1(EvalContext& c);
Status EvalRelu0To1(EvalContext& c);
Status EvalLeakyRelu(EvalContext& c);
Status EvalElu(EvalContext& c);
Status EvalLogistic(EvalContext& c);
Status EvalTanh(EvalContext& c);
Status EvalGelu(EvalContext& c);
Status EvalHardSwish(EvalContext& c);
Status InferPrelu(ShapeContext& c);
Status EvalPrelu(EvalContext& c);
Status InferSoftmax(ShapeContext& c);    // needs beta; rank >= 1
Status InferLastAxis(ShapeContext& c);   // LOG_SOFTMAX, L2_NORMALIZATION: rank >= 1
Status EvalSoftmax(EvalContext& c);
Status EvalLogSoftmax(EvalContext& c);
Status EvalL2Normalization(EvalContext& c);
Status InferLocalResponseNorm(ShapeContext& c);
Status EvalLocalResponseNorm(EvalContext& c);

// ---- conv.cc
Status InferConv2D(ShapeContext& c);
Status EvalConv2D(EvalContext& c);
Status InferDepthwiseConv2D(ShapeContext& c);
Status EvalDepthwiseConv2D(EvalContext& c);
Status InferTransposeConv(ShapeContext& c);
Status EvalTransposeConv(EvalContext& c);
Status InferFullyConnected(ShapeContext& c);
Status EvalFullyConnected(EvalContext& c);
Status InferBatchMatMul(ShapeContext& c);
Status EvalBatchMatMul(EvalContext& c);

// ---- pool.cc
Status InferPool2D(ShapeContext& c);
Status EvalAveragePool2D(EvalContext& c);
Status EvalMaxPool2D(EvalContext& c);
Status EvalL2Pool2D(EvalContext& c);

// ---- reduce.cc
Status InferReduce(ShapeContext& c);
Status EvalMean(EvalContext& c);
Status EvalSum(EvalContext& c);
Status EvalReduceMax(EvalContext& c);
Status EvalReduceMin(EvalContext& c);
Status EvalReduceProd(EvalContext& c);
Status EvalReduceAny(EvalContext& c);
Status EvalReduceAll(EvalContext& c);
Status InferArgMinMax(ShapeContext& c);
Status EvalArgMax(EvalContext& c);
Status EvalArgMin(EvalContext& c);
Status InferCumsum(ShapeContext& c);
Status EvalCumsum(EvalContext& c);
Status InferTopK(ShapeContext& c);
Status EvalTopK(EvalContext& c);

// ---- shape_ops.cc: reshape family, transpose, concat/pack/unpack/split, tile, fill...
Status EvalCopy(EvalContext& c);  // RESHAPE / SQUEEZE / EXPAND_DIMS: same bytes, new shape
Status InferReshape(ShapeContext& c);
Status InferSqueeze(ShapeContext& c);
Status InferExpandDims(ShapeContext& c);
Status InferTranspose(ShapeContext& c);
Status EvalTranspose(EvalContext& c);
Status InferConcatenation(ShapeContext& c);
Status EvalConcatenation(EvalContext& c);
Status InferPack(ShapeContext& c);
Status EvalPack(EvalContext& c);
Status InferUnpack(ShapeContext& c);
Status EvalUnpack(EvalContext& c);
Status InferSplit(ShapeContext& c);
Status EvalSplit(EvalContext& c);
Status InferSplitV(ShapeContext& c);
Status EvalSplitV(EvalContext& c);
Status InferTile(ShapeContext& c);
Status EvalTile(EvalContext& c);
Status InferConv3D(ShapeContext& c);  // conv.cc
Status EvalConv3D(EvalContext& c);
Status InferBroadcastTo(ShapeContext& c);
Status EvalBroadcastTo(EvalContext& c);
Status InferShapeOp(ShapeContext& c);
Status EvalShapeOp(EvalContext& c);
Status InferFill(ShapeContext& c);
Status InferRandomUniform(ShapeContext& c);
Status EvalFill(EvalContext& c);
Status InferRange(ShapeContext& c);
Status EvalRange(EvalContext& c);
Status InferReverseV2(ShapeContext& c);
Status EvalReverseV2(EvalContext& c);
Status InferOneHot(ShapeContext& c);
Status EvalOneHot(EvalContext& c);

// ---- slice.cc
Status InferSlice(ShapeContext& c);
Status EvalSlice(EvalContext& c);
Status InferStridedSlice(ShapeContext& c);
Status EvalStridedSlice(EvalContext& c);
Status InferGather(ShapeContext& c);
Status EvalGather(EvalContext& c);
Status InferGatherNd(ShapeContext& c);
Status EvalGatherNd(EvalContext& c);

// ---- pad.cc
Status InferPad(ShapeContext& c);  // PAD, PADV2
Status EvalPad(EvalContext& c);
Status EvalPadV2(EvalContext& c);
Status InferMirrorPad(ShapeContext& c);
Status EvalMirrorPad(EvalContext& c);

// ---- spatial.cc
Status InferSpaceToDepth(ShapeContext& c);
Status EvalSpaceToDepth(EvalContext& c);
Status InferDepthToSpace(ShapeContext& c);
Status EvalDepthToSpace(EvalContext& c);
Status InferSpaceToBatchNd(ShapeContext& c);
Status EvalSpaceToBatchNd(EvalContext& c);
Status InferBatchToSpaceNd(ShapeContext& c);
Status EvalBatchToSpaceNd(EvalContext& c);
Status InferResize(ShapeContext& c);
Status EvalResizeBilinear(EvalContext& c);
Status EvalResizeNearestNeighbor(EvalContext& c);

// ---- quant.cc
Status InferQuantize(ShapeContext& c);
Status EvalQuantize(EvalContext& c);
Status InferDequantize(ShapeContext& c);
Status EvalDequantize(EvalContext& c);

// ---- rnn.cc
Status InferUnidirectionalSequenceLstm(ShapeContext& c);
Status EvalUnidirectionalSequenceLstm(EvalContext& c);

// ---- version.cc: the op version of a node from its signature (op_version.cc).
StatusOr<int> BuiltinVersion(const OpContext& c, int32_t builtin_code);

}  // namespace tflc::opset_builtin

#endif  // TFLC_PLUGINS_OPSET_BUILTIN_SRC_OPS_H_
