// keras_recipe_layers: an example Keras LAYER plugin for tflc (see README.md and
// docs/writing-a-plugin.md "Keras layers").
//
// It converts the two custom layers of the keras.io recipe "Text classification with Transformer"
// (TransformerBlock, TokenAndPositionEmbedding), which the Keras frontend hands over as source
// nodes `keras.TransformerBlock` / `keras.TokenAndPositionEmbedding` (the layer's call tensors,
// then its weights as constants; config keys as attributes):
//   - opset entries in the SOURCE domain for both ops: InferShape checks the node against the
//     recipe and sets the output shape (the frontend calls it to go on converting downstream);
//   - lowering rows for both ops: the recipe's math as TF source ops (Einsum, AddV2, Mul, Softmax,
//     Mean, SquaredDifference, Rsqrt, Sub, Relu, Cast, GatherV2) that lower_builtin lowers in turn.
// Anything that is not exactly the recipe (an unknown config key, a weight it does not create, a
// shape its config does not give) is refused, naming the layer and what differs.
#ifndef KERAS_RECIPE_LAYERS_H_
#define KERAS_RECIPE_LAYERS_H_

#include "tflc/abi/tflc_plugin.h"

// The plugin's query function, with a name of its own so that unit tests can register it with
// FakeHost next to other plugins; entry.cc exports it as TflcPlugin_Query.
extern "C" const TflcPluginApi* KerasRecipeLayers_Query(const TflcPluginQuery_Args* args);

#endif  // KERAS_RECIPE_LAYERS_H_
