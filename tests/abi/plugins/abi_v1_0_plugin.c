/* A plugin written in plain C99 against the frozen ABI v1.0 headers only (sdk/abi-history/v1.0):
 * one custom op with a shape function, and a lowering row for a source op "AbiV10Op". Today's host
 * must load it and run it. */
#include <string.h>

#include "tflc/abi/tflc_plugin.h"

static const TflcHostApi* g_host;

static TflcStatus* Shape(TflcOpShape_Args* args) {
  const TflcHostApi* h = args->host;
  TflcValue* in = h->Node_Input(args->node, 0);
  if (!in) {
    TflcStringView m = {"AbiV10Op needs one input", 24};
    return h->Status_Create(TFLC_CODE_INVALID_ARGUMENT, m, args->node);
  }
  return h->Value_SetShape(h->Node_Output(args->node, 0), h->Value_Type(in), h->Value_Dims(in), h->Value_Rank(in));
}

static TflcStatus* Lower(TflcLowerNode_Args* args) {
  const TflcHostApi* h = args->host;
  TflcValue* in = h->Node_Input(args->node, 0);
  TflcGraph_AddNode_Args a;
  TflcStatus* s;
  memset(&a, 0, sizeof a);
  a.struct_size = TflcGraph_AddNode_Args_STRUCT_SIZE;
  a.graph = args->graph;
  a.domain = TFLC_DOMAIN_CUSTOM;
  a.op.data = "AbiV10Op";
  a.op.size = 8;
  a.name = h->Node_Name(args->node);
  a.inputs = &in;
  a.num_inputs = 1;
  a.num_outputs = 1;
  s = h->Graph_AddNode(&a);
  if (s) return s;
  return h->Value_ReplaceAllUsesWith(h->Node_Output(args->node, 0), h->Node_Output(a.node, 0));
}

static const TflcLoweringEntry kRows[1] = {
    {TflcLoweringEntry_STRUCT_SIZE, "AbiV10Op", TFLC_TARGET_CUSTOM, "AbiV10Op", 1, 1, 0, NULL, Lower, NULL,
     "custom op from a plain-C v1.0 plugin"}};
static const TflcOpsetEntry kOps[1] = {
    {TflcOpsetEntry_STRUCT_SIZE, "AbiV10Op", TFLC_DOMAIN_CUSTOM, 32, 0, NULL, 0, Shape, NULL, NULL, NULL, 0, 0, 0, -1,
     -1, -1, TFLC_ALGEBRA_NONE, NULL, sizeof(TflcOptionField), 0, -1, NULL}};

static TflcPluginApi g_api;

TFLC_EXPORT const TflcPluginApi* TflcPlugin_Query(const TflcPluginQuery_Args* args) {
  if (!args || args->host_abi_major != 1) return NULL;
  g_host = args->host;
  (void)g_host;
  memset(&g_api, 0, sizeof g_api);
  g_api.struct_size = TflcPluginApi_STRUCT_SIZE;
  g_api.abi_major = 1;
  g_api.abi_minor = 0;
  g_api.name = "abi_v1_0_plugin";
  g_api.version = "1.0.0";
  g_api.description = "plain C plugin built against the frozen ABI v1.0 headers";
  g_api.lowerings = kRows;
  g_api.num_lowerings = 1;
  g_api.lowering_stride = sizeof(TflcLoweringEntry);
  g_api.ops = kOps;
  g_api.num_ops = 1;
  g_api.op_stride = sizeof(TflcOpsetEntry);
  g_api.frontend_stride = sizeof(TflcFrontend);
  g_api.quantizer_stride = sizeof(TflcQuantizer);
  return &g_api;
}
