// Fuzz target: the SavedModel frontend (plugins/frontend_saved_model + tf_common): saved_model.pb
// (binary) and saved_model.pbtxt (text) parsing, MetaGraph / signature choice, function inlining
// of TF2 object graphs, the restore-graph walk that maps variables to checkpoint keys, and the
// import into the real host IR (FakeHost). The input is the saved_model.pb (or .pbtxt) file.
//
// Variables are read from $TFLC_FUZZ_SAVED_MODEL_DIR/variables/ when that is set (run_fuzzers.sh
// points it at the SavedModel generated for the seeds, so mutated graphs meet a real checkpoint),
// else from an empty directory (every variable is then a clear NotFound).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "frontend.h"
#include "fuzz_util.h"
#include "tflc/testing/fake_host.h"

namespace {

std::string g_dir;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  tflc::fuzz::QuietProtobufLogs();
  const char* dir = std::getenv("TFLC_FUZZ_SAVED_MODEL_DIR");
  g_dir = dir && *dir ? dir : tflc::fuzz::TempDir();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  const bool text = tflc::fuzz::LooksLikeText(data, size);
  for (const char* sigs : {"", "serving_default,regress_x2_to_y3"}) {
    tflc::testing::FakeHost h;
    if (*sigs) h.SetOption("saved_model_signature_key", sigs);
    tflc::Status s = tflc::saved_model::LoadSavedModelBytes(h.api(), h.options(), g_dir, bytes, text, h.model());
    if (!s.ok() && s.message().empty()) __builtin_trap();  // a failure must say why
    if (!s.ok()) break;  // the second set of options only matters when the first parse worked
  }
  return 0;
}
