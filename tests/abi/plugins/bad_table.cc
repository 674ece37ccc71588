// Plugins with one defect each in their tables, written against the raw C ABI (no SDK helpers) as a
// careless vendor might. The host must skip each with one warning naming the file, the struct or
// row, and the field; other plugins still load. Built once per defect (TFLC_TEST_DEFECT_*):
//   SMALL_API         TflcPluginApi.struct_size smaller than v1.0
//   SMALL_ROW         lowering row 1 with struct_size smaller than v1.0
//   NULL_LOWER        lowering row with Lower == NULL
//   NULL_INFER_SHAPE  opset entry with InferShape == NULL
//   NULL_APPLY        quantizer with Apply == NULL
//   NULL_LOAD         frontend with Load == NULL
#include "tflc/abi/tflc_plugin.h"

namespace {

TflcStatus* Ok(TflcLowerNode_Args*) { return nullptr; }
TflcStatus* Shape(TflcOpShape_Args*) { return nullptr; }
TflcStatus* Apply(TflcQuantize_Args*) { return nullptr; }
TflcStatus* Probe(TflcFrontendProbe_Args*) { return nullptr; }
TflcStatus* Load(TflcFrontendLoad_Args*) { return nullptr; }

TflcLoweringEntry Row(const char* op, TflcStatus* (*lower)(TflcLowerNode_Args*)) {
  TflcLoweringEntry r{};
  r.struct_size = TflcLoweringEntry_STRUCT_SIZE;
  r.source_op = op;
  r.target = TFLC_TARGET_CUSTOM;
  r.target_op = op;
  r.min_version = r.max_version = 1;
  r.Lower = lower;
  return r;
}

const TflcPluginApi* Api() {
  static TflcLoweringEntry rows[2];
  static TflcOpsetEntry ops[1];
  static TflcQuantizer quantizers[1];
  static TflcFrontend frontends[1];
  static TflcPluginApi api = [] {
    TflcPluginApi a{};
    a.struct_size = TflcPluginApi_STRUCT_SIZE;
    a.abi_major = TFLC_ABI_VERSION_MAJOR;
    a.abi_minor = TFLC_ABI_VERSION_MINOR;
    a.name = TFLC_TEST_PLUGIN_NAME;
    a.version = "0.0.1";
    a.description = "a plugin with a defective table";
    rows[0] = Row("BadTableOpA", Ok);
    rows[1] = Row("BadTableOpB", Ok);
    a.lowerings = rows;
    a.num_lowerings = 2;
    a.lowering_stride = sizeof(TflcLoweringEntry);
    ops[0].struct_size = TflcOpsetEntry_STRUCT_SIZE;
    ops[0].op = "BadTableCustomOp";
    ops[0].domain = TFLC_DOMAIN_CUSTOM;
    ops[0].builtin_code = 32;
    ops[0].InferShape = Shape;
    ops[0].bias_input = ops[0].weight_input = ops[0].weight_output_axis = ops[0].weight_input_channel_axis = -1;
    a.ops = ops;
    a.num_ops = 1;
    a.op_stride = sizeof(TflcOpsetEntry);
    quantizers[0].struct_size = TflcQuantizer_STRUCT_SIZE;
    quantizers[0].name = "bad_table_quantizer";
    quantizers[0].Apply = Apply;
    a.quantizers = quantizers;
    a.num_quantizers = 1;
    a.quantizer_stride = sizeof(TflcQuantizer);
    frontends[0].struct_size = TflcFrontend_STRUCT_SIZE;
    frontends[0].name = "bad_table_frontend";
    frontends[0].formats = "bad_table";
    frontends[0].Probe = Probe;
    frontends[0].Load = Load;
    a.frontends = frontends;
    a.num_frontends = 1;
    a.frontend_stride = sizeof(TflcFrontend);
#if defined(TFLC_TEST_DEFECT_SMALL_API)
    a.struct_size = 16;  // e.g. only struct_size and the version fields
#elif defined(TFLC_TEST_DEFECT_SMALL_ROW)
    rows[1].struct_size = sizeof(size_t) + sizeof(const char*);  // struct_size and source_op only
#elif defined(TFLC_TEST_DEFECT_NULL_LOWER)
    rows[1].Lower = nullptr;
#elif defined(TFLC_TEST_DEFECT_NULL_INFER_SHAPE)
    ops[0].InferShape = nullptr;
#elif defined(TFLC_TEST_DEFECT_NULL_APPLY)
    quantizers[0].Apply = nullptr;
#elif defined(TFLC_TEST_DEFECT_NULL_LOAD)
    frontends[0].Load = nullptr;
#else
#error "define one TFLC_TEST_DEFECT_*"
#endif
    return a;
  }();
  return &api;
}

}  // namespace

extern "C" TFLC_EXPORT const TflcPluginApi* TflcPlugin_Query(const TflcPluginQuery_Args* args) {
  return args->host_abi_major == TFLC_ABI_VERSION_MAJOR ? Api() : nullptr;
}
