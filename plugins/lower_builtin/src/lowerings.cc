// The lower_builtin table: one row per TF op (or tflc composite) → TFLite builtin.
//
// Rows are sorted by source op (strcmp order); the unit tests check that. Versions are the range
// of the emitted op's versions the row is meant for (the host computes the actual version).
#include "lowerings.h"

#include "tflc/sdk/plugin.h"

namespace tflc::lower_builtin {
namespace {

using LowerFn = TflcStatus* (*)(TflcLowerNode_Args*);

constexpr TflcLoweringEntry R(const char* source_op, const char* target_op, int32_t max_version, LowerFn lower,
                              const char* note, const SimpleSpec* spec = nullptr) {
  return sdk::Row(source_op, TFLC_TARGET_BUILTIN, target_op, /*min_version=*/1, max_version, /*priority=*/0,
                  lower, /*match=*/nullptr, note, const_cast<SimpleSpec*>(spec));
}

// ---- 1:1 specs: {builtin, inputs forwarded (-1 = all), INT32 operand bits, fused activation} ----
// binary arithmetic
constexpr SimpleSpec kAdd{"ADD", 2, 0, true};
constexpr SimpleSpec kSub{"SUB", 2, 0, true};
constexpr SimpleSpec kMul{"MUL", 2, 0, true};
constexpr SimpleSpec kDiv{"DIV", 2, 0, true};
constexpr SimpleSpec kFloorDiv{"FLOOR_DIV", 2, 0, false};
constexpr SimpleSpec kFloorMod{"FLOOR_MOD", 2, 0, false};
constexpr SimpleSpec kMaximum{"MAXIMUM", 2, 0, false};
constexpr SimpleSpec kMinimum{"MINIMUM", 2, 0, false};
constexpr SimpleSpec kSquaredDifference{"SQUARED_DIFFERENCE", 2, 0, false};
constexpr SimpleSpec kPow{"POW", 2, 0, false};
// comparisons and logic
constexpr SimpleSpec kEqual{"EQUAL", 2, 0, false};
constexpr SimpleSpec kNotEqual{"NOT_EQUAL", 2, 0, false};
constexpr SimpleSpec kLess{"LESS", 2, 0, false};
constexpr SimpleSpec kLessEqual{"LESS_EQUAL", 2, 0, false};
constexpr SimpleSpec kGreater{"GREATER", 2, 0, false};
constexpr SimpleSpec kGreaterEqual{"GREATER_EQUAL", 2, 0, false};
constexpr SimpleSpec kLogicalAnd{"LOGICAL_AND", 2, 0, false};
constexpr SimpleSpec kLogicalOr{"LOGICAL_OR", 2, 0, false};
constexpr SimpleSpec kLogicalNot{"LOGICAL_NOT", 1, 0, false};
constexpr SimpleSpec kSelect{"SELECT", 3, 0, false};
// unary math and activations
constexpr SimpleSpec kRelu6{"RELU6", 1, 0, false};
constexpr SimpleSpec kElu{"ELU", 1, 0, false};
constexpr SimpleSpec kLogistic{"LOGISTIC", 1, 0, false};
constexpr SimpleSpec kTanh{"TANH", 1, 0, false};
constexpr SimpleSpec kLogSoftmax{"LOG_SOFTMAX", 1, 0, false};
constexpr SimpleSpec kExp{"EXP", 1, 0, false};
constexpr SimpleSpec kLog{"LOG", 1, 0, false};
constexpr SimpleSpec kSqrt{"SQRT", 1, 0, false};
constexpr SimpleSpec kRsqrt{"RSQRT", 1, 0, false};
constexpr SimpleSpec kSquare{"SQUARE", 1, 0, false};
constexpr SimpleSpec kAbs{"ABS", 1, 0, false};
constexpr SimpleSpec kNeg{"NEG", 1, 0, false};
constexpr SimpleSpec kFloor{"FLOOR", 1, 0, false};
constexpr SimpleSpec kCeil{"CEIL", 1, 0, false};
constexpr SimpleSpec kRound{"ROUND", 1, 0, false};
constexpr SimpleSpec kSin{"SIN", 1, 0, false};
constexpr SimpleSpec kCos{"COS", 1, 0, false};
constexpr SimpleSpec kZerosLike{"ZEROS_LIKE", 1, 0, false};
// shape / layout (bit i of the third field: input i is a shape operand made INT32)
constexpr SimpleSpec kReshape{"RESHAPE", 2, 0b10, false};
constexpr SimpleSpec kExpandDims{"EXPAND_DIMS", 2, 0b10, false};
constexpr SimpleSpec kTranspose{"TRANSPOSE", 2, 0b10, false};
constexpr SimpleSpec kSlice{"SLICE", 3, 0b110, false};
constexpr SimpleSpec kPad{"PAD", 2, 0b10, false};
constexpr SimpleSpec kPadV2{"PADV2", 3, 0b10, false};
constexpr SimpleSpec kTile{"TILE", 2, 0b10, false};
constexpr SimpleSpec kGatherNd{"GATHER_ND", 2, 0, false};
constexpr SimpleSpec kFill{"FILL", 2, 0b01, false};
constexpr SimpleSpec kRange{"RANGE", 3, 0, false};
constexpr SimpleSpec kBroadcastTo{"BROADCAST_TO", 2, 0b10, false};
constexpr SimpleSpec kReverseV2{"REVERSE_V2", 2, 0b10, false};
constexpr SimpleSpec kSpaceToBatchND{"SPACE_TO_BATCH_ND", 3, 0b110, false};
constexpr SimpleSpec kBatchToSpaceND{"BATCH_TO_SPACE_ND", 3, 0b110, false};
// ops with their own callback that take the builtin name from the spec
constexpr SimpleSpec kMean{"MEAN", 2, 0b10, false};
constexpr SimpleSpec kSum{"SUM", 2, 0b10, false};
constexpr SimpleSpec kReduceMax{"REDUCE_MAX", 2, 0b10, false};
constexpr SimpleSpec kReduceMin{"REDUCE_MIN", 2, 0b10, false};
constexpr SimpleSpec kReduceProd{"REDUCE_PROD", 2, 0b10, false};
constexpr SimpleSpec kReduceAny{"REDUCE_ANY", 2, 0b10, false};
constexpr SimpleSpec kReduceAll{"REDUCE_ALL", 2, 0b10, false};
constexpr SimpleSpec kArgMax{"ARG_MAX", 2, 0, false};
constexpr SimpleSpec kArgMin{"ARG_MIN", 2, 0, false};
constexpr SimpleSpec kMaxPool{"MAX_POOL_2D", 1, 0, true};
constexpr SimpleSpec kAvgPool{"AVERAGE_POOL_2D", 1, 0, true};
constexpr SimpleSpec kResizeBilinear{"RESIZE_BILINEAR", 2, 0b10, false};
constexpr SimpleSpec kResizeNearest{"RESIZE_NEAREST_NEIGHBOR", 2, 0b10, false};
constexpr SimpleSpec kSpaceToDepth{"SPACE_TO_DEPTH", 1, 0, false};
constexpr SimpleSpec kDepthToSpace{"DEPTH_TO_SPACE", 1, 0, false};

// Rows whose node is removed (its uses are redirected to its input) emit no op.
constexpr const char* kNoOp = "(none)";
constexpr const char* kRemoved = "removed: an inference no-op, its uses are redirected to its input";

constexpr TflcLoweringEntry kRows[] = {
    // clang-format off
    //  source op                  target op                      max  callback                  note
    R("Abs",                       "ABS",                          5, LowerSimple,               "elementwise absolute value", &kAbs),
    R("Add",                       "ADD",                          5, LowerSimple,               "elementwise add (broadcasting); activation fused later", &kAdd),
    R("AddN",                      "ADD_N",                        1, LowerAddN,                 "sum of N tensors; a single input is forwarded"),
    R("AddV2",                     "ADD",                          5, LowerSimple,               "elementwise add (broadcasting); activation fused later", &kAdd),
    R("All",                       "REDUCE_ALL",                   1, LowerReduce,               "logical-and reduction over constant axes (keep_dims)", &kReduceAll),
    R("Any",                       "REDUCE_ANY",                   1, LowerReduce,               "logical-or reduction over constant axes (keep_dims)", &kReduceAny),
    R("ArgMax",                    "ARG_MAX",                      3, LowerArgMinMax,            "index of the maximum along an axis (output_type INT32/INT64)", &kArgMax),
    R("ArgMin",                    "ARG_MIN",                      3, LowerArgMinMax,            "index of the minimum along an axis (output_type INT32/INT64)", &kArgMin),
    R("AvgPool",                   "AVERAGE_POOL_2D",              3, LowerPool2D,               "2-D average pooling, NHWC, SAME/VALID", &kAvgPool),
    R("BatchMatMul",               "BATCH_MATMUL",                 4, LowerBatchMatMul,          "batched matrix product with adj_x/adj_y"),
    R("BatchMatMulV2",             "BATCH_MATMUL",                 4, LowerBatchMatMul,          "batched matrix product with adj_x/adj_y (broadcasting batch)"),
    R("BatchMatMulV3",             "BATCH_MATMUL",                 4, LowerBatchMatMul,          "batched matrix product with adj_x/adj_y (Tout = input type)"),
    R("BatchToSpaceND",            "BATCH_TO_SPACE_ND",            4, LowerSimple,               "batch to spatial blocks with crops", &kBatchToSpaceND),
    R("BiasAdd",                   "ADD",                          5, LowerBiasAdd,              "bias add (NHWC); fused into a preceding CONV/FC bias by the host"),
    R("BroadcastTo",               "BROADCAST_TO",                 3, LowerSimple,               "broadcast to a shape", &kBroadcastTo),
    R("Cast",                      "CAST",                         6, LowerCast,                 "element type conversion (in_data_type/out_data_type)"),
    R("Ceil",                      "CEIL",                         1, LowerSimple,               "elementwise ceil", &kCeil),
    R("CheckNumerics",             kNoOp,                           1, LowerIdentity,             kRemoved),
    R("ConcatV2",                  "CONCATENATION",                4, LowerConcatV2,             "concatenation along a constant axis"),
    R("Conv2D",                    "CONV_2D",                      8, LowerConv2D,               "2-D convolution, NHWC; filter HWIO→OHWI by TRANSPOSE, zero bias; EXPLICIT padding → PAD + VALID"),
    R("Conv2DBackpropInput",       "TRANSPOSE_CONV",               5, LowerConv2DBackpropInput,  "transposed convolution, NHWC; filter [H,W,O,I]→OHWI by TRANSPOSE, bias omitted"),
    R("Conv3D",                    "CONV_3D",                      1, LowerConv3D,               "3-D convolution, NDHWC; filter kept as DHWIO (TFLite's layout), zero bias"),
    R("Cos",                       "COS",                          1, LowerSimple,               "elementwise cosine", &kCos),
    R("Cumsum",                    "CUMSUM",                       1, LowerCumsum,               "cumulative sum (exclusive, reverse)"),
    R("DepthToSpace",              "DEPTH_TO_SPACE",               2, LowerSpaceDepth,           "depth to spatial blocks, NHWC", &kDepthToSpace),
    R("DepthwiseConv2dNative",     "DEPTHWISE_CONV_2D",            7, LowerDepthwiseConv2D,      "depthwise convolution, NHWC; filter [H,W,C,M] RESHAPE→[1,H,W,C·M], depth_multiplier M, zero bias"),
    R("Div",                       "DIV",                          2, LowerSimple,               "elementwise division", &kDiv),
    R("Einsum",                    "BATCH_MATMUL",                 4, LowerEinsum,               "einsum of 1 or 2 operands → TF Transpose/Reshape + BatchMatMulV2 (MatMul → FULLY_CONNECTED for a constant operand without batch letters; Mul without contracted letters), Sum/Mul for reductions and diagonals"),
    R("Elu",                       "ELU",                          1, LowerSimple,               "exponential linear unit", &kElu),
    R("EmptyTensorList",           kNoOp,                           1, LowerTensorListReserve,    "a TensorList with no elements → a zero-length tensor [0, element_shape...]"),
    R("Equal",                     "EQUAL",                        4, LowerComparison,           "elementwise == (broadcasting)", &kEqual),
    R("Exp",                       "EXP",                          2, LowerSimple,               "elementwise e^x", &kExp),
    R("ExpandDims",                "EXPAND_DIMS",                  1, LowerSimple,               "insert a size-1 dimension", &kExpandDims),
    R("Fill",                      "FILL",                         4, LowerSimple,               "tensor of a shape filled with a scalar", &kFill),
    R("Floor",                     "FLOOR",                        1, LowerSimple,               "elementwise floor", &kFloor),
    R("FloorDiv",                  "FLOOR_DIV",                    3, LowerSimple,               "elementwise floor division", &kFloorDiv),
    R("FloorMod",                  "FLOOR_MOD",                    2, LowerSimple,               "elementwise floor modulo", &kFloorMod),
    R("FusedBatchNorm",            "MUL",                          7, LowerFusedBatchNorm,       "inference batch norm → MUL + ADD (constants precomputed; folded into a preceding conv)"),
    R("FusedBatchNormV2",          "MUL",                          7, LowerFusedBatchNorm,       "inference batch norm → MUL + ADD (constants precomputed; folded into a preceding conv)"),
    R("FusedBatchNormV3",          "MUL",                          7, LowerFusedBatchNorm,       "inference batch norm → MUL + ADD (constants precomputed; folded into a preceding conv)"),
    R("Gather",                    "GATHER",                       7, LowerGather,               "gather along axis 0"),
    R("GatherNd",                  "GATHER_ND",                    5, LowerSimple,               "gather slices by N-d indices", &kGatherNd),
    R("GatherV2",                  "GATHER",                       7, LowerGatherV2,             "gather along a constant axis (batch_dims)"),
    R("Greater",                   "GREATER",                      2, LowerSimple,               "elementwise > (broadcasting)", &kGreater),
    R("GreaterEqual",              "GREATER_EQUAL",                2, LowerSimple,               "elementwise >= (broadcasting)", &kGreaterEqual),
    R("Identity",                  kNoOp,                           1, LowerIdentity,             kRemoved),
    R("IdentityN",                 kNoOp,                           1, LowerIdentity,             kRemoved),
    R("If",                        "IF",                           1, LowerIf,                   "conditional with then/else subgraphs (non-bool cond → NOT_EQUAL 0); a constant cond inlines its branch"),
    R("LRN",                       "LOCAL_RESPONSE_NORMALIZATION", 1, LowerLRN,                  "local response normalization (depth_radius, bias, alpha, beta)"),
    R("LeakyRelu",                 "LEAKY_RELU",                   2, LowerLeakyRelu,            "leaky ReLU (alpha)"),
    R("Less",                      "LESS",                         2, LowerSimple,               "elementwise < (broadcasting)", &kLess),
    R("LessEqual",                 "LESS_EQUAL",                   2, LowerSimple,               "elementwise <= (broadcasting)", &kLessEqual),
    R("Log",                       "LOG",                          2, LowerSimple,               "elementwise natural log", &kLog),
    R("LogSoftmax",                "LOG_SOFTMAX",                  2, LowerSimple,               "log-softmax over the last axis", &kLogSoftmax),
    R("LogicalAnd",                "LOGICAL_AND",                  1, LowerSimple,               "elementwise logical and", &kLogicalAnd),
    R("LogicalNot",                "LOGICAL_NOT",                  1, LowerSimple,               "elementwise logical not", &kLogicalNot),
    R("LogicalOr",                 "LOGICAL_OR",                   1, LowerSimple,               "elementwise logical or", &kLogicalOr),
    R("MatMul",                    "FULLY_CONNECTED",             12, LowerMatMul,               "matrix product → FULLY_CONNECTED(a, TRANSPOSE(b) = [out,in]), bias omitted (fused later)"),
    R("Max",                       "REDUCE_MAX",                   3, LowerReduce,               "max reduction over constant axes (keep_dims)", &kReduceMax),
    R("MaxPool",                   "MAX_POOL_2D",                  3, LowerPool2D,               "2-D max pooling, NHWC, SAME/VALID", &kMaxPool),
    R("Maximum",                   "MAXIMUM",                      4, LowerSimple,               "elementwise maximum (broadcasting)", &kMaximum),
    R("Mean",                      "MEAN",                         3, LowerReduce,               "mean over constant axes (keep_dims)", &kMean),
    R("Min",                       "REDUCE_MIN",                   3, LowerReduce,               "min reduction over constant axes (keep_dims)", &kReduceMin),
    R("Minimum",                   "MINIMUM",                      4, LowerSimple,               "elementwise minimum (broadcasting)", &kMinimum),
    R("MirrorPad",                 "MIRROR_PAD",                   3, LowerMirrorPad,            "reflect/symmetric padding"),
    R("Mul",                       "MUL",                          7, LowerSimple,               "elementwise multiply (broadcasting)", &kMul),
    R("Neg",                       "NEG",                          2, LowerSimple,               "elementwise negation", &kNeg),
    R("NoOp",                      kNoOp,                           1, LowerIdentity,             kRemoved),
    R("NotEqual",                  "NOT_EQUAL",                    4, LowerComparison,           "elementwise != (broadcasting)", &kNotEqual),
    R("OneHot",                    "ONE_HOT",                      1, LowerOneHot,               "one-hot encoding (axis)"),
    R("Pack",                      "PACK",                         4, LowerPack,                 "stack N tensors along a new axis"),
    R("Pad",                       "PAD",                          4, LowerSimple,               "zero padding", &kPad),
    R("PadV2",                     "PADV2",                        4, LowerSimple,               "constant-value padding", &kPadV2),
    R("PartitionedCall",           "UNIDIRECTIONAL_SEQUENCE_LSTM", 4, LowerCall,                 "a kept call: a Keras 2 LSTM/GRU layer function (api_implements lstm_*/gru_*) → tflc.LSTM / tflc.GRU; else the function inlined"),
    R("Pow",                       "POW",                          1, LowerSimple,               "elementwise power", &kPow),
    R("PreventGradient",           kNoOp,                           1, LowerIdentity,             kRemoved),
    R("Prod",                      "REDUCE_PROD",                  2, LowerReduce,               "product reduction over constant axes (keep_dims)", &kReduceProd),
    R("RandomUniform",             "RANDOM_UNIFORM",               1, LowerRandomUniform,        "uniform random floats in [0, 1) of a shape (seed, seed2); never folded"),
    R("Range",                     "RANGE",                        2, LowerSimple,               "arithmetic sequence", &kRange),
    R("RealDiv",                   "DIV",                          2, LowerSimple,               "elementwise division", &kDiv),
    R("Relu",                      "RELU",                         3, LowerRelu,                 "ReLU; integer inputs → MAXIMUM(x, 0)"),
    R("Relu6",                     "RELU6",                        3, LowerSimple,               "ReLU clipped at 6", &kRelu6),
    R("Reshape",                   "RESHAPE",                      1, LowerSimple,               "reshape to a shape tensor (INT32)", &kReshape),
    R("ResizeBilinear",            "RESIZE_BILINEAR",              4, LowerResize,               "bilinear resize (align_corners, half_pixel_centers)", &kResizeBilinear),
    R("ResizeNearestNeighbor",     "RESIZE_NEAREST_NEIGHBOR",      4, LowerResize,               "nearest-neighbour resize (align_corners, half_pixel_centers)", &kResizeNearest),
    R("ReverseV2",                 "REVERSE_V2",                   3, LowerSimple,               "reverse along axes", &kReverseV2),
    R("Round",                     "ROUND",                        1, LowerSimple,               "elementwise round half to even", &kRound),
    R("Rsqrt",                     "RSQRT",                        3, LowerSimple,               "elementwise 1/sqrt(x)", &kRsqrt),
    R("Select",                    "SELECT",                       4, LowerSimple,               "elementwise choice by a condition (same shapes)", &kSelect),
    R("SelectV2",                  "SELECT_V2",                    2, LowerSelectV2,             "broadcasting choice by a condition (SELECT when shapes match)"),
    R("Selu",                      "ELU",                          1, LowerSelu,                 "decomposed: scale·alpha·ELU(x) + scale·(1−alpha)·RELU(x)"),
    R("Shape",                     "SHAPE",                        1, LowerShape,                "shape of a tensor (out_type INT32/INT64)"),
    R("Sigmoid",                   "LOGISTIC",                     3, LowerSimple,               "logistic sigmoid", &kLogistic),
    R("Sin",                       "SIN",                          1, LowerSimple,               "elementwise sine", &kSin),
    R("Slice",                     "SLICE",                        6, LowerSimple,               "slice by begin and size", &kSlice),
    R("Snapshot",                  kNoOp,                           1, LowerIdentity,             kRemoved),
    R("Softmax",                   "SOFTMAX",                      3, LowerSoftmax,              "softmax over the last axis (beta 1)"),
    R("Softplus",                  "LOG",                          1, LowerSoftplus,             "decomposed: LOG(ADD(EXP(x), 1)) as TF's converter does"),
    R("SpaceToBatchND",            "SPACE_TO_BATCH_ND",            4, LowerSimple,               "spatial blocks to batch with paddings", &kSpaceToBatchND),
    R("SpaceToDepth",              "SPACE_TO_DEPTH",               2, LowerSpaceDepth,           "spatial blocks to depth, NHWC", &kSpaceToDepth),
    R("Split",                     "SPLIT",                        4, LowerSplit,                "split into equal parts along an axis"),
    R("SplitV",                    "SPLIT_V",                      2, LowerSplitV,               "split into given sizes along an axis"),
    R("Sqrt",                      "SQRT",                         1, LowerSimple,               "elementwise square root", &kSqrt),
    R("Square",                    "SQUARE",                       1, LowerSimple,               "elementwise x²", &kSquare),
    R("SquaredDifference",         "SQUARED_DIFFERENCE",           2, LowerSimple,               "elementwise (x − y)²", &kSquaredDifference),
    R("Squeeze",                   "SQUEEZE",                      2, LowerSqueeze,              "remove size-1 dimensions (squeeze_dims)"),
    R("StatefulPartitionedCall",   "UNIDIRECTIONAL_SEQUENCE_LSTM", 4, LowerCall,                 "a kept call: a Keras 2 LSTM/GRU layer function (api_implements lstm_*/gru_*) → tflc.LSTM / tflc.GRU; else the function inlined"),
    R("StatelessIf",               "IF",                           1, LowerIf,                   "conditional with then/else subgraphs (non-bool cond → NOT_EQUAL 0); a constant cond inlines its branch"),
    R("StatelessWhile",            "WHILE",                        1, LowerWhile,                "loop with cond/body subgraphs; loop variables keep their shapes"),
    R("StopGradient",              kNoOp,                           1, LowerIdentity,             kRemoved),
    R("StridedSlice",              "STRIDED_SLICE",                8, LowerStridedSlice,         "strided slice with masks; ellipsis/new-axis rewritten away when the rank is known"),
    R("Sub",                       "SUB",                          5, LowerSimple,               "elementwise subtract (broadcasting)", &kSub),
    R("Sum",                       "SUM",                          2, LowerReduce,               "sum over constant axes (keep_dims)", &kSum),
    R("Tanh",                      "TANH",                         3, LowerSimple,               "hyperbolic tangent", &kTanh),
    R("TensorListElementShape",    kNoOp,                           1, LowerTensorListElementShape, "the (static) element shape as a constant"),
    R("TensorListFromTensor",      kNoOp,                           1, LowerTensorListFromTensor, "a list of a tensor's rows → the tensor itself"),
    R("TensorListGetItem",         "GATHER",                       7, LowerTensorListGetItem,    "element i of a list → GATHER on axis 0"),
    R("TensorListLength",          kNoOp,                           1, LowerTensorListLength,     "the (static) length as a constant"),
    R("TensorListPopBack",         "SLICE",                        6, LowerTensorListPopBack,    "last element and the rest → two SLICEs"),
    R("TensorListPushBack",        "CONCATENATION",                4, LowerTensorListPushBack,   "append an element → CONCATENATION on axis 0 (outside loops)"),
    R("TensorListReserve",         kNoOp,                           1, LowerTensorListReserve,    "a list of n elements with a static element shape (leading -1 = batch 1) → zeros [n, element_shape...]"),
    R("TensorListSetItem",         "SELECT_V2",                    2, LowerTensorListSetItem,    "replace element i → SELECT_V2(RANGE(n) == i, item, list): static shapes, no dynamic slicing"),
    R("TensorListStack",           kNoOp,                           1, LowerTensorListStack,      "the list as one tensor [n, element_shape...] → the list tensor itself"),
    R("Tile",                      "TILE",                         3, LowerSimple,               "repeat a tensor along each axis", &kTile),
    R("TopKV2",                    "TOPK_V2",                      3, LowerTopKV2,               "k largest values and their indices (always sorted)"),
    R("Transpose",                 "TRANSPOSE",                    6, LowerSimple,               "permute dimensions (perm as INT32)", &kTranspose),
    R("Unpack",                    "UNPACK",                       4, LowerUnpack,               "unstack along an axis"),
    R("While",                     "WHILE",                        1, LowerWhile,                "loop with cond/body subgraphs; loop variables keep their shapes"),
    R("ZerosLike",                 "ZEROS_LIKE",                   1, LowerSimple,               "zeros of the input's shape", &kZerosLike),
    R("tflc.GRU",                  "FULLY_CONNECTED",             12, LowerGRU,                  "Keras GRU unrolled over static time steps (FC/SPLIT/LOGISTIC/TANH/MUL/ADD/SUB, PACK)"),
    R("tflc.Gelu",                 "GELU",                         2, LowerGelu,                 "Keras gelu (approximate)"),
    R("tflc.LSTM",                 "UNIDIRECTIONAL_SEQUENCE_LSTM", 4, LowerLSTM,                 "Keras LSTM → fused sequence LSTM (+STRIDED_SLICE last step, REVERSE_V2 go_backwards); unrolled for other activations"),
    R("tflc.PRelu",                "PRELU",                        1, LowerPRelu,                "Keras PReLU (alpha broadcast without the batch dim)"),
    R("tflc.SimpleRNN",            "FULLY_CONNECTED",             12, LowerSimpleRNN,            "Keras SimpleRNN unrolled over static time steps (FC/ADD/activation per step, PACK)"),
    // clang-format on
};

}  // namespace

const TflcLoweringEntry* Rows() { return kRows; }
size_t NumRows() { return sizeof(kRows) / sizeof(kRows[0]); }

}  // namespace tflc::lower_builtin

extern "C" const TflcPluginApi* TflcLowerBuiltin_Query(const TflcPluginQuery_Args* args) {
  // A function-local static: built on first use, no global constructor.
  static const TflcPluginApi api = [] {
    TflcPluginApi a = tflc::sdk::NewPluginApi("lower_builtin", "0.1.0",
                                              "Lowers TensorFlow ops and tflc composites to TFLite builtin ops");
    tflc::sdk::SetLowerings(a, tflc::lower_builtin::Rows(), tflc::lower_builtin::NumRows());
    return a;
  }();
  return tflc::sdk::Negotiate(args, &api);
}
