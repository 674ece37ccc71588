// ABI layout checks: the v1.0 prefix of every boundary struct must never move.
#include <cstddef>

#include <gtest/gtest.h>

#include "tflc/abi/tflc_plugin.h"

static_assert(offsetof(TflcPluginApi, struct_size) == 0, "struct_size is always first");
static_assert(offsetof(TflcHostApi, struct_size) == 0, "struct_size is always first");
static_assert(offsetof(TflcLoweringEntry, struct_size) == 0, "struct_size is always first");
static_assert(offsetof(TflcOpsetEntry, struct_size) == 0, "struct_size is always first");
static_assert(offsetof(TflcFrontend, struct_size) == 0, "struct_size is always first");
static_assert(offsetof(TflcAttrValue, struct_size) == 0, "struct_size is always first");
// v1.0 sizes on LP64 (x86-64, aarch64). A change here means a shipped field moved: not allowed.
static_assert(TflcPluginApi_STRUCT_SIZE == 152, "TflcPluginApi v1.0 prefix changed");
static_assert(TFLC_STRUCT_SIZE(TflcHostApi, Graph_AddVariable) == 344, "TflcHostApi v1.0 prefix changed");
static_assert(TflcLoweringEntry_STRUCT_SIZE == 80, "TflcLoweringEntry v1.0 prefix changed");
static_assert(TFLC_STRUCT_SIZE(TflcOpsetEntry, Query) == 152, "TflcOpsetEntry v1.0 prefix changed");
static_assert(TflcFrontend_STRUCT_SIZE == 56, "TflcFrontend v1.0 prefix changed");
static_assert(TflcLowerNode_Args_STRUCT_SIZE == 68, "TflcLowerNode_Args v1.0 prefix changed");
static_assert(offsetof(TflcHostApi, Value_ReplaceAllUsesWith) == 328, "host table order changed");
static_assert(TflcGraph_AddConst_Args_STRUCT_SIZE == 120, "TflcGraph_AddConst_Args v1.0 prefix changed");
static_assert(TflcOpQuery_Args_STRUCT_SIZE == 64, "TflcOpQuery_Args v1.0 prefix changed");
static_assert(TFLC_STRUCT_SIZE(TflcQuantizer, user_data) == 40, "TflcQuantizer v1.0 prefix changed");
// v1.1 (quantization): appended only.
static_assert(TFLC_STRUCT_SIZE(TflcHostApi, Graph_SetOutput) == 376, "TflcHostApi v1.1 layout changed");
static_assert(offsetof(TflcHostApi, Node_SetInput) == 344, "v1.1 host functions follow Graph_AddVariable");
static_assert(TflcOpsetEntry_STRUCT_SIZE == 160, "TflcOpsetEntry v1.1 layout changed");
static_assert(TFLC_STRUCT_SIZE(TflcQuantizer, needs_calibration) == 44, "TflcQuantizer v1.1 layout changed");
static_assert(TflcOpQuantSpec_STRUCT_SIZE == 52, "TflcOpQuantSpec v1.1 layout changed");
// v1.2 (bias correction): appended only.
static_assert(TFLC_STRUCT_SIZE(TflcHostApi, Value_GetChannelMeans) == 384, "TflcHostApi v1.2 prefix changed");
static_assert(TflcHostApi_STRUCT_SIZE == 448, "TflcHostApi v1.3 layout changed");
static_assert(offsetof(TflcHostApi, Node_InferShape) == 440, "Node_InferShape follows Graph_IsSubgraph");
static_assert(offsetof(TflcHostApi, Graph_Run) == 424, "Graph_Run follows Graph_Name");
static_assert(offsetof(TflcHostApi, Graph_IsSubgraph) == 432, "Graph_IsSubgraph follows Graph_Run");
static_assert(TflcGraph_Run_Args_STRUCT_SIZE == 56, "TflcGraph_Run_Args v1.3 layout changed");
static_assert(offsetof(TflcHostApi, Graph_AddSubgraph) == 384, "v1.3 host functions follow Value_GetChannelMeans");
static_assert(offsetof(TflcHostApi, Value_GetChannelMeans) == 376, "v1.2 host functions follow Graph_SetOutput");
static_assert(TflcQuantizer_STRUCT_SIZE == 56, "TflcQuantizer v1.2 layout changed");
// v1.3 (declared input shapes): appended only.
static_assert(TFLC_STRUCT_SIZE(TflcGraph_AddInput_Args, value) == 88, "TflcGraph_AddInput_Args v1.0 prefix changed");
static_assert(TflcGraph_AddInput_Args_STRUCT_SIZE == 96, "TflcGraph_AddInput_Args v1.3 layout changed");
static_assert(offsetof(TflcQuantizer, CalibrationStats) == 48, "v1.2 quantizer fields follow needs_calibration");

TEST(AbiLayout, VersionMacros) {
  EXPECT_EQ(TFLC_ABI_VERSION_MAJOR, 1);
  EXPECT_GE(TFLC_ABI_VERSION_MINOR, 0);
}
