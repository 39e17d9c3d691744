// The umbrella module: `import Keel` brings in every Keel library module.
@_exported import KeelCore
@_exported import KeelLayers
@_exported import KeelOptimizers
