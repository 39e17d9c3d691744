// The umbrella module: `import Keel` brings in every Keel library module (KeelConformance is a
// separate product for tests).
@_exported import KeelCore
@_exported import KeelData
@_exported import KeelLayers
@_exported import KeelMonitors
@_exported import KeelOptimizers
@_exported import KeelTrainer
