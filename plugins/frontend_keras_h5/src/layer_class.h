// Stock Keras layer or a user's class? (KERAS.md A.4). A class name alone never decides: a user
// class may be called `Attention` or `Add`. Kept apart from the converter table (layers.cc) so that
// dispatch (FindLayerConverter) and this check stay independent.
#ifndef TFLC_PLUGINS_FRONTEND_KERAS_H5_SRC_LAYER_CLASS_H_
#define TFLC_PLUGINS_FRONTEND_KERAS_H5_SRC_LAYER_CLASS_H_

#include <string>

#include "model_config.h"

namespace tflc::keras {

enum class LayerOrigin {
  kStock,   // a Keras class (exported, or Keras-internal such as TFOpLambda / keras.src.ops.*)
  kCustom,  // a user-defined or third-party class
};

struct LayerClass {
  LayerOrigin origin = LayerOrigin::kStock;
  // For custom classes, what the file says: "class 'Add' from module 'my_layers' (registered as 'MyAdd')".
  std::string description;
};

// What the file records decides:
//  - .keras (Keras 3, tf.keras 2.13+): `module` must be a Keras module ("keras", "keras.layers",
//    "keras.layers.*", "keras.src.*"; tf_keras the same) and `registered_name` null or the class
//    name itself (Keras-internal classes); a "package>Name" registered name, another module, or a
//    registered name without module (a class defined in __main__) is custom.
//  - legacy .h5 / JSON (no module): "package>Name" is a registered custom class; a bare name is
//    stock only when it is the name of a Keras layer class.
LayerClass ClassifyLayer(const LayerDef& layer);

// Whether `class_name` names a Keras layer class (Keras 1-3, tf.keras; supported or not).
bool IsStockKerasClassName(const std::string& class_name);

}  // namespace tflc::keras

#endif  // TFLC_PLUGINS_FRONTEND_KERAS_H5_SRC_LAYER_CLASS_H_
