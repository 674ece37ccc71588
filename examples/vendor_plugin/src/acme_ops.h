// acme_ops: an example vendor plugin for tflc (see README.md and docs/writing-a-plugin.md).
//
// One library gives the host both halves of "op support" for a proprietary op:
//   - lowering rows (TF `AcmeClip`, and TF `Relu6` at a higher priority than the builtin row)
//     emitting the vendor custom op ACME_CLIP with float attributes `lo` and `hi`;
//   - an opset entry for ACME_CLIP: shape function, float reference kernel and an int8
//     quantization rule, so constant folding, calibration and full-integer quantization work.
#ifndef ACME_OPS_H_
#define ACME_OPS_H_

#include "tflc/abi/tflc_plugin.h"

// The plugin's query function, with a name of its own so that unit tests can register it with
// FakeHost next to other plugins; entry.cc exports it as TflcPlugin_Query.
extern "C" const TflcPluginApi* AcmeOps_Query(const TflcPluginQuery_Args* args);

#endif  // ACME_OPS_H_
