// A plugin written against the raw C ABI whose callbacks let C++ exceptions escape (it does not use
// tflc::sdk::Guard). The host must catch each at the call site and turn it into an error naming the
// plugin's file, the callback, the row and the node, and survive.
//   lowering rows: ThrowingOp (custom) and Conv2D (builtin, priority 1000000, so it beats
//                  lower_builtin's row in a real conversion): Lower throws std::runtime_error;
//                  ThrowingMatchOp: Match throws an int (not a std::exception)
//   opset (custom): ThrowShape (InferShape throws), ThrowEval (Evaluate throws),
//                   ThrowVersion (Version throws)
//   frontend "throwing" (format "throwing"): Probe throws for *.throw-probe, Load throws
//   quantizer "throwing": Apply throws; "throwing_calibrated": needs calibration (which runs
//                         ThrowEval's Evaluate on worker threads), Apply does nothing
//   Create succeeds; Destroy throws (the host's registry destructor must not terminate)
#include <stdexcept>
#include <string>

#include "tflc/abi/tflc_plugin.h"

namespace {

TflcStatus* Lower(TflcLowerNode_Args*) { throw std::runtime_error("ThrowingPlugin: Lower exploded"); }
TflcStatus* Match(TflcLowerNode_Args*) { throw 42; }

// Output 0 gets input 0's type and shape.
TflcStatus* SameShape(TflcOpShape_Args* args) {
  const TflcHostApi* h = args->host;
  TflcValue* in = h->Node_Input(args->node, 0);
  return h->Value_SetShape(h->Node_Output(args->node, 0), h->Value_Type(in), h->Value_Dims(in), h->Value_Rank(in));
}
TflcStatus* ShapeThrows(TflcOpShape_Args*) { throw std::runtime_error("ThrowingPlugin: InferShape exploded"); }
TflcStatus* EvaluateThrows(TflcOpEval_Args*) { throw std::runtime_error("ThrowingPlugin: Evaluate exploded"); }
TflcStatus* VersionThrows(TflcOpVersion_Args*) { throw std::runtime_error("ThrowingPlugin: Version exploded"); }

TflcStatus* Probe(TflcFrontendProbe_Args* args) {
  const std::string path(args->path.data, args->path.size);
  if (path.size() >= 12 && path.compare(path.size() - 12, 12, ".throw-probe") == 0) {
    throw std::runtime_error("ThrowingPlugin: Probe exploded");
  }
  args->confidence = 100;
  return nullptr;
}
TflcStatus* Load(TflcFrontendLoad_Args*) { throw std::runtime_error("ThrowingPlugin: Load exploded"); }
TflcStatus* Apply(TflcQuantize_Args*) { throw std::runtime_error("ThrowingPlugin: Apply exploded"); }
TflcStatus* ApplyNothing(TflcQuantize_Args*) { return nullptr; }

int state = 0;
TflcStatus* Create(TflcPluginCreate_Args* args) {
  args->plugin_state = &state;
  return nullptr;
}
void Destroy(void*) { throw std::runtime_error("ThrowingPlugin: Destroy exploded"); }

TflcLoweringEntry Row(const char* op, TflcTarget target, int32_t priority) {
  TflcLoweringEntry r{};
  r.struct_size = TflcLoweringEntry_STRUCT_SIZE;
  r.source_op = op;
  r.target = target;
  r.target_op = "CUSTOM";
  r.min_version = r.max_version = 1;
  r.priority = priority;
  r.Lower = Lower;
  return r;
}

TflcOpsetEntry Op(const char* name, TflcStatus* (*shape)(TflcOpShape_Args*)) {
  TflcOpsetEntry e{};
  e.struct_size = TflcOpsetEntry_STRUCT_SIZE;
  e.op = name;
  e.domain = TFLC_DOMAIN_CUSTOM;
  e.builtin_code = 32;
  e.InferShape = shape;
  e.bias_input = e.weight_input = e.weight_output_axis = e.weight_input_channel_axis = -1;
  return e;
}

const TflcPluginApi* Api() {
  static TflcLoweringEntry rows[3];
  static TflcOpsetEntry ops[3];
  static TflcFrontend frontends[1];
  static TflcQuantizer quantizers[2];
  static TflcPluginApi api = [] {
    TflcPluginApi a{};
    a.struct_size = TflcPluginApi_STRUCT_SIZE;
    a.abi_major = TFLC_ABI_VERSION_MAJOR;
    a.abi_minor = TFLC_ABI_VERSION_MINOR;
    a.name = "test_throwing_plugin";
    a.version = "0.0.1";
    a.description = "raw-ABI callbacks that throw";
    a.Create = Create;
    a.Destroy = Destroy;
    rows[0] = Row("ThrowingOp", TFLC_TARGET_CUSTOM, 0);
    rows[1] = Row("ThrowingMatchOp", TFLC_TARGET_CUSTOM, 0);
    rows[1].Match = Match;
    rows[2] = Row("Conv2D", TFLC_TARGET_BUILTIN, 1000000);
    a.lowerings = rows;
    a.num_lowerings = 3;
    a.lowering_stride = sizeof(TflcLoweringEntry);
    ops[0] = Op("ThrowShape", ShapeThrows);
    ops[1] = Op("ThrowEval", SameShape);
    ops[1].Evaluate = EvaluateThrows;
    ops[2] = Op("ThrowVersion", SameShape);
    ops[2].Version = VersionThrows;
    a.ops = ops;
    a.num_ops = 3;
    a.op_stride = sizeof(TflcOpsetEntry);
    frontends[0].struct_size = TflcFrontend_STRUCT_SIZE;
    frontends[0].name = "throwing";
    frontends[0].formats = "throwing";
    frontends[0].Probe = Probe;
    frontends[0].Load = Load;
    a.frontends = frontends;
    a.num_frontends = 1;
    a.frontend_stride = sizeof(TflcFrontend);
    quantizers[0].struct_size = TflcQuantizer_STRUCT_SIZE;
    quantizers[0].name = "throwing";
    quantizers[0].Apply = Apply;
    a.quantizers = quantizers;
    quantizers[1].struct_size = TflcQuantizer_STRUCT_SIZE;
    quantizers[1].name = "throwing_calibrated";
    quantizers[1].Apply = ApplyNothing;
    quantizers[1].needs_calibration = 1;
    a.num_quantizers = 2;
    a.quantizer_stride = sizeof(TflcQuantizer);
    return a;
  }();
  return &api;
}

}  // namespace

extern "C" TFLC_EXPORT const TflcPluginApi* TflcPlugin_Query(const TflcPluginQuery_Args* args) {
  return args->host_abi_major == TFLC_ABI_VERSION_MAJOR ? Api() : nullptr;
}
