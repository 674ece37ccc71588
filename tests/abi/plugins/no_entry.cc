// A shared library that is not a tflc plugin: it lacks the TflcPlugin_Query entry point.
extern "C" __attribute__((visibility("default"))) int SomethingElse() { return 42; }
