// The lower_builtin plugin: TF raw ops (and tflc composites) → TFLite builtin ops.
//
// The table in lowerings.cc is the registration; the callbacks live in family files.
#ifndef TFLC_PLUGINS_LOWER_BUILTIN_SRC_LOWERINGS_H_
#define TFLC_PLUGINS_LOWER_BUILTIN_SRC_LOWERINGS_H_

#include <cstddef>
#include <cstdint>

#include "tflc/abi/tflc_plugin.h"

extern "C" const TflcPluginApi* TflcLowerBuiltin_Query(const TflcPluginQuery_Args* args);

namespace tflc::lower_builtin {

// The sorted table (by source op, then target op) and its size.
const TflcLoweringEntry* Rows();
size_t NumRows();

// user_data of rows lowered by LowerSimple: a 1:1 mapping to one builtin op.
struct SimpleSpec {
  const char* op;              // builtin op emitted
  int32_t num_inputs;          // leading source inputs forwarded in order; -1 = all of them
  uint32_t int32_inputs;       // bit i: input i is a shape/axis operand, CAST to INT32 when INT64
  bool fused_activation;       // set fused_activation_function = NONE
};

// ---- generic (elementwise.cc) ----
TflcStatus* LowerSimple(TflcLowerNode_Args* args);        // user_data: const SimpleSpec*
TflcStatus* LowerBiasAdd(TflcLowerNode_Args* args);
TflcStatus* LowerAddN(TflcLowerNode_Args* args);
TflcStatus* LowerComparison(TflcLowerNode_Args* args);    // user_data: const SimpleSpec*
TflcStatus* LowerSelectV2(TflcLowerNode_Args* args);
TflcStatus* LowerCast(TflcLowerNode_Args* args);

// ---- conv.cc ----
TflcStatus* LowerConv2D(TflcLowerNode_Args* args);
TflcStatus* LowerConv3D(TflcLowerNode_Args* args);
TflcStatus* LowerDepthwiseConv2D(TflcLowerNode_Args* args);
TflcStatus* LowerConv2DBackpropInput(TflcLowerNode_Args* args);
TflcStatus* LowerPool2D(TflcLowerNode_Args* args);         // user_data: const SimpleSpec*

// ---- matmul.cc ----
TflcStatus* LowerMatMul(TflcLowerNode_Args* args);
TflcStatus* LowerBatchMatMul(TflcLowerNode_Args* args);

// ---- einsum.cc ----
TflcStatus* LowerEinsum(TflcLowerNode_Args* args);         // emits TF ops lowered by other rows

// ---- activation.cc ----
TflcStatus* LowerRelu(TflcLowerNode_Args* args);
TflcStatus* LowerLeakyRelu(TflcLowerNode_Args* args);
TflcStatus* LowerSelu(TflcLowerNode_Args* args);
TflcStatus* LowerSoftmax(TflcLowerNode_Args* args);
TflcStatus* LowerSoftplus(TflcLowerNode_Args* args);
TflcStatus* LowerPRelu(TflcLowerNode_Args* args);
TflcStatus* LowerGelu(TflcLowerNode_Args* args);

// ---- reduce.cc ----
TflcStatus* LowerReduce(TflcLowerNode_Args* args);         // user_data: const SimpleSpec*
TflcStatus* LowerArgMinMax(TflcLowerNode_Args* args);      // user_data: const SimpleSpec*

// ---- shape_ops.cc ----
TflcStatus* LowerSqueeze(TflcLowerNode_Args* args);
TflcStatus* LowerConcatV2(TflcLowerNode_Args* args);
TflcStatus* LowerPack(TflcLowerNode_Args* args);
TflcStatus* LowerUnpack(TflcLowerNode_Args* args);
TflcStatus* LowerSplit(TflcLowerNode_Args* args);
TflcStatus* LowerSplitV(TflcLowerNode_Args* args);
TflcStatus* LowerStridedSlice(TflcLowerNode_Args* args);
TflcStatus* LowerMirrorPad(TflcLowerNode_Args* args);
TflcStatus* LowerGather(TflcLowerNode_Args* args);
TflcStatus* LowerGatherV2(TflcLowerNode_Args* args);
TflcStatus* LowerShape(TflcLowerNode_Args* args);
TflcStatus* LowerResize(TflcLowerNode_Args* args);         // user_data: const SimpleSpec*
TflcStatus* LowerSpaceDepth(TflcLowerNode_Args* args);     // user_data: const SimpleSpec*

// ---- control_flow.cc: If/While → IF/WHILE with subgraphs, TensorLists → tensors ----
TflcStatus* LowerIf(TflcLowerNode_Args* args);
TflcStatus* LowerWhile(TflcLowerNode_Args* args);
TflcStatus* LowerCall(TflcLowerNode_Args* args);  // PartitionedCall kept by the frontend (Keras RNN fusion)
TflcStatus* LowerTensorListReserve(TflcLowerNode_Args* args);  // also EmptyTensorList
TflcStatus* LowerTensorListFromTensor(TflcLowerNode_Args* args);
TflcStatus* LowerTensorListGetItem(TflcLowerNode_Args* args);
TflcStatus* LowerTensorListSetItem(TflcLowerNode_Args* args);
TflcStatus* LowerTensorListStack(TflcLowerNode_Args* args);
TflcStatus* LowerTensorListLength(TflcLowerNode_Args* args);
TflcStatus* LowerTensorListElementShape(TflcLowerNode_Args* args);
TflcStatus* LowerTensorListPushBack(TflcLowerNode_Args* args);
TflcStatus* LowerTensorListPopBack(TflcLowerNode_Args* args);

// ---- misc.cc ----
TflcStatus* LowerIdentity(TflcLowerNode_Args* args);       // Identity & co: removed
TflcStatus* LowerFusedBatchNorm(TflcLowerNode_Args* args);
TflcStatus* LowerOneHot(TflcLowerNode_Args* args);
TflcStatus* LowerTopKV2(TflcLowerNode_Args* args);
TflcStatus* LowerCumsum(TflcLowerNode_Args* args);
TflcStatus* LowerLRN(TflcLowerNode_Args* args);
TflcStatus* LowerRandomUniform(TflcLowerNode_Args* args);

// ---- rnn.cc ----
TflcStatus* LowerLSTM(TflcLowerNode_Args* args);
TflcStatus* LowerGRU(TflcLowerNode_Args* args);
TflcStatus* LowerSimpleRNN(TflcLowerNode_Args* args);

}  // namespace tflc::lower_builtin

#endif  // TFLC_PLUGINS_LOWER_BUILTIN_SRC_LOWERINGS_H_
