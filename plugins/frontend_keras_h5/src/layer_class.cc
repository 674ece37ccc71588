#include "layer_class.h"

#include <algorithm>
#include <iterator>

#include "converter.h"

namespace tflc::keras {

namespace {

bool StartsWith(const std::string& s, const char* p) { return s.rfind(p, 0) == 0; }

// Modules Keras records for its own classes ([K3] serialize_with_public_class: the public API
// module, or keras.src.* for internal classes; tf.keras 2.13-2.15 the same under keras.*; the
// standalone tf_keras package (2.16+) under tf_keras.*).
bool IsKerasModule(const std::string& m) {
  return m == "keras" || m == "keras.layers" || StartsWith(m, "keras.layers.") || StartsWith(m, "keras.src.") ||
         m == "tf_keras" || m == "tf_keras.layers" || StartsWith(m, "tf_keras.layers.") ||
         StartsWith(m, "tf_keras.src.");
}

// Keras layer class names (keras.layers of Keras 1-3 and tf.keras, plus Keras-internal layer
// classes that appear in saved configs). Sorted.
constexpr const char* kStockNames[] = {
    "Activation", "ActivityRegularization", "Add", "AdditiveAttention", "AlphaDropout", "Attention",
    "AutoContrast", "Average", "AveragePooling1D", "AveragePooling2D", "AveragePooling3D", "AvgPool1D",
    "AvgPool2D", "AvgPool3D", "BatchNormalization", "BatchNormalizationV1", "BatchNormalizationV2",
    "Bidirectional", "CategoryEncoding", "CenterCrop", "Concatenate", "Conv1D", "Conv1DTranspose", "Conv2D",
    "Conv2DTranspose", "Conv3D", "Conv3DTranspose", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D", "Convolution1D",
    "Convolution1DTranspose", "Convolution2D", "Convolution2DTranspose", "Convolution3D",
    "Convolution3DTranspose", "Cropping1D", "Cropping2D", "Cropping3D", "CuDNNGRU", "CuDNNLSTM", "Dense",
    "DenseFeatures", "DepthwiseConv1D", "DepthwiseConv2D", "Discretization", "Dot", "Dropout", "ELU",
    "EinsumDense", "Embedding", "Equalization", "Flatten", "FlaxLayer", "GRU", "GRUCell", "GRUV1", "GRUV2",
    "GaussianDropout", "GaussianNoise", "GlobalAveragePooling1D", "GlobalAveragePooling2D",
    "GlobalAveragePooling3D", "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalAvgPool3D", "GlobalMaxPool1D",
    "GlobalMaxPool2D", "GlobalMaxPool3D", "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D",
    "GroupNormalization", "GroupQueryAttention", "HashedCrossing", "Hashing", "Identity", "InputLayer",
    "IntegerLookup", "JaxLayer", "LSTM", "LSTMCell", "LSTMV1", "LSTMV2", "Lambda", "LayerNormalization",
    "LeakyReLU", "LocallyConnected1D", "LocallyConnected2D", "Masking", "MaxPool1D", "MaxPool2D", "MaxPool3D",
    "MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "Maximum", "MelSpectrogram", "Minimum", "MixUp",
    "MultiHeadAttention", "Multiply", "Normalization", "PReLU", "Permute", "Pipeline", "RNN", "RandAugment",
    "RandomBrightness", "RandomColorDegeneration", "RandomColorJitter", "RandomContrast", "RandomCrop",
    "RandomFlip", "RandomGrayscale", "RandomHeight", "RandomHue", "RandomPosterization", "RandomRotation",
    "RandomSaturation", "RandomSharpness", "RandomShear", "RandomTranslation", "RandomWidth", "RandomZoom",
    "ReLU", "RepeatVector", "Rescaling", "Reshape", "Resizing", "STFTSpectrogram", "SeparableConv1D",
    "SeparableConv2D", "SeparableConvolution1D", "SeparableConvolution2D", "SimpleRNN", "SimpleRNNCell",
    "SlicingOpLambda", "Softmax", "Solarization", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D",
    "SpectralNormalization", "StackedRNNCells", "StringLookup", "Subtract", "SyncBatchNormalization",
    "TFOpLambda", "TFSMLayer", "TextVectorization", "ThresholdedReLU", "TimeDistributed",
    "TorchModuleWrapper", "UnitNormalization", "UpSampling1D", "UpSampling2D", "UpSampling3D", "Wrapper",
    "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D",
};

std::string Describe(const LayerDef& l) {
  std::string d = "class '" + l.class_name + "'";
  if (!l.module.empty()) d += " from module '" + l.module + "'";
  if (!l.registered_name.empty() && l.registered_name != l.class_name)
    d += " (registered as '" + l.registered_name + "')";
  return d;
}

}  // namespace

bool IsStockKerasClassName(const std::string& class_name) {
  return std::binary_search(std::begin(kStockNames), std::end(kStockNames), class_name,
                            [](const std::string& a, const std::string& b) { return a < b; });
}

LayerClass ClassifyLayer(const LayerDef& l) {
  LayerClass c;
  c.description = Describe(l);
  const bool registered_custom = l.class_name.find('>') != std::string::npos ||
                                 l.registered_name.find('>') != std::string::npos;
  if (registered_custom) {
    c.origin = LayerOrigin::kCustom;
    return c;
  }
  if (!l.module.empty()) {
    // Keras classes have registered_name null (exported) or their class name (internal).
    const bool ok = IsKerasModule(l.module) && (l.registered_name.empty() || l.registered_name == l.class_name);
    c.origin = ok ? LayerOrigin::kStock : LayerOrigin::kCustom;
    return c;
  }
  if (!l.registered_name.empty()) {
    // .keras entry with "module": null: an unregistered class defined in __main__.
    c.origin = LayerOrigin::kCustom;
    c.description += " (defined in the saving script: \"module\" is null)";
    return c;
  }
  // Legacy .h5 / JSON: the class name is all there is.
  c.origin = IsStockKerasClassName(l.class_name) || FindLayerConverter(l) ? LayerOrigin::kStock : LayerOrigin::kCustom;
  if (c.origin == LayerOrigin::kCustom) c.description += " (no Keras layer class has this name)";
  return c;
}

}  // namespace tflc::keras
