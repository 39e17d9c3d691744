// KeelLayers: dense and recurrent layers, cells, normalization, losses, initializers and spectral
// normalization, all with explicit backward passes.
@_exported import KeelCore
