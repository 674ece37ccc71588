// Two plugins (built from this file as test_dup_rows_a and test_dup_rows_b) that both lower DupOp to
// the custom target at priority 5 and both define the custom op DupCustomOp: the host warns at load
// naming both files and the op, and the plugin loaded first (a, by file name) wins. Plugin a also
// has two rows for SelfDupOp at equal priority without Match (the second can never be used) and
// defines SelfDupCustomOp twice: warnings naming its file and the row.
#include <cstring>

#include "tflc/abi/tflc_plugin.h"

#if defined(TFLC_TEST_DUP_A)
#define TFLC_TEST_NAME "test_dup_rows_a"
#define TFLC_TEST_EMITS "DupFromA"
#else
#define TFLC_TEST_NAME "test_dup_rows_b"
#define TFLC_TEST_EMITS "DupFromB"
#endif

namespace {

TflcStringView Sv(const char* s) { return TflcStringView{s, std::strlen(s)}; }

// Replaces the node by the custom op TFLC_TEST_EMITS on the same input, so a test sees who lowered it.
TflcStatus* Lower(TflcLowerNode_Args* args) {
  const TflcHostApi* h = args->host;
  TflcValue* in = h->Node_Input(args->node, 0);
  TflcGraph_AddNode_Args a{};
  a.struct_size = TflcGraph_AddNode_Args_STRUCT_SIZE;
  a.graph = args->graph;
  a.domain = TFLC_DOMAIN_CUSTOM;
  a.op = Sv(TFLC_TEST_EMITS);
  a.name = h->Node_Name(args->node);
  a.inputs = &in;
  a.num_inputs = 1;
  a.num_outputs = 1;
  if (TflcStatus* s = h->Graph_AddNode(&a)) return s;
  TflcValue* out = h->Node_Output(a.node, 0);
  if (TflcStatus* s = h->Value_SetShape(out, h->Value_Type(in), h->Value_Dims(in), h->Value_Rank(in))) return s;
  return h->Value_ReplaceAllUsesWith(h->Node_Output(args->node, 0), out);
}
TflcStatus* Shape(TflcOpShape_Args*) { return nullptr; }

TflcLoweringEntry Row(const char* op, int32_t priority) {
  TflcLoweringEntry r{};
  r.struct_size = TflcLoweringEntry_STRUCT_SIZE;
  r.source_op = op;
  r.target = TFLC_TARGET_CUSTOM;
  r.target_op = TFLC_TEST_EMITS;
  r.min_version = r.max_version = 1;
  r.priority = priority;
  r.Lower = Lower;
  return r;
}
TflcOpsetEntry Op(const char* name) {
  TflcOpsetEntry e{};
  e.struct_size = TflcOpsetEntry_STRUCT_SIZE;
  e.op = name;
  e.domain = TFLC_DOMAIN_CUSTOM;
  e.builtin_code = 32;
  e.InferShape = Shape;
  e.bias_input = e.weight_input = e.weight_output_axis = e.weight_input_channel_axis = -1;
  return e;
}

const TflcPluginApi* Api() {
  static TflcLoweringEntry rows[3];
  static TflcOpsetEntry ops[3];
  static TflcPluginApi api = [] {
    TflcPluginApi a{};
    a.struct_size = TflcPluginApi_STRUCT_SIZE;
    a.abi_major = TFLC_ABI_VERSION_MAJOR;
    a.abi_minor = TFLC_ABI_VERSION_MINOR;
    a.name = TFLC_TEST_NAME;
    a.version = "0.0.1";
    a.description = "conflicting rows";
    rows[0] = Row("DupOp", 5);
    ops[0] = Op("DupCustomOp");
    a.num_lowerings = a.num_ops = 1;
#if defined(TFLC_TEST_DUP_A)
    rows[1] = Row("SelfDupOp", 0);
    rows[2] = Row("SelfDupOp", 0);
    ops[1] = Op("SelfDupCustomOp");
    ops[2] = Op("SelfDupCustomOp");
    a.num_lowerings = a.num_ops = 3;
#endif
    a.lowerings = rows;
    a.lowering_stride = sizeof(TflcLoweringEntry);
    a.ops = ops;
    a.op_stride = sizeof(TflcOpsetEntry);
    return a;
  }();
  return &api;
}

}  // namespace

extern "C" TFLC_EXPORT const TflcPluginApi* TflcPlugin_Query(const TflcPluginQuery_Args* args) {
  return args->host_abi_major == TFLC_ABI_VERSION_MAJOR ? Api() : nullptr;
}
